/*
 * state.c — `ccapply state list | show NAME | verify | sign`: what
 * ccapply.lock records, read the way an auditor reads it.
 *
 *   list     one line per resource (kind, name, outcome, Fivetran id)
 *   show     everything recorded about one resource
 *   verify   the file's own digest or MAC; its entries; its plan checksum
 *            against the current copy_plan.yaml; the journal's chain; and
 *            that replaying the journal gives the state's outcomes — one
 *            line per check, exit 0 only when every check holds
 *   sign     put the file under CCAPPLY_STATE_KEY (from a plain digest, or
 *            from the key in CCAPPLY_STATE_OLD_KEY), holding the apply lock
 *
 * All read-only but sign, and none touches the network. The file is loaded
 * by state/state.h, with the key policy it documents; verify calls the
 * loader's pieces one by one so that each check reports on its own even when
 * an earlier one failed. The key's value never reaches any output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/sanitize.h"
#include "state/journal.h"
#include "state/state.h"

#define OLD_KEY_ENV "CCAPPLY_STATE_OLD_KEY"
#define DASHBOARD_URL "https://fivetran.com/dashboard/connections/"

/* The state for list and show: EXIT_ERROR with a message when there is none
 * or it does not load. */
static int load_state(const struct workspace *ws, struct state **st)
{
	struct err err;

	if (state_load(ws->state, st, &err)) {
		cmd_fail("state_invalid", "%s", err.msg);
		return EXIT_ERROR;
	}
	if (!*st) {
		cmd_fail("no_state", "no state file at %s: nothing has been applied in this "
			 "directory yet (ccapply apply writes it)", ws->state);
		return EXIT_ERROR;
	}
	return 0;
}

/* ------------------------------------------------------------------ list */

static const char *outcome_text(const struct state_resource *r)
{
	return r->outcome == OUTCOME_CREATED && r->recovered ? "created (recovered)" :
	       resource_outcome_name(r->outcome);
}

static void list_text(const struct state *st)
{
	int wk = 4, wn = 4, wo = 7;
	size_t i;

	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		int k = (int)strlen(resource_kind_name(r->kind)), n = (int)strlen(r->name);
		int o = (int)strlen(outcome_text(r));
		wk = k > wk ? k : wk;
		wn = n > wn ? n : wn;
		wo = o > wo ? o : wo;
	}
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		printf("%-*s  %-*s  %-*s  %s\n", wk, resource_kind_name(r->kind), wn,
		       cmd_shown(r->name), wo, outcome_text(r), r->id ? cmd_shown(r->id) : "-");
	}
}

static void cmd_print_json(struct buf *b)
{
	buf_putc(b, '\n');
	fputs(b->data, stdout);
	buf_free(b);
}

static void list_json(const struct state *st)
{
	struct buf b = BUF_INIT;
	struct json_writer w;
	size_t i;

	jw_init(&w, &b, JSON_PRETTY);
	jw_object_begin(&w);
	jw_key(&w, "format_version");
	jw_int(&w, 1);
	jw_key(&w, "lineage");
	jw_string(&w, st->lineage);
	jw_key(&w, "serial");
	jw_int(&w, st->serial);
	jw_key(&w, "target");
	jw_object_begin(&w);
	jw_key(&w, "group_id");
	jw_string(&w, st->target_group_id);
	jw_key(&w, "group_name");
	jw_string(&w, st->target_group_name);
	jw_object_end(&w);
	jw_key(&w, "resources");
	jw_array_begin(&w);
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		jw_object_begin(&w);
		jw_key(&w, "kind");
		jw_string(&w, resource_kind_name(r->kind));
		jw_key(&w, "name");
		jw_string(&w, r->name);
		jw_key(&w, "outcome");
		jw_string(&w, resource_outcome_name(r->outcome));
		jw_key(&w, "id");
		jw_string(&w, r->id);
		jw_key(&w, "recovered");
		jw_bool(&w, r->recovered);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	cmd_print_json(&b);
}

/* ------------------------------------------------------------------ show */

