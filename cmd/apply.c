/*
 * apply.c — `ccapply apply [PLANFILE]`: gates, acknowledgments, the lock, the
 * live diff (checked against a saved plan when one is given), confirmation,
 * then the applier, with progress on the terminal, one line per resource
 * otherwise, or JSON events with --json.
 *
 * The only process-wide state in ccapply lives here: the interrupt flag set
 * by SIGINT, SIGTERM or SIGHUP (a closed terminal), which the client's waits
 * and the applier's loop poll. A second signal (CI runners send SIGINT then
 * SIGTERM) changes nothing: the request in flight is finished (within the
 * client's timeout) and recorded before the exit, so no create is ever left
 * sent but unrecorded by ccapply's own doing; only SIGKILL can do that, and
 * the journal's open intent covers it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "applier/applier.h"
#include "cmd/ack.h"
#include "cmd/common.h"
#include "cmd/options.h"
#include "cmd/plandoc.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "state/results.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	static const char again[] = "ccapply: finishing the request in flight and recording it; "
				    "stopping right after\n";

	if (interrupted) {
		/* write(2) is async-signal-safe; nothing else here is needed. */
		ssize_t ignored = write(STDERR_FILENO, again, sizeof again - 1);
		(void)ignored;
		return;
	}
	interrupted = sig;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct apply_args {
	const char *planfile;
	bool auto_approve;
	bool json;
	struct acks acks;  /* every --ack (repeats accumulate) */
	int rate_count;
	double rate_seconds;
};

static int parse_apply_args(const struct cmd_args *args, struct apply_args *a)
{
	const char *rate = args_value(args, "--create-rate");

	memset(a, 0, sizeof *a);
	a->planfile = args_value(args, "PLANFILE");
	a->auto_approve = args_flag(args, "--auto-approve");
	a->json = args_flag(args, "--json");
	if (rate) {
		struct err err;
		if (client_create_rate_parse(rate, &a->rate_count, &a->rate_seconds, &err)) {
			cmd_fail("usage", "apply: --create-rate %s", err.msg);
			return -1;
		}
	}
	acks_from_list(&a->acks, args, "--ack"); /* last: a refusal above owns nothing */
	return 0;
}

/* ---- output ------------------------------------------------------------- */

/*
 * Progress goes to stderr, so stdout (the plan, one line per resource, the
 * summary, or the --json events) stays clean under `| tee`. On a terminal
 * one line is rewritten in place: what is being created and the ETA, or,
 * during a pacing or 429 wait, "waiting" with the seconds left and why.
 * Without one, a line at least every interval (30 s; CCAPPLY_PROGRESS_SECONDS)
 * with done/total and the elapsed time, as Terraform's "Still creating...".
 */
#define PROGRESS_SECONDS_DEFAULT 30

struct reporter {
	const struct global_options *g;
	const struct state *state; /* its acknowledged codes accept skips */
	bool json;
	bool tty;              /* stderr is a terminal */
	bool running;          /* the applier has started */
	size_t total_creates;
	size_t done_creates;
	time_t started;
	time_t last_line;      /* no terminal: when the last line was printed */
	long interval;         /* no terminal: seconds between lines */
	const struct action *current;
	double wait_left;      /* --json: the seconds left at the last wait event */
	time_t wait_told;      /* --json: when the last wait event was printed */
	int rate_count;
	double rate_seconds;
};

static void elapsed_text(char out[32], long seconds)
{
	if (seconds >= 60)
		snprintf(out, 32, "%ldm%02lds", seconds / 60, seconds % 60);
	else
		snprintf(out, 32, "%lds", seconds);
}

/* No terminal: "Still creating... 3/20 done, 1m30s elapsed" when the
 * interval has passed, with the wait when there is one. */
