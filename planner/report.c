/*
 * report.c — validation_report.yaml into struct report (see planner.h).
 *
 * Findings from the three sections (destination, connection, transformation)
 * are flattened into one list in file order, each remembering its scope and
 * the connection or package it is about, so the gates and results.md can
 * list them by code without knowing the file's nesting.
 *
 * Every field the format (formats/validation_report.schema.yaml) gives a type
 * is checked for it, and a wrong one is an error at its FILE:LINE:COL that
 * says what was expected and what was found; keys the format does not name
 * are accepted, so a newer validator's additions do not break ccapply. Values
 * quoted back in messages go through rd_describe() (cut, control characters
 * replaced), as the plan's do: a report is untrusted input, and a message must
 * stay short and must not drive the user's terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/yaml.h"
#include "planner/planner.h"
#include "planner/read.h"

/* Digits of a version number quoted back in a message before it is cut. */
#define VERSION_SHOWN 20
/* Longest acknowledgment code accepted ("a short code like NAMING_COLLISION"). */
#define CODE_MAX 100

struct owner {
	enum finding_scope scope;
	const char *source_id;
	const char *target_name;
	const char *package_name;
};

static bool string_is(const struct value *v, const char *word)
{
	return v->u.str.len == strlen(word) && !memcmp(v->u.str.ptr, word, v->u.str.len);
}

/* obj[key], a required string that must be one of the NULL-terminated
 * names; its index in *out. The message lists the accepted values. */
static int read_enum(const struct reader *r, const struct value *obj, const char *key,
		     const char *path, const char *const *names, int *out)
{
	const struct value *v = value_get(obj, key);
	struct buf expected = BUF_INIT;
	char found[RD_DESCRIBE_MAX];
	bool other_case = false;
	size_t i;
	int rc;

	for (i = 0; v && v->type == VALUE_STRING && names[i]; i++) {
		if (string_is(v, names[i])) {
			*out = (int)i;
			return 0;
		}
		if (v->u.str.len == strlen(names[i]) &&
		    !strncasecmp(v->u.str.ptr, names[i], v->u.str.len))
			other_case = true;
	}
	rd_list_values(&expected, names);
	if (!v)
		rc = rd_fail(r, obj, "%s: required field is missing (expected %s)", path,
			     buf_str(&expected));
	else
		rc = rd_fail(r, v, "%s: expected %s, found %s%s", path, buf_str(&expected),
			     rd_describe(v, found, sizeof found),
			     other_case ? " (the values are lower case)" : "");
	buf_free(&expected);
	return rc;
}

static int read_severity(const struct reader *r, const struct value *item, const char *path,
			 enum severity *out)
{
	static const char *const names[] = { "blocking", "warning", "info", NULL };
	char field[600];
	int index;

	snprintf(field, sizeof field, "%s.severity", path);
	if (read_enum(r, item, "severity", field, names, &index))
		return -1;
	*out = index == 0 ? SEVERITY_BLOCKING : index == 1 ? SEVERITY_WARNING : SEVERITY_INFO;
	return 0;
}

static bool is_code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* obj.code: a required short code like NAMING_COLLISION. The characters are
 * limited because codes are matched against `apply --ack A,B` (a comma or a
 * space could never be acknowledged one by one) and printed in prompts. */
static int read_code(const struct reader *r, const struct value *obj, const char *path,
		     char **out)
{
	char field[640], found[RD_DESCRIBE_MAX];
	const struct value *v = value_get(obj, "code");
	size_t i;

	snprintf(field, sizeof field, "%s.code", path);
	if (rd_string(r, obj, "code", field, true, out))
		return -1;
	for (i = 0; (*out)[i] && is_code_char((*out)[i]); i++)
		;
	if (!(*out)[i] && i <= CODE_MAX)
		return 0;
	free(*out);
	*out = NULL;
	return rd_fail(r, v, "%s: expected a short code like NAMING_COLLISION (at most %d "
		       "letters, digits, '_', '-' or '.'), found %s", field, CODE_MAX,
		       rd_describe(v, found, sizeof found));
}

static int read_finding(const struct reader *r, const struct value *item, const char *path,
			const struct owner *owner, struct finding *f)
{
	char field[600];
	const struct value *context;
	int failed = 0;

	f->scope = owner->scope;
	f->line = item->line;
	f->col = item->col;
	if (rd_expect(r, item, VALUE_OBJECT, path) || read_severity(r, item, path, &f->severity))
		return -1;
	if (read_code(r, item, path, &f->code))
		return -1;
	snprintf(field, sizeof field, "%s.message", path);
	if (rd_string(r, item, "message", field, false, &f->message))
		return -1;
	snprintf(field, sizeof field, "%s.field", path);
	if (rd_string(r, item, "field", field, false, &f->field))
		return -1;
	snprintf(field, sizeof field, "%s.context", path);
	context = rd_optional(r, item, "context", VALUE_OBJECT, field, &failed);
	if (failed)
		return -1;
	f->context = context ? value_clone(context) : NULL;
	f->source_id = owner->source_id ? xstrdup(owner->source_id) : NULL;
	f->target_name = owner->target_name ? xstrdup(owner->target_name) : NULL;
	f->package_name = owner->package_name ? xstrdup(owner->package_name) : NULL;
	return 0;
}