/* The entry NAME names: an exact name, or KIND/NAME. NULL with a message
 * when there is none, or two (one of each kind). */
static const struct state_resource *find_named(struct state *st, const char *name)
{
	const struct state_resource *conn = state_find(st, RESOURCE_CONNECTION, name);
	const struct state_resource *tr = state_find(st, RESOURCE_TRANSFORMATION, name);
	const struct state_resource *r = NULL;
	const char *slash = strchr(name, '/');
	enum resource_kind kind;

	if (conn && tr) {
		cmd_fail("not_found", "state show: \"%s\" is both a connection and a "
			 "transformation; say connection/%s or transformation/%s", name, name,
			 name);
		return NULL;
	}
	if (conn || tr)
		return conn ? conn : tr;
	if (slash) {
		char *prefix = xstrndup(name, (size_t)(slash - name));
		if (resource_kind_parse(prefix, &kind))
			r = state_find(st, kind, slash + 1);
		free(prefix);
	}
	if (r)
		return r;
	cmd_fail("not_found", "state show: no resource named \"%s\" in the state (ccapply "
		 "state list shows what it records)", name);
	return NULL;
}

static void show_field(const char *label, const char *value)
{
	printf("  %-12s %s\n", label, value ? cmd_shown(value) : "-");
}

static void show_text(const struct state *st, const struct state_resource *r)
{
	struct buf b = BUF_INIT;

	printf("%s %s\n", resource_kind_name(r->kind), cmd_shown(r->name));
	show_field("outcome", resource_outcome_name(r->outcome));
	show_field("id", r->id);
	show_field("recovered", r->recovered ? "yes (created by an interrupted apply, adopted "
		   "later)" : "no");
	show_field("source_id", r->source_id);
	show_field("service", r->service);
	show_field("reason", r->reason);
	show_field("sent_digest", r->sent_digest);
	if (r->error.http_status || r->error.code || r->error.message) {
		if (r->error.http_status)
			buf_printf(&b, "HTTP %d ", r->error.http_status);
		if (r->error.code)
			buf_printf(&b, "%s: ", r->error.code);
		buf_puts(&b, r->error.message ? r->error.message : "");
		show_field("error", b.data);
		buf_free(&b);
	} else {
		show_field("error", NULL);
	}
	if (r->id && r->kind == RESOURCE_CONNECTION) {
		buf_printf(&b, DASHBOARD_URL "%s", r->id);
		show_field("dashboard", b.data);
		buf_free(&b);
	}
	show_field("target group", st->target_group_id);
	show_field("plan", st->plan_checksum);
	buf_printf(&b, "%lld (lineage %s)", st->serial, st->lineage);
	show_field("state serial", b.data);
	buf_free(&b);
}

/* The entry exactly as the state file holds it (docs/state-format.md), by
 * the file's own writer. */
static void show_json(const struct state_resource *r)
{
	struct buf b = BUF_INIT;
	struct json_writer w;

	jw_init(&w, &b, JSON_PRETTY);
	state_write_resource_json(&w, r);
	cmd_print_json(&b);
}

/* ---------------------------------------------------------------- verify */

struct checks {
	int run, failed;
	struct value *json; /* --json: the checks, as objects; else NULL (print them) */
};

static void check_line(struct checks *c, const char *name, bool ok, const char *text)
{
	struct buf shown = BUF_INIT;

	sanitize_append(&shown, text, SANITIZE_MULTILINE); /* quotes the file's content */
	c->run++;
	c->failed += !ok;
	if (c->json) {
		struct value *o = value_new_object();
		value_object_put_c(o, "check", value_new_cstring(name));
		value_object_put_c(o, "ok", value_new_bool(ok));
		value_object_put_c(o, "message", value_new_cstring(text));
		value_array_push(c->json, o);
	} else if (ok) {
		printf("%s: ok (%s)\n", name, buf_str(&shown));
	} else {
		printf("%s: FAILED: %s\n", name, buf_str(&shown));
	}
	buf_free(&shown);
}