static void still_line(struct reporter *rep, double wait_left, const char *why)
{
	time_t now = time(NULL);
	char elapsed[32];

	if (rep->tty || !rep->running || !rep->total_creates ||
	    difftime(now, rep->last_line) < (double)rep->interval)
		return;
	rep->last_line = now;
	elapsed_text(elapsed, (long)difftime(now, rep->started));
	fprintf(stderr, "Still creating... %zu/%zu done, %s elapsed", rep->done_creates,
		rep->total_creates, elapsed);
	if (why)
		fprintf(stderr, "; waiting %.0fs (%s)", wait_left, why);
	fputc('\n', stderr);
	fflush(stderr);
}

/* --json: {"event":"wait"} when a wait begins and every WAIT_EVENT_SECONDS
 * while it lasts, so a reader (ccapply mcp's progress notifications) hears
 * from a long Retry-After, but not once a second. */
#define WAIT_EVENT_SECONDS 5

static void json_wait(struct reporter *rep, double seconds_left, const char *why)
{
	time_t now = time(NULL);
	bool begins = seconds_left > rep->wait_left;
	struct buf b = BUF_INIT;
	struct json_writer w;

	rep->wait_left = seconds_left;
	if (!begins && difftime(now, rep->wait_told) < WAIT_EVENT_SECONDS)
		return;
	rep->wait_told = now;
	jw_init(&w, &b, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "event");
	jw_string(&w, "wait");
	jw_key(&w, "seconds");
	jw_int(&w, (long long)(seconds_left + 0.999)); /* rounded up */
	jw_key(&w, "reason");
	jw_string(&w, why);
	jw_object_end(&w);
	printf("%s\n", b.data);
	fflush(stdout);
	buf_free(&b);
}

/* The client is waiting (pacing, backoff, Retry-After): say so. */
static void on_wait(void *ctx, double seconds_left, const char *why)
{
	struct reporter *rep = ctx;

	if (rep->json)
		json_wait(rep, seconds_left, why);
	if (!rep->tty) {
		still_line(rep, seconds_left, why);
		return;
	}
	if (!rep->running)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] waiting %.0fs: %s", rep->done_creates + 1,
		rep->total_creates, seconds_left, why);
	if (rep->current)
		fprintf(stderr, " (next: %s %s)", resource_kind_name(rep->current->kind),
			cmd_shown(rep->current->name));
	fflush(stderr);
}

static void json_event(const char *event, const struct action *a, const struct state_resource *r,
		       size_t index)
{
	struct buf b = BUF_INIT;
	struct json_writer w;

	jw_init(&w, &b, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "event");
	jw_string(&w, event);
	jw_key(&w, "index");
	jw_int(&w, (long long)index);
	jw_key(&w, "kind");
	jw_string(&w, resource_kind_name(a->kind));
	jw_key(&w, "name");
	jw_string(&w, a->name);
	if (r) {
		jw_key(&w, "outcome");
		jw_string(&w, resource_outcome_name(r->outcome));
		jw_key(&w, "id");
		jw_string(&w, r->id);
		jw_key(&w, "reason");
		jw_string(&w, r->reason);
		jw_key(&w, "recovered");
		jw_bool(&w, r->recovered);
		jw_key(&w, "error");
		state_write_error_json(&w, &r->error); /* as the state file has it */
	}
	jw_object_end(&w);
	printf("%s\n", b.data);
	fflush(stdout);
	buf_free(&b);
}

/* Seconds left: the slower of the observed pace and the create rate limit. */
static long eta_seconds(const struct reporter *rep)
{
	size_t left = rep->total_creates - rep->done_creates;
	double per = rep->done_creates ? difftime(time(NULL), rep->started) / rep->done_creates : 1;
	double paced = rep->rate_count ? (double)left / rep->rate_count * rep->rate_seconds : 0;
	double by_pace = per * left;

	return (long)(by_pace > paced ? by_pace : paced);
}

