/*
 * plandoc.c — build, fingerprint, check and render the plan document (see
 * plandoc.h). Key order follows SPEC §5 exactly; optional keys are left out
 * rather than written as null, so consumers can test for presence.
 */
#include "cmd/plandoc.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/common.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/json.h"

static struct value *str_or_null(const char *s)
{
	return s ? value_new_cstring(s) : value_new_null();
}

/* f: the finding, for its target_name and context (NULL for an
 * acknowledgments_required code); both left out when absent. */
static struct value *warning_item(const char *code, const char *message, const char *source_id,
				  const struct finding *f)
{
	struct value *w = value_new_object();

	value_object_put_c(w, "code", value_new_cstring(code));
	value_object_put_c(w, "message", str_or_null(message));
	value_object_put_c(w, "source_id", str_or_null(source_id));
	if (f && (f->target_name || f->package_name))
		value_object_put_c(w, f->target_name ? "target_name" : "package_name",
				   value_new_cstring(f->target_name ? f->target_name :
						     f->package_name));
	if (f && f->context)
		value_object_put_c(w, "context", value_clone(f->context));
	return w;
}

static bool has_code(const struct value *list, const char *code)
{
	size_t i;

	for (i = 0; i < list->u.arr.n; i++)
		if (!strcmp(value_get_string(list->u.arr.items[i], "code"), code))
			return true;
	return false;
}

/* The report's warnings (which apply needs acknowledged), then what the
 * service catalog doubts in the plan (CATALOG_* codes: shown, never
 * acknowledged). */
static struct value *build_warnings(const struct report *r, const struct plan *p)
{
	struct value *list = value_new_array();
	size_t i;

	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		if (f->severity == SEVERITY_WARNING)
			value_array_push(list, warning_item(f->code, f->message, f->source_id, f));
	}
	for (i = 0; i < r->n_acks; i++)
		if (!has_code(list, r->acks[i].code))
			value_array_push(list, warning_item(r->acks[i].code, r->acks[i].message,
							    NULL, NULL));
	for (i = 0; p && i < p->n_warnings; i++)
		value_array_push(list, warning_item(p->warnings[i].code, p->warnings[i].message,
						    p->warnings[i].source_id, NULL));
	return list;
}

struct value *plandoc_build_preflight(const struct planner_inputs *in)
{
	struct value *p = value_new_object();

	value_object_put_c(p, "plan_checksum", value_new_cstring(in->report->plan_checksum));
	value_object_put_c(p, "validation_status",
			   value_new_cstring(report_status_name(in->report->status)));
	value_object_put_c(p, "warnings", build_warnings(in->report, in->plan));
	return p;
}

static struct value *build_differences(const struct action *a)
{
	struct value *list = value_new_array();
	size_t i;

	for (i = 0; i < a->n_differences; i++) {
		struct value *d = value_new_object();
		value_object_put_c(d, "path", value_new_cstring(a->differences[i].path));
		value_object_put_c(d, "plan", value_clone(a->differences[i].plan));
		value_object_put_c(d, "live", a->differences[i].live ?
				   value_clone(a->differences[i].live) : value_new_null());
		value_array_push(list, d);
	}
	return list;
}

static struct value *string_array(char *const *items, size_t n)
{
	struct value *list = value_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		value_array_push(list, value_new_cstring(items[i]));
	return list;
}

static struct value *build_action(const struct action *a)
{
	struct value *o = value_new_object();

	value_object_put_c(o, "kind", value_new_cstring(resource_kind_name(a->kind)));
	value_object_put_c(o, "name", value_new_cstring(a->name));
	value_object_put_c(o, "action", value_new_cstring(action_kind_name(a->action)));
	if (a->reason)
		value_object_put_c(o, "reason", value_new_cstring(a->reason));
	if (a->id)
		value_object_put_c(o, "id", value_new_cstring(a->id));
	if (a->source_id)
		value_object_put_c(o, "source_id", value_new_cstring(a->source_id));
	if (a->service)
		value_object_put_c(o, "service", value_new_cstring(a->service));
	if (a->kind == RESOURCE_TRANSFORMATION)
		value_object_put_c(o, "depends_on", string_array(a->depends_on, a->n_depends_on));
	if (a->n_missing)
		value_object_put_c(o, "missing", string_array(a->missing, a->n_missing));
	if (a->n_differences)
		value_object_put_c(o, "differences", build_differences(a));
	return o;
}

