/*
 * mcp.c — `ccapply mcp`: a Model Context Protocol server on stdin/stdout,
 * whose tools are ccapply's commands (docs/mcp.md).
 *
 * The protocol (JSON-RPC framing, lifecycle, tool list and argument checks)
 * is mcp/; this file is the server around it: the I/O loop, the tool table
 * and how each tool runs.
 *
 * Each tools/call runs the command itself — `ccapply -C DIR [--api-url URL]
 * plan --json`, `apply --json --auto-approve --ack=...`, ... — as a child
 * process of this binary, with stdin from /dev/null (it never prompts), its
 * stdout (the --json output) read into the result and its stderr passed on
 * to ours. So a tool keeps every guarantee of the command line (gates,
 * acknowledgments, the apply lock, the journal, results.md, ccapply.lock)
 * by running the same code, its structuredContent is the --json output
 * (checked against the same docs/schemas file, compiled in as its
 * outputSchema), nothing a command prints can reach the protocol stream,
 * and `notifications/cancelled` is exactly Ctrl-C: the child gets SIGINT,
 * finishes and records the request in flight, and stops. Meanwhile the
 * loop keeps reading stdin (poll), so pings and cancellations are answered
 * while apply runs; tool calls run one at a time, in order, so a second
 * apply waits for the first instead of meeting its lock.
 *
 * apply's event lines become progress notifications when the call has a
 * progressToken. Writes are opt-in, as in Fivetran's own MCP server: apply
 * runs only when FIVETRAN_ALLOW_WRITES says true; otherwise the call is a
 * tool error naming the variable, and no process is started.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/common.h"
#include "cmd/options.h"
#include "cmd/plandoc.h"
#include "cmd/schemas.h"
#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "mcp/mcp.h"
#include "state/results.h"

#define CHILD_OUTPUT_MAX ((size_t)256 << 20) /* a --json output larger than this is an error */
#define STDERR_KEEP 8192                      /* the tail of a child's stderr kept for messages */

/* ---- the tools ---------------------------------------------------------- */

struct strvec {
	char **v;
	size_t n, cap;
};

static void strvec_push(struct strvec *s, const char *str)
{
	s->v = xgrow(s->v, &s->cap, s->n + 2, sizeof *s->v);
	s->v[s->n++] = xstrdup(str);
	s->v[s->n] = NULL;
}

enum output {
	OUT_DOCUMENT, /* stdout is one JSON object: the structured content */
	OUT_EVENTS,   /* one JSON object a line (apply): {"events": [...]} */
	OUT_RESULTS,  /* no command: the text of results.md */
};

struct tool_def {
	const char *name, *title, *description;
	const struct mcp_arg *args;
	bool read_only;
	const char *schema;        /* docs/schemas/NAME.schema.json */
	const char *const *words;  /* the command and its fixed options */
	enum output output;
	/* Command-line options from the checked arguments. */
	void (*options)(const struct value *args, struct strvec *argv);
	/* A short text rendering of the structured content. */
	void (*render)(struct buf *text, const struct value *doc);
};

static const struct mcp_arg no_args[] = { { .name = NULL } };

static const struct mcp_arg plan_args[] = {
	{ .name = "out", .kind = MCP_ARG_STRING,
	  .description =
	  "Also save the plan to this file (a relative path is taken inside the server's "
	  "-C DIR), for apply's saved_plan: apply then refuses if the live state no longer "
	  "matches what was reviewed." },
	{ .name = NULL },
};

static const struct mcp_arg apply_args[] = {
	{ .name = "acknowledge", .kind = MCP_ARG_CODES,
	  .description =
	  "The validation report's warning codes the user has acknowledged, or \"all\". "
	  "apply refuses while a warning is not acknowledged; it never prompts." },
	{ .name = "saved_plan", .kind = MCP_ARG_STRING,
	  .description =
	  "A plan file saved by the plan tool's out: apply refuses if the live state no "
	  "longer matches it." },
	{ .name = NULL },
};

static const struct mcp_arg show_args[] = {
	{ .name = "name", .kind = MCP_ARG_STRING, .required = true,
	  .description =
	  "The resource: its name, or connection/NAME or transformation/NAME." },
	{ .name = NULL },
};

static void plan_options(const struct value *args, struct strvec *argv)
{
	const char *out = value_get_string(args, "out");

	if (out) {
		strvec_push(argv, "--out");
		strvec_push(argv, out);
	}
}

/* A path given to a command as an operand: "./" keeps "-x" from reading as
 * an option. */
static void push_path(struct strvec *argv, const char *path)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s%s", path[0] == '-' ? "./" : "", path);
	strvec_push(argv, b.data);
	buf_free(&b);
}