static void before_resource(void *ctx, size_t index, const struct action *a)
{
	struct reporter *rep = ctx;

	rep->current = a;
	rep->wait_left = 0;
	if (rep->json)
		json_event("start", a, NULL, index);
	if (rep->tty && a->action == ACTION_CREATE) {
		fprintf(stderr, "\r\033[K[%zu/%zu] creating %s %s… ETA %lds", rep->done_creates + 1,
			rep->total_creates, resource_kind_name(a->kind), cmd_shown(a->name),
			eta_seconds(rep));
		fflush(stderr);
	}
	still_line(rep, 0, NULL);
}

/* One line per resource. A resource an earlier apply created is "created
 * earlier", so a run that changes nothing does not read as if it created. */
static void describe_outcome(FILE *out, const struct action *a, const struct state_resource *r,
			     const struct state *st)
{
	bool earlier = a->action != ACTION_CREATE && r->outcome == OUTCOME_CREATED;

	fprintf(out, "%s %s: %s", resource_kind_name(r->kind), cmd_shown(r->name),
		earlier ? "created earlier" : resource_outcome_name(r->outcome));
	if (r->id)
		fprintf(out, " (id %s%s)", cmd_shown(r->id), r->recovered ? ", recovered" : "");
	if (r->reason)
		fprintf(out, " %s", cmd_shown(r->reason));
	if (state_skip_accepted(st, r))
		fputs(" (accepted by --ack)", out);
	if (r->outcome == OUTCOME_FAILED || (r->outcome == OUTCOME_PENDING && r->error.code)) {
		fputs(": ", out);
		if (r->error.http_status)
			fprintf(out, "HTTP %d ", r->error.http_status);
		if (r->error.code)
			fprintf(out, "%s: ", cmd_shown(r->error.code));
		fputs(r->error.message ? cmd_shown(r->error.message) : "", out);
	}
	fputc('\n', out);
}