static struct value *number(size_t n)
{
	char text[32];

	snprintf(text, sizeof text, "%zu", n);
	return value_new_number(text);
}

struct value *plandoc_build(const struct planner_inputs *in, const struct live_state *live,
			    const struct action_list *actions)
{
	struct value *doc = value_new_object();
	struct value *target = value_new_object();
	struct value *list = value_new_array();
	struct value *summary = value_new_object();
	size_t i;

	value_object_put_c(doc, "format_version", number(PLANDOC_FORMAT_VERSION));
	value_object_put_c(target, "group_id", value_new_cstring(live->group_id));
	value_object_put_c(target, "group_name", value_new_cstring(live->group_name));
	value_object_put_c(doc, "target", target);
	value_object_put_c(doc, "preflight", plandoc_build_preflight(in));
	for (i = 0; i < actions->n; i++)
		value_array_push(list, build_action(&actions->items[i]));
	value_object_put_c(doc, "actions", list);
	value_object_put_c(summary, "create", number(actions->n_create));
	value_object_put_c(summary, "noop", number(actions->n_noop));
	value_object_put_c(summary, "skip", number(actions->n_skip));
	value_object_put_c(doc, "summary", summary);
	return doc;
}

static void fingerprint_item(struct buf *b, const struct value *item, const char *const *keys)
{
	for (; *keys; keys++) {
		const struct value *v = value_get(item, *keys);
		if (!v && !strcmp(*keys, "connection_ids"))
			v = value_get(value_get(item, "transformation_config"), *keys);
		if (!v && !strcmp(*keys, "package_name"))
			v = value_get(value_get(item, "transformation_config"), *keys);
		if (v)
			json_write(b, v, JSON_COMPACT | JSON_SORT_KEYS);
		buf_putc(b, '\t');
	}
	buf_putc(b, '\n');
}

void plandoc_live_fingerprint(const struct live_state *live, char out[65])
{
	static const char *const connection_keys[] = { "id", "schema", "service", NULL };
	static const char *const transformation_keys[] = { "id", "package_name", "connection_ids",
							   NULL };
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "group\t%s\n", live->group_id);
	for (i = 0; live->connections && i < live->connections->u.arr.n; i++)
		fingerprint_item(&b, live->connections->u.arr.items[i], connection_keys);
	for (i = 0; live->transformations && i < live->transformations->u.arr.n; i++)
		fingerprint_item(&b, live->transformations->u.arr.items[i], transformation_keys);
	digest_blake2b_256_hex(b.data, b.len, out);
	buf_free(&b);
}

/* ---- text --------------------------------------------------------------- */

static bool is_catalog_warning(const struct value *item)
{
	return !strncmp(value_get_string(item, "code"), "CATALOG_", 8);
}

/* The warnings of one kind under their heading; nothing when there are none. */
static void render_warning_group(FILE *out, const struct value *w, bool catalog,
				 const char *title, const char *note, const struct global_options *g)
{
	bool any = false;
	size_t i;

	for (i = 0; i < w->u.arr.n; i++) {
		const struct value *item = w->u.arr.items[i];
		const struct value *ctx = value_get(item, "context");
		const char *src = value_get_string(item, "source_id");
		const char *msg = value_get_string(item, "message");
		const char *conn = value_get_string(item, "target_name");
		const char *pkg = value_get_string(item, "package_name");

		if (is_catalog_warning(item) != catalog)
			continue;
		if (!any)
			fprintf(out, "%s%s%s %s:\n", cmd_color(g, C_YELLOW), title,
				cmd_color(g, C_RESET), note);
		any = true;
		fprintf(out, "  %s", cmd_shown(value_get_string(item, "code")));
		if (conn || pkg)
			fprintf(out, " (%s %s%s%s)", conn ? "connection" : "package",
				cmd_shown(conn ? conn : pkg), src ? ", source " : "",
				src ? cmd_shown(src) : "");
		else if (src)
			fprintf(out, " (source %s)", cmd_shown(src));
		if (msg)
			fprintf(out, ": %s", cmd_shown(msg));
		fputc('\n', out);
		/* its context (table, column, reason code...) as JSON: one line,
		 * control characters escaped */
		if (ctx && ctx->type != VALUE_NULL) {
			fputs("      context: ", out);
			cmd_print_value(out, ctx);
			fputc('\n', out);
		}
	}
	if (any)
		fputc('\n', out);
}