static void apply_options(const struct value *args, struct strvec *argv)
{
	const struct value *ack = value_get(args, "acknowledge");
	const char *saved = value_get_string(args, "saved_plan");
	struct buf b = BUF_INIT;
	size_t i;

	if (ack && ack->type == VALUE_STRING) {
		strvec_push(argv, "--ack=all");
	} else if (ack && ack->u.arr.n) {
		buf_puts(&b, "--ack=");
		for (i = 0; i < ack->u.arr.n; i++)
			buf_printf(&b, "%s%s", i ? "," : "", ack->u.arr.items[i]->u.str.ptr);
		strvec_push(argv, b.data);
	}
	if (saved)
		push_path(argv, saved);
	buf_free(&b);
}

static void show_options(const struct value *args, struct strvec *argv)
{
	strvec_push(argv, value_get_string(args, "name"));
}

static void render_plan(struct buf *text, const struct value *doc);
static void render_apply(struct buf *text, const struct value *doc);
static void render_status(struct buf *text, const struct value *doc);
static void render_validate(struct buf *text, const struct value *doc);
static void render_results(struct buf *text, const struct value *doc);
static void render_json(struct buf *text, const struct value *doc);
static void render_verify(struct buf *text, const struct value *doc);

static const char *const w_validate[] = { "validate", "--json", NULL };
static const char *const w_plan[] = { "plan", "--json", NULL };
static const char *const w_apply[] = { "apply", "--json", "--auto-approve", NULL };
static const char *const w_status[] = { "status", "--json", NULL };
static const char *const w_state_list[] = { "state", "list", "--json", NULL };
static const char *const w_state_show[] = { "state", "show", "--json", NULL };
static const char *const w_state_verify[] = { "state", "verify", "--json", NULL };

static const struct tool_def tool_defs[] = {
	{ .name = "validate", .title = "Validate the inputs",
	  .description =
	  "Run ccapply's input gates offline, without credentials: copy_plan.yaml and "
	  "validation_report.yaml present and well-formed, the report made for this very plan "
	  "(checksum), its status pass or pass-with-warnings. Lists the warnings apply will "
	  "need acknowledged.",
	  .args = no_args, .read_only = true, .schema = "validate", .words = w_validate,
	  .output = OUT_DOCUMENT, .render = render_validate },
	{ .name = "plan", .title = "Plan the copy",
	  .description =
	  "Read-only: run the gates, read the target Fivetran group (GET requests only) and "
	  "diff: what apply would create (+), what already exists (=), what it would skip (!) "
	  "and why. Show it to the user before calling apply.",
	  .args = plan_args, .read_only = true, .schema = "plan", .words = w_plan,
	  .output = OUT_DOCUMENT, .options = plan_options, .render = render_plan },
	{ .name = "apply", .title = "Create what is missing",
	  .description =
	  "Create each missing connection (paused, no setup tests, no credentials) and "
	  "Quickstart transformation in the target group, one at a time, recording "
	  "results.md and ccapply.lock after each. Never modifies or deletes; calling it again "
	  "creates nothing twice. Needs FIVETRAN_ALLOW_WRITES=true in the server's "
	  "environment. Cancelling it finishes and records the request in flight, then stops.",
	  .args = apply_args, .words = w_apply,
	  .output = OUT_EVENTS, .options = apply_options, .render = render_apply },
	{ .name = "status", .title = "Status of what was created",
	  .description =
	  "Read-only: check what ccapply.lock records against Fivetran: still there, config "
	  "as sent, healthy.",
	  .args = no_args, .read_only = true, .schema = "status", .words = w_status,
	  .output = OUT_DOCUMENT, .render = render_status },
	{ .name = "results", .title = "Read results.md",
	  .description =
	  "The text of .copy-connections/results.md: what apply did, per resource, with "
	  "dashboard links and the next steps (credentials, schema, unpausing).",
	  .args = no_args, .read_only = true, .schema = "results",
	  .output = OUT_RESULTS, .render = render_results },
	{ .name = "state_verify", .title = "Verify the state file",
	  .description =
	  "Offline: check ccapply.lock's digest (or MAC), its entries, its plan checksum "
	  "against copy_plan.yaml, the journal's hash chain, and that replaying the journal "
	  "gives the recorded outcomes.",
	  .args = no_args, .read_only = true, .schema = "state-verify", .words = w_state_verify,
	  .output = OUT_DOCUMENT, .render = render_verify },
	{ .name = "state_list", .title = "List the state",
	  .description =
	  "Offline: every resource ccapply.lock records, with its outcome and id.",
	  .args = no_args, .read_only = true, .schema = "state-list", .words = w_state_list,
	  .output = OUT_DOCUMENT, .render = render_json },
	{ .name = "state_show", .title = "Show one resource of the state",
	  .description =
	  "Offline: everything ccapply.lock records about one resource.",
	  .args = show_args, .read_only = true, .schema = "state-show", .words = w_state_show,
	  .output = OUT_DOCUMENT, .options = show_options, .render = render_json },
};