static void after_resource(void *ctx, size_t index, const struct action *a,
			   const struct state_resource *r)
{
	struct reporter *rep = ctx;

	if (a->action == ACTION_CREATE)
		rep->done_creates++;
	rep->current = NULL;
	if (rep->tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (rep->json)
		json_event("resource", a, r, index);
	else
		describe_outcome(stdout, a, r, rep->state);
	fflush(stdout);
	still_line(rep, 0, NULL);
}

/* ---- steps -------------------------------------------------------------- */

static void iso_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The saved plan against the one computed now: same inputs, same target,
 * same actions, and, last, the same live facts (its live_fingerprint): a
 * change in the target that leaves the actions alone (a connection added
 * beside them, a package moved) still makes the reviewed plan stale. */
static int compare_saved_plan(const char *file, const struct value *saved,
			      const struct value *now, const struct live_state *live,
			      struct err *err)
{
	const struct value *sa = value_get(saved, "actions"), *na = value_get(now, "actions");
	const char *keys[] = { "kind", "name", "action", "reason", "id" };
	const char *saved_print = value_get_string(saved, "live_fingerprint");
	char print[65];
	size_t i, k;

	if (!value_equal(value_get(value_get(saved, "preflight"), "plan_checksum"),
			 value_get(value_get(now, "preflight"), "plan_checksum")))
		return err_set(err, "%s was saved for a different copy_plan.yaml; run ccapply plan "
			       "--out again", file);
	if (!value_equal(value_get(value_get(saved, "target"), "group_id"),
			 value_get(value_get(now, "target"), "group_id")))
		return err_set(err, "%s was saved for another target group", file);
	if (sa->u.arr.n != na->u.arr.n)
		return err_set(err, "%s no longer matches the live state (%zu actions saved, %zu "
			       "now); run ccapply plan --out again and review it", file,
			       sa->u.arr.n, na->u.arr.n);
	for (i = 0; i < sa->u.arr.n; i++)
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (!value_equal(value_get(sa->u.arr.items[i], keys[k]),
					 value_get(na->u.arr.items[i], keys[k])))
				return err_set(err, "%s no longer matches the live state: %s \"%s\" "
					       "was planned as %s, is now %s; run ccapply plan --out "
					       "again and review it", file,
					       value_get_string(na->u.arr.items[i], "kind"),
					       value_get_string(na->u.arr.items[i], "name"),
					       value_get_string(sa->u.arr.items[i], "action"),
					       value_get_string(na->u.arr.items[i], "action"));
	plandoc_live_fingerprint(live, print);
	if (!saved_print)
		return err_set(err, "%s has no live_fingerprint (not saved by ccapply plan --out); "
			       "run ccapply plan --out again", file);
	if (strcmp(saved_print, print))
		return err_set(err, "%s is stale: the target group changed since it was saved "
			       "(its live_fingerprint no longer matches), though the actions are "
			       "the same; run ccapply plan --out again and review it", file);
	return 0;
}

struct apply_run {
	const struct global_options *g;
	struct apply_args args;
	struct planner_inputs in;
	struct live_state live;
	struct action_list actions;
	bool have_live, have_actions;
	struct client *client;
	struct state_lock *lock;
	struct state *state;
	bool state_loaded;           /* state is what ccapply.lock holds (or NULL) */
	struct journal *journal; /* ccapply.journal, read once the lock is held */
	char **acked;
	size_t n_acked;
	struct reporter rep;
	const struct workspace *ws; /* the paths, g->ws */
	char date[32];
};

/* The report's warnings apply needs acknowledged, by --ack or, when ask,
 * at the prompt (after the plan and the warnings are shown); the codes
 * acknowledged go to run->acked. Returns 0, or EXIT_ERROR with the refusal
 * printed and in err. */
static int acknowledge(struct apply_run *run, bool ask, struct err *err)
{
	struct buf missing = BUF_INIT;
	int rc = 0;

	acks_warnings(&run->args.acks, run->in.report, ask, &run->acked, &run->n_acked,
		      &missing);
	if (missing.len) {
		err_set(err, "the validation report has warnings that need acknowledgment: %s\n"
			"  Review them (ccapply plan lists them), then run apply with --ack %s "
			"(or --ack all).", missing.data, missing.data);
		cmd_fail("ack_required", "%s", err->msg);
		rc = EXIT_ERROR;
	}
	buf_free(&missing);
	return rc;
}

/* The plan for results.md when the gates did not load it (the plan changed
 * since validation, say): the plan file as it is, unchecked, only so that
 * each recorded connection keeps its auth step; NULL when it cannot be read. */
static struct plan *plan_for_the_record(struct apply_run *run)
{
	struct plan *p = NULL;
	struct err ignored;

	if (plan_load(run->ws->plan, &p, &ignored))
		p = NULL;
	return p;
}

/* The state file for a refusal's results.md, loaded once (read only: a
 * refusal never changes it); NULL when absent or untrusted. */
static const struct state *recorded_state(struct apply_run *run)
{
	struct err ignored;

	if (!run->state_loaded && state_load(run->ws->state, &run->state, &ignored))
		run->state = NULL;
	run->state_loaded = true;
	return run->state;
}

/* A refusal: rewrite results.md from what ccapply.lock records, plus this
 * run's refusal and why, under the apply lock (another apply that holds it
 * owns results.md). ccapply.lock itself is left as it is. The message is
 * already printed. */
static int refuse(struct apply_run *run, const char *message)
{
	struct results_input ri;
	struct plan *own_plan = NULL;
	char *source = NULL;
	struct stat st;
	struct err err;

	if (stat(run->ws->dir, &st) || !S_ISDIR(st.st_mode))
		return EXIT_ERROR;
	if (!run->lock && state_lock_acquire(run->ws->lock, &run->lock, &err)) {
		cmd_fail("locked", "%s", err.msg);
		return EXIT_ERROR;
	}
	memset(&ri, 0, sizeof ri);
	ri.date = run->date;
	ri.state = recorded_state(run);
	ri.plan = run->in.plan ? run->in.plan : (own_plan = plan_for_the_record(run));
	ri.report = run->in.report;
	ri.refusal = message;
	if (run->have_live) {
		ri.source_group_name = run->live.source_group_name;
		ri.target_group_name = run->live.group_name;
	} else {
		/* not read this time: as recorded */
		ri.source_group_name = source = results_recorded_source(run->ws->results);
		ri.target_group_name = ri.state ? ri.state->target_group_name : NULL;
	}
	if (results_write(run->ws->results, &ri, &err))
		cmd_fail("write_failed", "%s", err.msg);
	plan_free(own_plan);
	free(source);
	return EXIT_ERROR;
}

static int confirm(struct apply_run *run)
{
	if (run->args.auto_approve || !run->actions.n_create)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		cmd_fail("not_confirmed", "apply needs confirmation: run it on a terminal and type 'yes', or pass "
			  "--auto-approve");
		return refuse(run, "not confirmed (no terminal and no --auto-approve)");
	}
	if (cmd_ask_yes("\nDo you want to create these resources? Only 'yes' will be accepted: "))
		return 0;
	cmd_fail("cancelled", "apply cancelled");
	return refuse(run, "cancelled at the confirmation prompt");
}