/* The report's warnings, then the service catalog's (see build_warnings). */
void plandoc_render_warnings(FILE *out, const struct value *preflight,
			     const struct global_options *g)
{
	const struct value *w = value_get(preflight, "warnings");

	if (!w || !w->u.arr.n)
		return;
	render_warning_group(out, w, false, "Warnings from the validation report",
			     "(apply needs each code acknowledged)", g);
	render_warning_group(out, w, true, "Warnings from the service catalog",
			     "(the official API definition; sent as planned)", g);
}

static void render_action_line(FILE *out, const struct value *a, const struct global_options *g)
{
	const char *action = value_get_string(a, "action");
	const char *kind = value_get_string(a, "kind");
	const char *reason = value_get_string(a, "reason");
	const char *id = value_get_string(a, "id");
	const char *service = value_get_string(a, "service");
	const char *sym = !strcmp(action, "create") ? "+" : !strcmp(action, "noop") ? "=" : "!";
	const char *col = !strcmp(action, "create") ? C_GREEN : !strcmp(action, "noop") ? C_DIM :
			  C_YELLOW;

	fprintf(out, "  %s%s %s \"%s\"%s", cmd_color(g, col), sym, kind,
		cmd_shown(value_get_string(a, "name")), cmd_color(g, C_RESET));
	if (service)
		fprintf(out, " (%s)", cmd_shown(service));
	if (id)
		fprintf(out, " id=%s", cmd_shown(id));
	if (reason)
		fprintf(out, ": %s", cmd_shown(reason));
	if (value_get(a, "accepted"))
		fputs(" (accepted by --ack)", out);
	fputc('\n', out);
}

static void render_details(FILE *out, const struct value *a)
{
	const struct value *diffs = value_get(a, "differences");
	const struct value *missing = value_get(a, "missing");
	const struct value *deps = value_get(a, "depends_on");
	size_t i;

	for (i = 0; diffs && i < diffs->u.arr.n; i++) {
		const struct value *d = diffs->u.arr.items[i];
		fprintf(out, "      ~ %s: plan ", cmd_shown(value_get_string(d, "path")));
		cmd_print_value(out, value_get(d, "plan"));
		fputs(", live ", out);
		cmd_print_value(out, value_get(d, "live"));
		fputc('\n', out);
	}
	for (i = 0; missing && i < missing->u.arr.n; i++)
		fprintf(out, "      dependency %s is not in the plan\n",
			cmd_shown(missing->u.arr.items[i]->u.str.ptr));
	if (deps && !deps->u.arr.n && !strcmp(value_get_string(a, "action"), "skip"))
		fputs("      target_connection_source_ids is empty: no connection to install it "
		      "on\n", out);
	if (!missing && deps && deps->u.arr.n && !strcmp(value_get_string(a, "action"), "create")) {
		fputs("      depends on", out);
		for (i = 0; i < deps->u.arr.n; i++)
			fprintf(out, "%s %s", i ? "," : "", cmd_shown(deps->u.arr.items[i]->u.str.ptr));
		fputc('\n', out);
	}
}

void plandoc_render_text(FILE *out, const struct value *doc, const struct global_options *g)
{
	const struct value *target = value_get(doc, "target");
	const struct value *actions = value_get(doc, "actions");
	const struct value *summary = value_get(doc, "summary");
	size_t i;

	fprintf(out, "Target group: %s (%s)\n\n", cmd_shown(value_get_string(target, "group_name")),
		cmd_shown(value_get_string(target, "group_id")));
	plandoc_render_warnings(out, value_get(doc, "preflight"), g);
	if (!actions->u.arr.n)
		fputs("  The plan lists no connections and no Quickstart packages.\n", out);
	for (i = 0; i < actions->u.arr.n; i++) {
		render_action_line(out, actions->u.arr.items[i], g);
		render_details(out, actions->u.arr.items[i]);
	}
	fprintf(out, "\n%sPlan:%s %s to create, %s unchanged, %s skipped.\n", cmd_color(g, C_BOLD),
		cmd_color(g, C_RESET), value_get(summary, "create")->u.number,
		value_get(summary, "noop")->u.number, value_get(summary, "skip")->u.number);
}