#define N_TOOLS (sizeof tool_defs / sizeof tool_defs[0])

/* ---- output schemas ----------------------------------------------------- */

const char *cmd_schema_text(const char *name)
{
	const struct cmd_schema *s;

	for (s = cmd_schemas; s->name; s++)
		if (!strcmp(s->name, name))
			return s->text;
	return NULL;
}

/* apply --json is a stream of events (apply-event.schema.json, one per
 * line); an MCP result is one object, so apply's structured content is
 * {"events": [...]}, each item valid against that same schema. */
static char *apply_output_schema(struct err *err)
{
	const char *text = cmd_schema_text("apply-event");
	struct value *event, *wrap, *props, *events, *required;
	struct buf b = BUF_INIT;
	size_t i;

	if (!text)
		return err_set(err, "docs/schemas/apply-event.schema.json is not compiled in"),
		       NULL;
	if (json_parse(text, strlen(text), &event, err))
		return NULL;
	for (i = 0; event->type == VALUE_OBJECT && i < event->u.obj.n;)
		if (!strcmp(event->u.obj.items[i].key, "$schema") ||
		    !strcmp(event->u.obj.items[i].key, "$id")) {
			free(event->u.obj.items[i].key);
			value_free(event->u.obj.items[i].val);
			memmove(&event->u.obj.items[i], &event->u.obj.items[i + 1],
				(event->u.obj.n - i - 1) * sizeof event->u.obj.items[0]);
			event->u.obj.n--;
		} else {
			i++;
		}
	wrap = value_new_object();
	value_object_put_c(wrap, "$schema",
			   value_new_cstring("http://json-schema.org/draft-07/schema#"));
	value_object_put_c(wrap, "title", value_new_cstring("the apply tool of ccapply mcp"));
	value_object_put_c(wrap, "description", value_new_cstring(
		"The lines apply --json printed, in order: each an event of "
		"docs/schemas/apply-event.schema.json."));
	value_object_put_c(wrap, "type", value_new_cstring("object"));
	props = value_new_object();
	events = value_new_object();
	value_object_put_c(events, "type", value_new_cstring("array"));
	value_object_put_c(events, "items", event);
	value_object_put_c(props, "events", events);
	value_object_put_c(wrap, "properties", props);
	required = value_new_array();
	value_array_push(required, value_new_cstring("events"));
	value_object_put_c(wrap, "required", required);
	value_object_put_c(wrap, "additionalProperties", value_new_bool(false));
	json_write(&b, wrap, JSON_COMPACT);
	value_free(wrap);
	return buf_detach(&b);
}

/* The mcp_tool table for mcp/, with each output schema; schema texts the
 * caller frees are collected in owned[]. */
static int build_tools(struct mcp_tool *tools, char **owned, struct err *err)
{
	size_t i;

	for (i = 0; i < N_TOOLS; i++) {
		const struct tool_def *d = &tool_defs[i];
		tools[i] = (struct mcp_tool){
			.name = d->name, .title = d->title, .description = d->description,
			.args = d->args, .read_only = d->read_only,
		};
		if (d->schema) {
			tools[i].output_schema = cmd_schema_text(d->schema);
			if (!tools[i].output_schema)
				return err_set(err, "docs/schemas/%s.schema.json is not compiled in",
					       d->schema);
		} else if (!(tools[i].output_schema = owned[i] = apply_output_schema(err))) {
			return -1;
		}
	}
	return 0;
}

/* ---- text renderings ---------------------------------------------------- */

/* A string member for a message: "" when absent. */
static const char *sget(const struct value *v, const char *key)
{
	const char *s = value_get_string(v, key);

	return s ? s : "";
}

static void render_json(struct buf *text, const struct value *doc)
{
	json_write(text, doc, JSON_PRETTY);
}

/* As `ccapply state verify` prints it. */
static void render_verify(struct buf *text, const struct value *doc)
{
	const struct value *checks = value_get(doc, "checks");
	size_t i, failed = 0, n = checks && checks->type == VALUE_ARRAY ? checks->u.arr.n : 0;

	for (i = 0; i < n; i++) {
		const struct value *c = checks->u.arr.items[i], *ok = value_get(c, "ok");
		bool good = ok && ok->type == VALUE_BOOL && ok->u.boolean;
		failed += !good;
		buf_printf(text, "%s: %s%s%s\n", sget(c, "check"), good ? "ok (" : "FAILED: ",
			   sget(c, "message"), good ? ")" : "");
	}
	if (failed)
		buf_printf(text, "verify: %zu of %zu checks FAILED\n", failed, n);
	else
		buf_printf(text, "verify: all %zu checks passed\n", n);
}

static void render_plan(struct buf *text, const struct value *doc)
{
	struct global_options plain = { .dir = ".", .color = false };
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);

	if (!f) {
		render_json(text, doc);
		return;
	}
	plandoc_render_text(f, doc, &plain);
	fclose(f);
	buf_append(text, data, len);
	free(data);
}