static int compare_codes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_state_header(struct apply_run *run)
{
	struct state *st = run->state;
	size_t i;

	free(st->plan_checksum);
	st->plan_checksum = xstrdup(run->in.report->plan_checksum);
	free(st->validation_status);
	st->validation_status = xstrdup(report_status_name(run->in.report->status));
	free(st->target_group_id);
	st->target_group_id = xstrdup(run->live.group_id);
	free(st->target_group_name);
	st->target_group_name = xstrdup(run->live.group_name);
	/* what this apply acknowledged: warnings and accepted skips, sorted */
	for (i = 0; i < st->n_acknowledged; i++)
		free(st->acknowledged[i]);
	free(st->acknowledged);
	if (run->n_acked)
		qsort(run->acked, run->n_acked, sizeof *run->acked, compare_codes);
	st->acknowledged = run->acked;
	st->n_acknowledged = run->n_acked;
	run->acked = NULL;
	run->n_acked = 0;
}

static int exit_for(enum applier_end end)
{
	switch (end) {
	case APPLY_COMPLETE:
		return EXIT_OK;
	case APPLY_INCOMPLETE:
		return EXIT_INCOMPLETE;
	case APPLY_INTERRUPTED:
		return EXIT_INTERRUPTED;
	case APPLY_AUTH_FAILED:
		break;
	}
	return EXIT_ERROR;
}

/* Counts by outcome, as ccapply.lock records them: a resource an earlier
 * (interrupted, resumed) apply created counts as created — "of which N
 * earlier" — never as already existing. */