static size_t count_created(const struct state *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->n_resources; i++)
		n += st->resources[i].outcome == OUTCOME_CREATED;
	return n;
}

static void verify_plan_checksum(struct checks *c, const struct workspace *ws, const struct state *st)
{
	char now[CHECKSUM_TEXT_MAX];
	enum digest_algo algo;
	struct buf msg = BUF_INIT;
	struct err err;
	bool ok = false;

	if (!st)
		buf_puts(&msg, "not checked: the state's entries could not be read");
	else if (digest_checksum_parse(st->plan_checksum, &algo, &err))
		buf_printf(&msg, "the state's plan_checksum: %s", err.msg);
	else if (digest_checksum_file(ws->plan, algo, now, &err))
		buf_printf(&msg, "%s", err.msg);
	else if (strcasecmp(now, st->plan_checksum))
		buf_printf(&msg, "copy_plan.yaml has changed since the apply that wrote this "
			   "state: the state records %s, the plan now hashes to %s",
			   st->plan_checksum, now);
	else {
		ok = true;
		buf_printf(&msg, "copy_plan.yaml matches %s", st->plan_checksum);
	}
	check_line(c, "plan checksum", ok, msg.data);
	buf_free(&msg);
}

/* Append each line of text to out, on its own line, indented. */
static void indent_lines(struct buf *out, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		buf_printf(out, "\n    %.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

/* The chain (journal_open() checks it), then the replay against st. */
static void verify_journal(struct checks *c, const struct workspace *ws, const struct state *st)
{
	struct journal *j = NULL;
	struct buf msg = BUF_INIT, why = BUF_INIT;
	struct err err;
	size_t covered, differ;

	if (journal_open(ws->journal, &j, &err)) {
		check_line(c, "journal chain", false, err.msg);
		check_line(c, "journal replay", false,
			   "not checked: the journal could not be read");
		return;
	}
	if (!journal_exists(j)) {
		size_t created = st ? count_created(st) : 0;
		if (created)
			buf_printf(&msg, "there is no %s, but the state records %zu resource%s as "
				   "created: was the journal deleted, or not kept with the state "
				   "file?", journal_path(j), created, created == 1 ? "" : "s");
		else
			buf_puts(&msg, "no journal: no create has been sent from this directory");
		check_line(c, "journal chain", !created, msg.data);
		check_line(c, "journal replay", !created, created ? "not checked: no journal" :
			   "nothing to replay");
		buf_free(&msg);
		journal_free(j);
		return;
	}
	buf_printf(&msg, "%lld lines, each chained to the one before", journal_lines(j));
	check_line(c, "journal chain", true, msg.data);
	buf_reset(&msg);
	if (!st) {
		check_line(c, "journal replay", false, "not checked: the state's entries could not "
			   "be read");
	} else {
		differ = journal_compare_state(j, st, &covered, &why);
		if (differ) {
			/* The check's line, then each difference indented below it. */
			buf_printf(&msg, "%zu of the %zu resources the journal covers differ from "
				   "the state:", differ, covered);
			indent_lines(&msg, why.data);
			check_line(c, "journal replay", false, msg.data);
		} else {
			buf_printf(&msg, "the journal gives the state's outcome for all %zu "
				   "resource%s it covers", covered, covered == 1 ? "" : "s");
			check_line(c, "journal replay", true, msg.data);
		}
	}
	buf_free(&msg);
	buf_free(&why);
	journal_free(j);
}

/* --json: {"format_version", "state_file", "ok", "checks": [{"check", "ok",
 * "message"}]} (docs/schemas/state-verify.schema.json). */
static void verify_json(const struct workspace *ws, struct checks *c)
{
	struct value *doc = value_new_object();
	struct buf b = BUF_INIT;

	value_object_put_c(doc, "format_version", value_new_number("1"));
	value_object_put_c(doc, "state_file", value_new_cstring(ws->state));
	value_object_put_c(doc, "ok", value_new_bool(!c->failed));
	value_object_put_c(doc, "checks", c->json);
	c->json = NULL;
	json_write(&b, doc, JSON_PRETTY);
	cmd_print_json(&b);
	value_free(doc);
	cmd_json_answered();
}

static int cmd_verify(const struct workspace *ws, bool json)
{
	struct checks c = { 0, 0, NULL };
	struct state_key key;
	struct state *st = NULL;
	struct buf data = BUF_INIT, msg = BUF_INIT;
	const char *mode = NULL;
	struct err err;
	bool have;

	if (state_key_from_env(&key, &have, &err)) {
		cmd_error("state verify: %s", err.msg);
		return EXIT_ERROR;
	}
	if (fileio_read_input(ws->state, 0, &data, &err)) {
		if (err.code == ENOENT)
			cmd_error("state verify: no state file at %s: nothing has been applied in "
				  "this directory yet (ccapply apply writes it)", ws->state);
		else
			cmd_error("state verify: cannot read %s", err.msg);
		buf_free(&data);
		return EXIT_ERROR;
	}
	if (json)
		c.json = value_new_array();
	else
		printf("state file: %s\n", ws->state);
	if (state_check_tag(data.data ? data.data : "", data.len, have ? &key : NULL, &mode, &err))
		check_line(&c, "integrity", false, err.msg);
	else
		check_line(&c, "integrity", true, !strcmp(mode, "mac") ?
			   "its keyed BLAKE2b-256 MAC matches: no change was made without the key" :
			   "its BLAKE2b-256 digest matches; unkeyed, so it reveals accidents, not "
			   "forgery: set " STATE_KEY_ENV " for a MAC");
	if (state_parse(data.data ? data.data : "", data.len, have ? &key : NULL, false, &st,
			&err)) {
		err_prefix_file(&err, ws->state);
		check_line(&c, "entries", false, err.msg);
	} else {
		buf_printf(&msg, "%zu resources, serial %lld, lineage %s, all well formed",
			   st->n_resources, st->serial, st->lineage);
		check_line(&c, "entries", true, msg.data);
	}
	verify_plan_checksum(&c, ws, st);
	verify_journal(&c, ws, st);
	if (json)
		verify_json(ws, &c);
	else if (c.failed)
		printf("verify: %d of %d checks FAILED\n", c.failed, c.run);
	else
		printf("verify: all %d checks passed\n", c.run);
	state_free(st);
	buf_free(&data);
	buf_free(&msg);
	return c.failed ? EXIT_ERROR : EXIT_OK;
}

/* ------------------------------------------------------------------ sign */

/* Does the file at path end with a "mac" line (whatever its value)? */
static bool has_mac(const char *path)
{
	static const char mac_line[] = "\n  \"mac\": \"";
	struct buf data = BUF_INIT;
	struct err err;
	bool found = false;

	if (!fileio_read_input(path, 0, &data, &err) && data.len > 100)
		found = strstr(data.data + data.len - 100, mac_line) != NULL;
	buf_free(&data);
	return found;
}

static int cmd_sign(const struct workspace *ws)
{
	struct state_key key, old;
	struct state_lock *lock = NULL;
	struct state *st = NULL;
	const char *old_text = getenv(OLD_KEY_ENV);
	struct err err;
	bool have;
	int rc = EXIT_ERROR;

	if (state_key_from_env(&key, &have, &err) || !have) {
		cmd_error("state sign: %s", have ? err.msg : STATE_KEY_ENV " is not set: it is "
			  "the key to sign the state file with");
		return EXIT_ERROR;
	}
	if (old_text && !*old_text) {
		cmd_error("state sign: " OLD_KEY_ENV " is set but empty");
		return EXIT_ERROR;
	}
	if (old_text)
		state_key_derive(old_text, &old);
	if (state_lock_acquire(ws->lock, &lock, &err)) {
		cmd_error("state sign: %s", err.msg);
		return EXIT_ERROR;
	}
	if (!state_load_keyed(ws->state, &key, &st, &err) && st) {
		printf("%s is already signed with the key in " STATE_KEY_ENV "; nothing to do.\n",
		       ws->state);
		rc = EXIT_OK;
	} else if (!old_text && has_mac(ws->state)) {
		cmd_error("state sign: %s is signed with another key: set " OLD_KEY_ENV " to "
			  "that key to re-sign it with the key in " STATE_KEY_ENV, ws->state);
	} else if (state_retag(ws->state, old_text ? &old : NULL, &key, &err)) {
		cmd_error("state sign: cannot verify %s%s: %s", ws->state,
			  old_text ? " with the key in " OLD_KEY_ENV : "", err.msg);
	} else {
		printf("%s is now signed with the key in " STATE_KEY_ENV ".\n", ws->state);
		rc = EXIT_OK;
	}
	state_free(st);
	state_lock_release(lock);
	return rc;
}

/* ------------------------------------------------------------------ main */

static int run_list_or_show(const struct cmd_args *a, const struct global_options *g)
{
	const char *name = !strcmp(a->cmd->name, "show") ? args_value(a, "NAME") : NULL;
	bool json = args_flag(a, "--json");
	const struct state_resource *r;
	struct state *st = NULL;
	int rc = load_state(&g->ws, &st);

	if (!rc && !name) {
		if (json)
			list_json(st);
		else
			list_text(st);
	} else if (!rc) {
		r = find_named(st, name);
		if (!r)
			rc = EXIT_ERROR;
		else if (json)
			show_json(r);
		else
			show_text(st, r);
	}
	state_free(st);
	return rc;
}

static int run_verify_or_sign(const struct cmd_args *a, const struct global_options *g)
{
	return !strcmp(a->cmd->name, "verify") ? cmd_verify(&g->ws, args_flag(a, "--json")) :
	       cmd_sign(&g->ws);
}

#define JSON_HELP "list, show and verify: print JSON instead of text"

static const struct opt_spec list_options[] = {
	{ .name = "--json", .help = JSON_HELP },
	{ 0 },
};

static const struct opt_spec show_options[] = {
	{ .name = "NAME", .kind = OPT_POSITIONAL, .required = true,
	  .complete = COMPLETE_STATE_NAME },
	{ .name = "--json", .help = JSON_HELP },
	{ 0 },
};

static const struct opt_spec no_options[] = { { 0 } };

static const struct command_spec state_list = {
	.name = "list",
	.summary = "one line per resource: kind, name, outcome, Fivetran id",
	.options = list_options,
	.run = run_list_or_show,
};

static const struct command_spec state_show = {
	.name = "show",
	.summary = "everything recorded about the resource NAME (a target_name or a\n"
		   "package name; KIND/NAME when both kinds use it)",
	.options = show_options,
	.run = run_list_or_show,
};

static const struct command_spec state_verify = {
	.name = "verify",
	.summary = "check the file's digest (or MAC), its entries, its plan checksum\n"
		   "against copy_plan.yaml, the journal's hash chain, and that\n"
		   "replaying the journal gives the recorded outcomes; exit 0 only\n"
		   "when every check holds",
	.options = list_options,
	.run = run_verify_or_sign,
};

static const struct command_spec state_sign = {
	.name = "sign",
	.summary = "rewrite the file with a MAC under CCAPPLY_STATE_KEY (from a plain\n"
		   "digest, or from the key in CCAPPLY_STATE_OLD_KEY)",
	.options = no_options,
	.run = run_verify_or_sign,
};

static const struct command_spec *const state_subcommands[] = {
	&state_list, &state_show, &state_verify, &state_sign, NULL,
};

const struct command_spec cmd_state_spec = {
	.name = "state",
	.summary = "list, show, verify or sign what ccapply.lock records",
	.description = "Read .copy-connections/ccapply.lock, the state apply records. No network.",
	.after = "Environment: CCAPPLY_STATE_KEY, the key of the state's MAC (see ccapply(1)).\n"
		 "Exit status: 0 done (verify: every check holds), 1 error or a failed check.",
	.subcommands = state_subcommands,
};