/* ---- checking a saved document ------------------------------------------ */

static int need(const struct value *v, enum value_type t, const char *file, const char *what,
		struct err *err)
{
	if (v && v->type == t)
		return 0;
	return err_set(err, "%s:%d:%d: not a ccapply plan file: %s should be a %s", file,
		       v ? v->line : 1, v ? v->col : 1, what, value_type_name(t));
}

static int check_string_list(const struct value *list, const char *file, const char *what,
			     struct err *err)
{
	size_t i;

	if (!list)
		return 0;
	if (need(list, VALUE_ARRAY, file, what, err))
		return -1;
	for (i = 0; i < list->u.arr.n; i++)
		if (need(list->u.arr.items[i], VALUE_STRING, file, what, err))
			return -1;
	return 0;
}

static int check_optional_lists(const struct value *a, const char *file, struct err *err)
{
	const struct value *diffs = value_get(a, "differences");
	const char *keys[] = { "reason", "id", "source_id", "service" };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (value_get(a, keys[i]) && need(value_get(a, keys[i]), VALUE_STRING, file, keys[i],
						  err))
			return -1;
	if (check_string_list(value_get(a, "depends_on"), file, "depends_on", err) ||
	    check_string_list(value_get(a, "missing"), file, "missing", err))
		return -1;
	if (!diffs)
		return 0;
	if (need(diffs, VALUE_ARRAY, file, "differences", err))
		return -1;
	for (i = 0; i < diffs->u.arr.n; i++)
		if (need(diffs->u.arr.items[i], VALUE_OBJECT, file, "each difference", err) ||
		    need(value_get(diffs->u.arr.items[i], "path"), VALUE_STRING, file,
			 "difference.path", err))
			return -1;
	return 0;
}

int plandoc_check(const struct value *doc, const char *file, struct err *err)
{
	const struct value *fv, *actions, *summary;
	size_t i;

	if (need(doc, VALUE_OBJECT, file, "the document", err))
		return -1;
	fv = value_get(doc, "format_version");
	if (need(fv, VALUE_NUMBER, file, "format_version", err))
		return -1;
	if (strcmp(fv->u.number, "1"))
		return err_set(err, "%s: plan file format_version %s is not supported (this "
			       "ccapply reads 1)", file, fv->u.number);
	actions = value_get(doc, "actions");
	summary = value_get(doc, "summary");
	if (need(value_get(doc, "target"), VALUE_OBJECT, file, "target", err) ||
	    need(value_get(value_get(doc, "target"), "group_id"), VALUE_STRING, file,
		 "target.group_id", err) ||
	    need(value_get(value_get(doc, "target"), "group_name"), VALUE_STRING, file,
		 "target.group_name", err) ||
	    need(actions, VALUE_ARRAY, file, "actions", err) ||
	    need(summary, VALUE_OBJECT, file, "summary", err) ||
	    need(value_get(summary, "create"), VALUE_NUMBER, file, "summary.create", err) ||
	    need(value_get(summary, "noop"), VALUE_NUMBER, file, "summary.noop", err) ||
	    need(value_get(summary, "skip"), VALUE_NUMBER, file, "summary.skip", err))
		return -1;
	for (i = 0; i < actions->u.arr.n; i++) {
		const struct value *a = actions->u.arr.items[i];
		const char *act;
		if (need(a, VALUE_OBJECT, file, "each action", err) ||
		    need(value_get(a, "kind"), VALUE_STRING, file, "action.kind", err) ||
		    need(value_get(a, "name"), VALUE_STRING, file, "action.name", err) ||
		    need(value_get(a, "action"), VALUE_STRING, file, "action.action", err))
			return -1;
		if (check_optional_lists(a, file, err))
			return -1;
		act = value_get_string(a, "action");
		if (strcmp(act, "create") && strcmp(act, "noop") && strcmp(act, "skip"))
			return err_set(err, "%s:%d:%d: unknown action '%s'", file, a->line, a->col,
				       act);
	}
	return 0;
}