static void render_validate(struct buf *text, const struct value *doc)
{
	const struct value *pre = value_get(doc, "preflight");
	const struct value *warnings = value_get(pre, "warnings");
	size_t i, n = warnings && warnings->type == VALUE_ARRAY ? warnings->u.arr.n : 0;

	buf_printf(text, "The inputs pass the gates: validation status %s, plan checksum %s.\n",
		   sget(pre, "validation_status"),
		   sget(pre, "plan_checksum"));
	if (!n)
		return;
	buf_printf(text, "%zu warning%s to acknowledge before apply:\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct value *w = warnings->u.arr.items[i];
		buf_printf(text, "  - %s: %s\n", sget(w, "code"),
			   sget(w, "message"));
	}
}

static long long get_int(const struct value *v, const char *key)
{
	const struct value *n = value_get(v, key);

	return n && n->type == VALUE_NUMBER ? strtoll(n->u.number, NULL, 10) : 0;
}

static void render_apply(struct buf *text, const struct value *doc)
{
	const struct value *events = value_get(doc, "events");
	size_t i;

	for (i = 0; events && i < events->u.arr.n; i++) {
		const struct value *e = events->u.arr.items[i];
		const char *what = value_get_string(e, "event");
		if (what && !strcmp(what, "resource")) {
			buf_printf(text, "%s %s: %s", sget(e, "kind"),
				   sget(e, "name"), sget(e, "outcome"));
			if (value_get_string(e, "id"))
				buf_printf(text, " (id %s)", sget(e, "id"));
			if (value_get_string(e, "reason"))
				buf_printf(text, " %s", sget(e, "reason"));
			if (value_get_string(value_get(e, "error"), "message"))
				buf_printf(text, ": %s",
					   sget(value_get(e, "error"), "message"));
			buf_putc(text, '\n');
		} else if (what && !strcmp(what, "done")) {
			buf_printf(text, "Apply %s: %lld created, %lld already existed, %lld "
				   "skipped, %lld failed, %lld not attempted.\n",
				   sget(e, "result"), get_int(e, "created"),
				   get_int(e, "already_exists"), get_int(e, "skipped"),
				   get_int(e, "failed"), get_int(e, "pending"));
		}
	}
	buf_puts(text, "results.md and ccapply.lock record it (the results tool shows "
		 "results.md).\n");
}

/* One line per resource (state, id, differing paths), then the counts, as
 * `ccapply status` ends. */
static void render_status(struct buf *text, const struct value *doc)
{
	const struct value *res = value_get(doc, "resources"), *sum = value_get(doc, "summary");
	size_t i, k;

	for (i = 0; res && res->type == VALUE_ARRAY && i < res->u.arr.n; i++) {
		const struct value *r = res->u.arr.items[i], *diff = value_get(r, "differences");
		buf_printf(text, "%s %s: %s", sget(r, "kind"),
			   sget(r, "name"), sget(r, "state"));
		if (value_get_string(r, "id"))
			buf_printf(text, " (id %s)", sget(r, "id"));
		if (value_get(value_get(r, "health"), "broken") &&
		    value_get(value_get(r, "health"), "broken")->type == VALUE_BOOL &&
		    value_get(value_get(r, "health"), "broken")->u.boolean)
			buf_puts(text, ", broken");
		for (k = 0; diff && diff->type == VALUE_ARRAY && k < diff->u.arr.n; k++)
			buf_printf(text, "%s %s", k ? "," : "; differs at",
				   sget(diff->u.arr.items[k], "path"));
		buf_putc(text, '\n');
	}
	buf_printf(text, "Status: %lld ok, %lld drifted, %lld missing, %lld broken, %lld not "
		   "checked.\n", get_int(sum, "ok"), get_int(sum, "drifted"),
		   get_int(sum, "missing"), get_int(sum, "broken"), get_int(sum, "not_checked"));
}

static void render_results(struct buf *text, const struct value *doc)
{
	buf_puts(text, sget(doc, "text"));
}

/* ---- the server --------------------------------------------------------- */

struct job {
	struct mcp_call call;
	const struct tool_def *def;
	pid_t pid;
	int out_fd, err_fd;   /* -1 once closed */
	struct buf out;       /* the child's stdout */
	struct buf err_tail;  /* the end of its stderr */
	size_t out_seen;      /* bytes of out already looked at for event lines */
	bool cancelled, overflow;
	double progress;      /* the last progress value sent */
	int steps;            /* notifications since the last finished resource */
	struct job *next;
};