static int read_findings(const struct reader *r, const struct value *list, const char *path,
			 const struct owner *owner, struct report *rep)
{
	char item_path[600];
	size_t i;

	for (i = 0; i < list->u.arr.n; i++) {
		struct finding *f;
		snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
		rep->findings = xrealloc(rep->findings, (rep->n_findings + 1) * sizeof *rep->findings);
		f = &rep->findings[rep->n_findings++];
		memset(f, 0, sizeof *f);
		if (read_finding(r, list->u.arr.items[i], item_path, owner, f))
			return -1;
	}
	return 0;
}

/* connection_findings / transformation_findings: a list of owners, each
 * with its own findings list. */
static int read_owned_section(const struct reader *r, const struct value *root, const char *key,
			      enum finding_scope scope, struct report *rep)
{
	char path[256], field[300];
	const struct value *list, *inner;
	int failed = 0, rc = 0;
	size_t i;

	list = rd_optional(r, root, key, VALUE_ARRAY, key, &failed);
	if (failed)
		return -1;
	for (i = 0; list && i < list->u.arr.n && !rc; i++) {
		const struct value *item = list->u.arr.items[i];
		struct owner owner = { .scope = scope };
		char *a = NULL, *b = NULL;

		snprintf(path, sizeof path, "%s[%zu]", key, i);
		if (rd_expect(r, item, VALUE_OBJECT, path))
			return -1;
		if (scope == SCOPE_CONNECTION) {
			snprintf(field, sizeof field, "%s.source_id", path);
			rc = rd_string(r, item, "source_id", field, false, &a);
			snprintf(field, sizeof field, "%s.target_name", path);
			rc = rc ? rc : rd_string(r, item, "target_name", field, false, &b);
			owner.source_id = a;
			owner.target_name = b;
		} else {
			snprintf(field, sizeof field, "%s.package_name", path);
			rc = rd_string(r, item, "package_name", field, false, &a);
			owner.package_name = a;
		}
		snprintf(field, sizeof field, "%s.findings", path);
		inner = rc ? NULL : rd_optional(r, item, "findings", VALUE_ARRAY, field, &failed);
		if (failed)
			rc = -1;
		if (inner)
			rc = read_findings(r, inner, field, &owner, rep);
		free(a);
		free(b);
	}
	return rc;
}

static int read_acks(const struct reader *r, const struct value *root, struct report *rep)
{
	char path[128], field[160];
	const struct value *list;
	int failed = 0;
	size_t i;

	list = rd_optional(r, root, "acknowledgments_required", VALUE_ARRAY,
			   "acknowledgments_required", &failed);
	if (failed)
		return -1;
	if (!list)
		return 0;
	rep->acks = xcalloc(list->u.arr.n, sizeof *rep->acks);
	for (i = 0; i < list->u.arr.n; i++) {
		const struct value *item = list->u.arr.items[i];
		snprintf(path, sizeof path, "acknowledgments_required[%zu]", i);
		rep->n_acks = i + 1;
		if (rd_expect(r, item, VALUE_OBJECT, path))
			return -1;
		if (read_code(r, item, path, &rep->acks[i].code))
			return -1;
		snprintf(field, sizeof field, "%s.message", path);
		if (rd_string(r, item, "message", field, false, &rep->acks[i].message))
			return -1;
	}
	return 0;
}

static int read_status(const struct reader *r, const struct value *root, struct report *rep)
{
	static const char *const names[] = { "pass", "pass-with-warnings", "fail", NULL };
	int index;

	if (read_enum(r, root, "status", "status", names, &index))
		return -1;
	rep->status = index == 0 ? REPORT_PASS : index == 1 ? REPORT_PASS_WITH_WARNINGS :
		      REPORT_FAIL;
	return 0;
}

/* schema_version must be the number 1: missing, another number, the string
 * '1' and every other type each get their own message. */
static int read_schema_version(const struct reader *r, const struct value *root)
{
	const struct value *v = value_get(root, "schema_version");
	char found[RD_DESCRIBE_MAX];

	if (!v)
		return rd_fail(r, root, "schema_version: required field is missing "
			       "(expected `schema_version: 1` at the top of the report)");
	if (v->type == VALUE_NUMBER && !strcmp(v->u.number, "1"))
		return 0;
	if (v->type == VALUE_NUMBER)
		return rd_fail(r, v, "schema_version: unsupported version %.*s%s "
			       "(this ccapply reads 1)", VERSION_SHOWN, v->u.number,
			       strlen(v->u.number) > VERSION_SHOWN ? "..." : "");
	if (v->type == VALUE_STRING && string_is(v, "1"))
		return rd_fail(r, v, "schema_version: expected the number 1, found the string '1' "
			       "(write `schema_version: 1` without quotes)");
	return rd_fail(r, v, "schema_version: expected the number 1, found %s",
		       rd_describe(v, found, sizeof found));
}