static void print_summary(const struct apply_run *run, enum applier_end end)
{
	const struct state *st = run->state;
	size_t i, earlier = 0, accepted = 0, count[5] = { 0 };
	struct buf hint = BUF_INIT;
	char created[64], skipped[64];

	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		if (r->outcome == OUTCOME_CREATED && run->actions.items[i].action != ACTION_CREATE)
			earlier++;
		if (state_skip_accepted(st, r))
			accepted++;
		else if (r->outcome == OUTCOME_SKIPPED && acks_is_skip_code(r->reason))
			buf_printf(&hint, "%s%s:%s", hint.len ? "," : "", r->reason, r->name);
		count[r->outcome]++;
	}
	if (run->args.json) {
		printf("{\"event\":\"done\",\"result\":\"%s\",\"created\":%zu,"
		       "\"created_earlier\":%zu,\"already_exists\":%zu,\"skipped\":%zu,"
		       "\"skipped_accepted\":%zu,\"failed\":%zu,\"pending\":%zu}\n",
		       end == APPLY_COMPLETE ? "complete" : end == APPLY_INCOMPLETE ? "incomplete" :
		       end == APPLY_INTERRUPTED ? "interrupted" : "auth_failed",
		       count[OUTCOME_CREATED], earlier, count[OUTCOME_ALREADY_EXISTS],
		       count[OUTCOME_SKIPPED], accepted, count[OUTCOME_FAILED],
		       count[OUTCOME_PENDING]);
		buf_free(&hint);
		return;
	}
	if (end == APPLY_INTERRUPTED)
		printf("\nInterrupted. Run ccapply apply again to continue; nothing will be created "
		       "twice.\n");
	if (end == APPLY_AUTH_FAILED)
		printf("\nStopped: the API refused the credentials; nothing else was attempted.\n");
	if (earlier)
		snprintf(created, sizeof created, "%zu created (%zu by an earlier apply)",
			 count[OUTCOME_CREATED], earlier);
	else
		snprintf(created, sizeof created, "%zu created", count[OUTCOME_CREATED]);
	if (accepted)
		snprintf(skipped, sizeof skipped, "%zu skipped (%zu accepted)",
			 count[OUTCOME_SKIPPED], accepted);
	else
		snprintf(skipped, sizeof skipped, "%zu skipped", count[OUTCOME_SKIPPED]);
	printf("\nApply %s: %s, %zu already existed, %s, %zu failed%s.\n",
	       end == APPLY_COMPLETE ? "complete" : "finished with problems", created,
	       count[OUTCOME_ALREADY_EXISTS], skipped, count[OUTCOME_FAILED],
	       count[OUTCOME_PENDING] ? " (some not attempted)" : "");
	if (hint.len)
		printf("Skipped on purpose? Accept these skips (apply then exits 0 with them) with "
		       "--ack %s\n", hint.data);
	printf("Results: %s\nState:   %s\n", run->ws->results, run->ws->state);
	buf_free(&hint);
}

static int run_applier(struct apply_run *run)
{
	struct reporter *rep = &run->rep;
	struct applier_input ai;
	enum applier_end end;
	struct err err;
	int rc;

	memset(&ai, 0, sizeof ai);
	ai.plan = run->in.plan;
	ai.report = run->in.report;
	ai.live = &run->live;
	ai.actions = &run->actions;
	ai.state = run->state;
	ai.journal = run->journal;
	ai.state_path = run->ws->state;
	ai.results_path = run->ws->results;
	ai.date = run->date;
	ai.interrupted = &interrupted;
	ai.settle_seconds = (double)cmd_env_long("CCAPPLY_SETTLE_SECONDS",
						(long)APPLIER_SETTLE_SECONDS);
	ai.progress.before = before_resource;
	ai.progress.after = after_resource;
	ai.progress.ctx = rep;
	rep->state = run->state;
	rep->total_creates = run->actions.n_create;
	rep->started = rep->last_line = time(NULL);
	rep->running = true;
	set_state_header(run);
	rc = applier_run(run->client, &ai, &end, &err);
	if (run->g->verbose)
		fprintf(stderr, "* apply saved %s and %s %zu times; %s changed %zu times\n",
			STATE_FILE, RESULTS_FILE, ai.counts.saves, STATE_FILE,
			ai.counts.state_writes);
	if (rc) {
		cmd_fail("write_failed", "%s", err.msg);
		return EXIT_ERROR;
	}
	print_summary(run, end);
	if (end == APPLY_AUTH_FAILED && run->args.json)
		cmd_fail("auth_failed", "the API refused the credentials; nothing else was attempted");
	return exit_for(end);
}

/* The previous state, or a fresh one; a damaged state file stops apply. */
static int load_state(struct apply_run *run)
{
	struct err err;

	if (state_load(run->ws->state, &run->state, &err)) {
		run->state_loaded = true;
		cmd_fail("state_invalid", "%s\n  ccapply will not overwrite a state file it cannot "
			 "trust; restore it from version control or move it aside.", err.msg);
		return refuse(run, "the state file ccapply.lock could not be trusted");
	}
	run->state_loaded = true;
	if (!run->state)
		run->state = xcalloc(1, sizeof *run->state);
	return 0;
}