struct server {
	const struct global_options *g;
	char self[PATH_MAX];  /* this binary, for the children */
	struct mcp_server *mcp;
	struct mcp_reader reader;
	struct job *running, *queue;
	bool stdin_eof, out_broken;
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* Write out to stdout in full; a client that went away ends the session. */
static void send_out(struct server *s, struct buf *out)
{
	size_t off = 0;

	while (!s->out_broken && off < out->len) {
		ssize_t n = write(STDOUT_FILENO, out->data + off, out->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cmd_error("mcp: the client stopped reading (%s); stopping",
				  n < 0 ? strerror(errno) : "short write");
			s->out_broken = true;
			break;
		}
		off += (size_t)n;
	}
	buf_reset(out);
}

static void job_free(struct job *j)
{
	mcp_call_free(&j->call);
	buf_free(&j->out);
	buf_free(&j->err_tail);
	free(j);
}

/* FIVETRAN_ALLOW_WRITES read as the command line reads it; but where an
 * unset variable lets the command line write, the server needs it said. */
static bool writes_allowed(struct buf *why)
{
	const char *v = getenv("FIVETRAN_ALLOW_WRITES");
	enum writes_policy policy;
	struct err err;

	if (!cmd_writes_policy_from_env(&policy, &err) && policy == WRITES_ALLOWED)
		return true;
	buf_printf(why, "apply refused: writes are off. The MCP server writes to Fivetran only "
		   "when its environment has FIVETRAN_ALLOW_WRITES=true (it is %s%s%s); set it "
		   "in the server's configuration (docs/mcp.md) and restart the server. Nothing "
		   "was sent.", v ? "\"" : "", v ? v : "unset", v ? "\"" : "");
	return false;
}

static void child_exec(const struct server *s, const struct job *j, int out_pipe[2],
		       int err_pipe[2])
{
	struct strvec argv = { 0 };
	const char *const *w;
	int devnull = open("/dev/null", O_RDONLY);

	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(out_pipe[1], STDOUT_FILENO) < 0 || dup2(err_pipe[1], STDERR_FILENO) < 0)
		_exit(127);
	if (devnull > STDERR_FILENO)
		close(devnull);
	/* Its own process group: a Ctrl-C meant for the server reaches the
	 * command once, forwarded, not twice (a second SIGINT ends apply at
	 * once). */
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	strvec_push(&argv, s->self);
	strvec_push(&argv, "--no-color");
	strvec_push(&argv, "-C");
	strvec_push(&argv, s->g->dir);
	if (s->g->api_url) {
		strvec_push(&argv, "--api-url");
		strvec_push(&argv, s->g->api_url);
	}
	if (s->g->verbose)
		strvec_push(&argv, s->g->verbose > 1 ? "--debug" : "-v");
	for (w = j->def->words; *w; w++)
		strvec_push(&argv, *w);
	if (j->def->options)
		j->def->options(j->call.args, &argv);
	execv(s->self, argv.v);
	fprintf(stderr, "ccapply: mcp: cannot run %s: %s\n", s->self, strerror(errno));
	_exit(127);
}

/* A pipe whose ends later children do not inherit. */
static int cloexec_pipe(int fds[2])
{
	if (pipe(fds))
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Start the job's command; -1 with a message in why when it cannot be. */
static int job_start(struct server *s, struct job *j, struct buf *why)
{
	int out_pipe[2], err_pipe[2];

	if (cloexec_pipe(out_pipe)) {
		buf_printf(why, "cannot start %s: %s", j->def->name, strerror(errno));
		return -1;
	}
	if (cloexec_pipe(err_pipe)) {
		buf_printf(why, "cannot start %s: %s", j->def->name, strerror(errno));
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -1;
	}
	fflush(NULL);
	j->pid = fork();
	if (j->pid == 0)
		child_exec(s, j, out_pipe, err_pipe);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (j->pid < 0) {
		buf_printf(why, "cannot start %s: %s", j->def->name, strerror(errno));
		close(out_pipe[0]);
		close(err_pipe[0]);
		return -1;
	}
	j->out_fd = out_pipe[0];
	j->err_fd = err_pipe[0];
	return 0;
}

static void send_progress(struct server *s, struct job *j, double progress, const char *msg)
{
	struct buf out = BUF_INIT;

	if (!j->call.progress_token || j->cancelled || progress <= j->progress)
		return;
	j->progress = progress;
	mcp_progress(&out, j->call.progress_token, progress, 0, msg);
	send_out(s, &out);
	buf_free(&out);
}

/* One apply event line: a progress notification. Progress counts finished
 * resources; the steps inside one (start, waits) approach the next whole
 * number without reaching it, so the value always increases. */
static void apply_event(struct server *s, struct job *j, const char *line, size_t len)
{
	struct value *e;
	struct err err;
	struct buf msg = BUF_INIT;
	const char *what;
	long long index;

	if (json_parse(line, len, &e, &err))
		return; /* reported when the call ends */
	what = value_get_string(e, "event");
	index = get_int(e, "index");
	if (what && !strcmp(what, "start")) {
		buf_printf(&msg, "creating %s %s", sget(e, "kind"), sget(e, "name"));
	} else if (what && !strcmp(what, "wait")) {
		buf_printf(&msg, "waiting %lld s (%s)", get_int(e, "seconds"), sget(e, "reason"));
	} else if (what && !strcmp(what, "resource")) {
		buf_printf(&msg, "%s %s: %s", sget(e, "kind"), sget(e, "name"), sget(e, "outcome"));
		j->steps = 0;
		send_progress(s, j, (double)index + 1, msg.data);
	}
	if (msg.len && j->steps < 40 && (!what || strcmp(what, "resource"))) {
		double base = (double)(long long)j->progress;
		j->steps++;
		send_progress(s, j, base + 1 - 1.0 / (double)(1LL << j->steps), msg.data);
	}
	buf_free(&msg);
	value_free(e);
}

static void read_child_out(struct server *s, struct job *j)
{
	char chunk[65536];
	ssize_t n = read(j->out_fd, chunk, sizeof chunk);
	char *nl;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(j->out_fd);
		j->out_fd = -1;
		return;
	}
	if (j->out.len + (size_t)n > CHILD_OUTPUT_MAX) {
		j->overflow = true;
		return;
	}
	buf_append(&j->out, chunk, (size_t)n);
	if (j->def->output != OUT_EVENTS)
		return;
	while ((nl = memchr(j->out.data + j->out_seen, '\n', j->out.len - j->out_seen))) {
		apply_event(s, j, j->out.data + j->out_seen,
			    (size_t)(nl - (j->out.data + j->out_seen)));
		j->out_seen = (size_t)(nl - j->out.data) + 1;
	}
}