static int read_metadata(const struct reader *r, const struct value *root, struct report *rep)
{
	const struct value *meta = value_get(root, "metadata"), *v;
	char *plan_path = NULL;

	if (!meta || meta->type == VALUE_NULL)
		return rd_fail(r, meta ? meta : root,
			       "metadata.plan_checksum: required field is missing");
	if (rd_expect(r, meta, VALUE_OBJECT, "metadata"))
		return -1;
	if (rd_string(r, meta, "plan_checksum", "metadata.plan_checksum", true, &rep->plan_checksum))
		return -1;
	if (rd_string(r, meta, "validated_at", "metadata.validated_at", false, &rep->validated_at))
		return -1;
	if (rd_string(r, meta, "plan_path", "metadata.plan_path", false, &plan_path))
		return -1;
	free(plan_path);
	v = value_get(meta, "plan_checksum");
	rep->checksum_line = v->line;
	rep->checksum_col = v->col;
	return 0;
}

/* summary: optional (older reports lack it), but when present a mapping of
 * whole-number counts. Not compared with the findings: the findings are
 * what the gates act on. */
static int read_summary(const struct reader *r, const struct value *root)
{
	static const char *const keys[] = { "blocking", "warnings", "info" };
	char found[RD_DESCRIBE_MAX];
	const struct value *summary;
	int failed = 0;
	size_t i;

	summary = rd_optional(r, root, "summary", VALUE_OBJECT, "summary", &failed);
	if (failed)
		return -1;
	for (i = 0; summary && i < sizeof keys / sizeof keys[0]; i++) {
		const struct value *v = value_get(summary, keys[i]);
		if (!v || (v->type == VALUE_NUMBER &&
			   strspn(v->u.number, "0123456789") == strlen(v->u.number)))
			continue;
		return rd_fail(r, v, "summary.%s: expected a count (a whole number, 0 or more), "
			       "found %s", keys[i], rd_describe(v, found, sizeof found));
	}
	return 0;
}

int report_load(const char *path, struct report **out, struct err *err)
{
	static const struct owner destination_owner = { .scope = SCOPE_DESTINATION };
	struct reader r = { path, err };
	struct value *root = NULL;
	const struct value *list;
	struct report *rep;
	int rc, failed = 0;

	*out = NULL;
	if (yaml_load_path(path, NULL, &root, err))
		return -1;
	rep = xcalloc(1, sizeof *rep);
	rep->path = xstrdup(path);
	if (root->type != VALUE_OBJECT) {
		char found[RD_DESCRIBE_MAX];
		rc = rd_fail(&r, root, "expected a mapping at the top of the report, found %s",
			     root->type == VALUE_NULL ? "an empty document" :
			     rd_describe(root, found, sizeof found));
	} else {
		rc = read_schema_version(&r, root) || read_metadata(&r, root, rep) ||
		     read_status(&r, root, rep) || read_summary(&r, root) ? -1 : 0;
		list = rc ? NULL : rd_optional(&r, root, "destination_findings", VALUE_ARRAY,
					       "destination_findings", &failed);
		if (failed)
			rc = -1;
		if (!rc && list)
			rc = read_findings(&r, list, "destination_findings", &destination_owner, rep);
		if (!rc)
			rc = read_owned_section(&r, root, "connection_findings", SCOPE_CONNECTION, rep);
		if (!rc)
			rc = read_owned_section(&r, root, "transformation_findings",
						SCOPE_TRANSFORMATION, rep);
		if (!rc)
			rc = read_acks(&r, root, rep);
	}
	value_free(root);
	if (rc) {
		report_free(rep);
		return -1;
	}
	*out = rep;
	return 0;
}

void report_free(struct report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_findings; i++) {
		struct finding *f = &r->findings[i];
		free(f->code);
		free(f->message);
		free(f->field);
		free(f->source_id);
		free(f->target_name);
		free(f->package_name);
		value_free(f->context);
	}
	free(r->findings);
	for (i = 0; i < r->n_acks; i++) {
		free(r->acks[i].code);
		free(r->acks[i].message);
	}
	free(r->acks);
	free(r->plan_checksum);
	free(r->validated_at);
	free(r->path);
	free(r);
}

static bool seen(const char **codes, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(codes[i], code))
			return true;
	return false;
}

size_t report_warning_codes(const struct report *r, const char ***codes)
{
	const char **list = xcalloc(r->n_findings + r->n_acks + 1, sizeof *list);
	size_t i, n = 0;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].severity == SEVERITY_WARNING && !seen(list, n, r->findings[i].code))
			list[n++] = r->findings[i].code;
	for (i = 0; i < r->n_acks; i++)
		if (!seen(list, n, r->acks[i].code))
			list[n++] = r->acks[i].code;
	*codes = list;
	return n;
}

const char *report_status_name(enum report_status s)
{
	return s == REPORT_PASS ? "pass" : s == REPORT_PASS_WITH_WARNINGS ? "pass-with-warnings" :
	       "fail";
}