/* Mark in doc each skip an --ack accepts ("accepted": true, shown by the
 * text rendering), and note each skip code that accepts nothing here. */
static void mark_accepted_skips(struct apply_run *run, struct value *doc)
{
	struct value *list = (struct value *)value_get(doc, "actions");
	size_t i;

	for (i = 0; i < run->actions.n; i++) {
		const struct action *a = &run->actions.items[i];
		if (a->action == ACTION_SKIP &&
		    state_ack_accepting(run->acked, run->n_acked, a->reason, a->name))
			value_object_put_c(list->u.arr.items[i], "accepted", value_new_bool(true));
	}
	acks_note_unused(&run->args.acks, &run->actions);
}

static int prepare(struct apply_run *run)
{
	struct client_tuning tuning = {
		.create_rate_count = run->args.rate_count,
		.create_rate_seconds = run->args.rate_seconds,
		.interrupted = &interrupted,
		.on_wait = on_wait,
		.on_wait_ctx = &run->rep,
	};
	struct value *saved = NULL, *doc;
	enum writes_policy writes;
	struct err err;
	bool ask;
	int rc;

	/* A value that is neither yes nor no is a broken pipeline setting:
	 * refuse before anything, results.md included, is touched. */
	if (cmd_writes_policy_from_env(&writes, &err)) {
		cmd_fail("writes_policy_invalid", "%s", err.msg);
		return EXIT_ERROR;
	}
	if (cmd_load_inputs(run->g, &run->in, &err))
		return refuse(run, err.msg);
	if (acks_check(&run->args.acks, run->in.report))
		return EXIT_USAGE; /* before anything is written or sent */
	acks_skips(&run->args.acks, &run->acked, &run->n_acked);
	if (writes == WRITES_REFUSED) {
		cmd_fail("writes_disabled", "FIVETRAN_ALLOW_WRITES is false: apply refuses to write anything");
		return refuse(run, "FIVETRAN_ALLOW_WRITES is false");
	}
	/* Without a person to ask, the warnings are settled before any request;
	 * with one, after the plan and every warning are on the screen. */
	ask = isatty(STDIN_FILENO) && !run->args.auto_approve && !run->args.json;
	if (!ask && acknowledge(run, false, &err))
		return refuse(run, err.msg);
	if (state_lock_acquire(run->ws->lock, &run->lock, &err)) {
		cmd_fail("locked", "%s", err.msg);
		return EXIT_ERROR; /* the other apply owns results.md now */
	}
	if ((rc = load_state(run)))
		return rc;
	/* The journal says which creates an earlier apply sent but never saw
	 * answered; a damaged one is not built upon, like the state file. */
	if (journal_open(run->ws->journal, &run->journal, &err)) {
		cmd_fail("journal_invalid", "%s\n  ccapply will not append to a journal it cannot verify; move it "
			  "aside (ccapply state verify shows what it holds) and run apply again.",
			  err.msg);
		return refuse(run, "the journal ccapply.journal could not be verified");
	}
	if (run->args.planfile && (rc = cmd_load_saved_plan(run->args.planfile, &saved)))
		return refuse(run, cmd_last_error());
	tuning.plan = run->in.plan;
	if ((rc = cmd_open_client(run->g, &tuning, &run->client)) ||
	    (rc = cmd_compute_plan(run->g, run->client, &run->in, run->state, &run->live,
				   &run->actions))) {
		value_free(saved);
		return refuse(run, cmd_last_error());
	}
	run->have_live = run->have_actions = true;
	doc = plandoc_build(&run->in, &run->live, &run->actions);
	rc = saved ? compare_saved_plan(run->args.planfile, saved, doc, &run->live,
						 &err) : 0;
	value_free(saved);
	if (rc) {
		value_free(doc);
		cmd_fail("plan_stale", "%s", err.msg);
		return refuse(run, err.msg);
	}
	mark_accepted_skips(run, doc);
	if (!run->args.json)
		plandoc_render_text(stdout, doc, run->g);
	value_free(doc);
	if (ask && acknowledge(run, true, &err))
		return refuse(run, err.msg);
	return confirm(run);
}