static void read_child_err(struct job *j)
{
	char chunk[8192];
	ssize_t n = read(j->err_fd, chunk, sizeof chunk);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(j->err_fd);
		j->err_fd = -1;
		return;
	}
	/* Diagnostics stay diagnostics: on to our stderr, and the tail kept. */
	if (write(STDERR_FILENO, chunk, (size_t)n) < 0) {
		/* nobody to tell */
	}
	buf_append(&j->err_tail, chunk, (size_t)n);
	if (j->err_tail.len > STDERR_KEEP) {
		size_t cut = j->err_tail.len - STDERR_KEEP;
		memmove(j->err_tail.data, j->err_tail.data + cut, STDERR_KEEP);
		j->err_tail.len = STDERR_KEEP;
		j->err_tail.data[j->err_tail.len] = '\0';
	}
}

/* The structured content from the child's stdout, or NULL with why set. */
static struct value *parse_output(const struct job *j, struct buf *why)
{
	struct value *doc = NULL, *events, *e;
	struct err err;
	const char *p = j->out.data ? j->out.data : "", *end = p + j->out.len, *nl;

	if (j->overflow) {
		buf_printf(why, "%s printed more than %zu bytes", j->def->name, CHILD_OUTPUT_MAX);
		return NULL;
	}
	if (j->def->output == OUT_DOCUMENT) {
		if (json_parse(p, j->out.len, &doc, &err)) {
			buf_printf(why, "%s --json printed no JSON document: %s", j->def->name,
				   err.msg);
			return NULL;
		}
		return doc;
	}
	events = value_new_array();
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl == p)
			continue;
		if (json_parse(p, (size_t)(nl - p), &e, &err)) {
			buf_printf(why, "apply --json printed a line that is not JSON: %s", err.msg);
			value_free(events);
			return NULL;
		}
		value_array_push(events, e);
	}
	doc = value_new_object();
	value_object_put_c(doc, "events", events);
	return doc;
}

/* The error object a --json command ends with on failure, if any. */
static const struct value *error_object(const struct value *doc)
{
	const struct value *events = value_get(doc, "events"), *last;

	if (events && events->u.arr.n) {
		last = events->u.arr.items[events->u.arr.n - 1];
		return value_get(last, "error") && !value_get(last, "event") ?
		       value_get(last, "error") : NULL;
	}
	return value_get(doc, "error") && value_get(doc, "error")->type == VALUE_OBJECT &&
	       !value_get(doc, "format_version") ? value_get(doc, "error") : NULL;
}

/* Which exit statuses are a finished tool run rather than an error: apply,
 * status and state_verify report failed resources, drift and failed checks
 * in their structured content (docs/mcp.md). A command that could not run
 * prints the error object instead, which error_object() finds. */
static bool status_ok(const struct job *j, int status)
{
	if (status == EXIT_OK)
		return true;
	if (!strcmp(j->def->name, "apply"))
		return status == EXIT_INCOMPLETE;
	if (!strcmp(j->def->name, "status"))
		return status == EXIT_CHANGES;
	if (!strcmp(j->def->name, "state_verify"))
		return status == EXIT_ERROR; /* checks failed: its document says which */
	return false;
}

static void job_finish(struct server *s, struct job *j, int wstatus)
{
	int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	struct buf text = BUF_INIT, why = BUF_INIT, out = BUF_INIT;
	struct value *doc = parse_output(j, &why);
	const struct value *error = doc ? error_object(doc) : NULL;

	if (j->cancelled) {
		/* No response to a cancelled request (the spec's rule); what it
		 * did is recorded in results.md and ccapply.lock. */
		value_free(doc);
		buf_free(&why);
		return;
	}
	if (doc && !error && status_ok(j, status)) {
		j->def->render(&text, doc);
		mcp_tool_result(&out, j->call.id, text.data ? text.data : "", doc, false);
	} else {
		if (error)
			buf_printf(&text, "%s failed (%s): %s", j->def->name, sget(error, "code"),
				   sget(error, "message"));
		else if (!status_ok(j, status) && j->err_tail.len)
			buf_printf(&text, "%s failed (exit status %d): %s", j->def->name, status,
				   j->err_tail.data + (strncmp(j->err_tail.data, "ccapply: ", 9) ?
						       0 : 9));
		else
			buf_printf(&text, "%s failed (exit status %d)%s%s", j->def->name, status,
				   why.len ? ": " : "", why.len ? why.data : "");
		if (doc && !strcmp(j->def->name, "apply")) {
			/* What an apply that ended with an error did still matters. */
			buf_puts(&text, "\n");
			render_apply(&text, doc);
		}
		value_free(doc);
		mcp_tool_result(&out, j->call.id, text.data, NULL, true);
	}
	send_out(s, &out);
	buf_free(&out);
	buf_free(&text);
	buf_free(&why);
}

/* results: no command prints results.md as JSON; read it here. */
static void run_results(struct server *s, struct job *j)
{
	const char *path = s->g->ws.results;
	struct buf text = BUF_INIT, out = BUF_INIT, msg = BUF_INIT;
	struct value *doc;
	struct err err;

	if (fileio_read_input(path, 0, &text, &err)) {
		if (err.code == ENOENT)
			buf_printf(&msg, "no results.md at %s: apply has not run in this "
				   "directory yet", path);
		else
			buf_printf(&msg, "cannot read %s", err.msg);
		mcp_tool_result(&out, j->call.id, msg.data, NULL, true);
	} else {
		doc = value_new_object();
		value_object_put_c(doc, "path", value_new_cstring(path));
		value_object_put(doc, "text", 4, value_new_string(text.data ? text.data : "",
								  text.len));
		mcp_tool_result(&out, j->call.id, text.data ? text.data : "", doc, false);
	}
	send_out(s, &out);
	buf_free(&out);
	buf_free(&msg);
	buf_free(&text);
}

/* Start the next queued call; calls that need no process finish at once. */
static void start_next(struct server *s)
{
	while (!s->running && s->queue) {
		struct job *j = s->queue;
		struct buf why = BUF_INIT, out = BUF_INIT;

		s->queue = j->next;
		if (j->def->output == OUT_RESULTS) {
			run_results(s, j);
			job_free(j);
		} else if (!j->def->read_only && !writes_allowed(&why)) {
			mcp_tool_result(&out, j->call.id, why.data, NULL, true);
			send_out(s, &out);
			job_free(j);
		} else if (job_start(s, j, &why)) {
			mcp_tool_result(&out, j->call.id, why.data, NULL, true);
			send_out(s, &out);
			job_free(j);
		} else {
			s->running = j;
		}
		buf_free(&why);
		buf_free(&out);
	}
}

static void enqueue(struct server *s, struct mcp_call *call)
{
	struct job *j = xcalloc(1, sizeof *j), **tail = &s->queue;

	j->call = *call;
	j->def = &tool_defs[call->tool];
	j->out_fd = j->err_fd = -1;
	while (*tail)
		tail = &(*tail)->next;
	*tail = j;
}

static void cancel(struct server *s, const struct value *id)
{
	struct job **p;

	if (s->running && value_equal(s->running->call.id, id)) {
		if (!s->running->cancelled)
			kill(s->running->pid, SIGINT);
		s->running->cancelled = true;
		return;
	}
	for (p = &s->queue; *p; p = &(*p)->next)
		if (value_equal((*p)->call.id, id)) {
			struct job *j = *p;
			*p = j->next;
			job_free(j);
			return;
		}
}

static void read_stdin(struct server *s)
{
	char chunk[65536];
	ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
	struct buf out = BUF_INIT;
	const char *line;
	size_t len;
	enum mcp_read r;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		s->stdin_eof = true;
	else
		mcp_reader_feed(&s->reader, chunk, (size_t)n);
	while (!s->out_broken && (r = mcp_reader_next(&s->reader, s->stdin_eof, &line, &len))) {
		struct mcp_call call;

		if (r == MCP_READ_OVERLONG) {
			mcp_server_overlong(s->mcp, &out);
		} else {
			switch (mcp_server_handle(s->mcp, line, len, &out, &call)) {
			case MCP_ACT_CALL:
				enqueue(s, &call);
				break;
			case MCP_ACT_CANCEL:
				cancel(s, call.id);
				mcp_call_free(&call);
				break;
			case MCP_ACT_NONE:
				break;
			}
		}
		send_out(s, &out);
		start_next(s);
	}
	buf_free(&out);
}