static void run_free(struct apply_run *run)
{
	size_t i;

	acks_free(&run->args.acks);
	for (i = 0; i < run->n_acked; i++)
		free(run->acked[i]);
	free(run->acked);
	state_free(run->state);
	journal_free(run->journal);
	if (run->have_actions)
		action_list_free(&run->actions);
	if (run->have_live)
		differ_live_state_free(&run->live);
	client_free(run->client);
	state_lock_release(run->lock);
	planner_inputs_free(&run->in);
}

static int run_apply(const struct cmd_args *args, const struct global_options *g)
{
	struct apply_run run;
	int rc;

	memset(&run, 0, sizeof run);
	run.g = g;
	run.ws = &g->ws;
	if (parse_apply_args(args, &run.args))
		return EXIT_USAGE;
	run.rep = (struct reporter){
		.g = g,
		.json = run.args.json,
		.tty = isatty(STDERR_FILENO),
		.interval = cmd_env_long("CCAPPLY_PROGRESS_SECONDS", PROGRESS_SECONDS_DEFAULT),
		.rate_count = run.args.rate_count ? run.args.rate_count : CLIENT_CREATE_RATE_COUNT,
		.rate_seconds = run.args.rate_seconds ? run.args.rate_seconds :
			CLIENT_CREATE_RATE_SECONDS,
	};
	iso_now(run.date);
	install_signal_handlers();
	rc = prepare(&run);
	if (!rc)
		rc = run_applier(&run);
	run_free(&run);
	return rc;
}

static const struct opt_spec apply_options[] = {
	{ .name = "PLANFILE", .kind = OPT_POSITIONAL, .path = true, .complete = COMPLETE_FILE,
	  .help = "a plan saved with 'ccapply plan --out'; refuse if\n"
		  "the live state no longer matches it" },
	{ .name = "--auto-approve", .help = "do not ask for confirmation (needed without a terminal)" },
	{ .name = "--ack", .value = "CODES|all", .kind = OPT_LIST, .complete = COMPLETE_WORDS,
	  .words = "all",
	  .help = "acknowledge the report's warnings: comma-separated\n"
		  "codes, or all; repeat it to add more. REASON or\n"
		  "REASON:NAME accepts a skip (ccapply(1), ACKNOWLEDGMENTS)" },
	{ .name = "--json", .help = "one JSON event per line instead of text" },
	{ .name = "--create-rate", .value = "N/SECONDS", .kind = OPT_VALUE,
	  .complete = COMPLETE_WORDS, .words = CREATE_RATE_DEFAULT,
	  .help = "at most N connection creates per SECONDS\n(default " CREATE_RATE_DEFAULT ")" },
	{ 0 },
};

const struct command_spec cmd_apply_spec = {
	.name = "apply",
	.summary = "create what is missing, record results.md and ccapply.lock",
	.description =
		"Run the gates, compute the plan, ask for 'yes', then create each missing\n"
		"connection (paused, no setup tests, credentials empty) and Quickstart\n"
		"transformation, recording .copy-connections/results.md and ccapply.lock\n"
		"after each. Never modifies or deletes; re-running creates nothing twice.",
	.after = "Exit status: 0 done, 1 refused or error, 3 some resource failed or was\n"
		 "skipped (but for skips --ack accepts), 64 usage error (an --ack code the\n"
		 "report does not have), 130 interrupted (run apply again to continue).",
	.options = apply_options,
	.run = run_apply,
};