/* The client is gone, or we were told to stop: no one will read results,
 * but a running apply must still stop the safe way. */
static void stop_running(struct server *s)
{
	struct job *j;

	if (s->running && !s->running->cancelled) {
		kill(s->running->pid, SIGINT);
		s->running->cancelled = true;
	}
	while ((j = s->queue)) {
		s->queue = j->next;
		job_free(j);
	}
}

static void serve(struct server *s)
{
	for (;;) {
		struct pollfd fds[3];
		nfds_t n = 0;
		int in = -1, out = -1, err = -1;
		struct job *j = s->running;

		/* End of input: answer what was asked, then exit. A client that
		 * stopped reading, or SIGINT/SIGTERM: stop the running call the
		 * safe way (as a cancellation) and drop the queue. */
		if (stop_signal || s->out_broken)
			stop_running(s);
		if (!j && (s->stdin_eof || s->out_broken || stop_signal))
			return;
		if (!s->stdin_eof && !s->out_broken && !stop_signal) {
			in = (int)n;
			fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		}
		if (j && j->out_fd >= 0) {
			out = (int)n;
			fds[n++] = (struct pollfd){ .fd = j->out_fd, .events = POLLIN };
		}
		if (j && j->err_fd >= 0) {
			err = (int)n;
			fds[n++] = (struct pollfd){ .fd = j->err_fd, .events = POLLIN };
		}
		if (j && out < 0 && err < 0) {
			int wstatus;
			if (waitpid(j->pid, &wstatus, 0) < 0 && errno == EINTR)
				continue;
			s->running = NULL;
			if (!s->out_broken)
				job_finish(s, j, wstatus);
			job_free(j);
			start_next(s);
			continue;
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			cmd_error("mcp: poll: %s", strerror(errno));
			stop_signal = SIGTERM;
			continue;
		}
		if (out >= 0 && fds[out].revents)
			read_child_out(s, j);
		if (err >= 0 && fds[err].revents)
			read_child_err(j);
		if (in >= 0 && fds[in].revents)
			read_stdin(s);
	}
}

static int find_self(char *self, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", self, size - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	return 0;
}

static int run_mcp(const struct cmd_args *a, const struct global_options *g)
{
	struct mcp_tool tools[N_TOOLS];
	char *owned[N_TOOLS] = { 0 };
	struct server s = { .g = g };
	struct mcp_server_info info = {
		.name = "ccapply", .version = CCAPPLY_VERSION, .tools = tools, .n_tools = N_TOOLS,
		.instructions = "ccapply copies Fivetran connections into a target group from "
				".copy-connections/copy_plan.yaml. Call plan and show the user "
				"what it would create; call apply only after the user agreed, "
				"acknowledging only the warnings the user acknowledged. apply "
				"never modifies or deletes and never creates twice.",
	};
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct err err;
	size_t i;
	int rc = EXIT_OK;

	(void)a;
	if (find_self(s.self, sizeof s.self)) {
		cmd_error("mcp: cannot find this program's path (/proc/self/exe): %s",
			  strerror(errno));
		return EXIT_ERROR;
	}
	if (build_tools(tools, owned, &err) || !(s.mcp = mcp_server_new(&info, &err))) {
		cmd_error("mcp: %s", err.msg);
		rc = EXIT_ERROR;
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mcp_reader_init(&s.reader, 0);
	serve(&s);
	mcp_reader_free(&s.reader);
	mcp_server_free(s.mcp);
	if (stop_signal)
		rc = EXIT_INTERRUPTED;
out:
	for (i = 0; i < N_TOOLS; i++)
		free(owned[i]);
	return rc;
}

static const struct opt_spec mcp_options[] = { { 0 } };

const struct command_spec cmd_mcp_spec = {
	.name = "mcp",
	.summary = "serve the commands as MCP tools on stdin/stdout (docs/mcp.md)",
	.description =
		"Serve the Model Context Protocol on stdin and stdout (JSON-RPC 2.0, one message\n"
		"a line), for an MCP client such as Claude Desktop or Claude Code: the tools\n"
		"validate, plan, apply, status, results, state_verify, state_list and state_show\n"
		"run the commands of the same names in DIR, with --json, and return their output\n"
		"as structured content. apply writes only when the environment has\n"
		"FIVETRAN_ALLOW_WRITES=true. Diagnostics go to stderr.",
	.after = "Exit status: 0 when stdin closes, 130 when stopped by SIGINT or SIGTERM.",
	.options = mcp_options,
	.run = run_mcp,
};
