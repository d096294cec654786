/*
 * conform.c — a planned connection checked against, and shaped by, the
 * service catalog (catalog/catalog.h): what Fivetran's official definition
 * says the create body of its service is. Runs once per connection while the
 * plan loads (plan.c), so every problem names copy_plan.yaml:LINE:COL and
 * happens before any request.
 *
 * What it does, in order:
 *  - settings: every top-level field of NewConnectorRequestV1 (sync_frequency,
 *    schedule_type, daily_sync_time, …) found beside config or inside it (the
 *    scope step copies the source's whole config block) goes to
 *    c->create_fields, type-checked against the definition (errata 1 and 4)
 *    with the enum enforced; inside and beside with different values is an
 *    error. A key the service's own config defines stays config (line_ads has
 *    a config key group_id). The fields ccapply sets itself (group_id,
 *    service, paused, run_setup_tests) are dropped from config: apply never
 *    lets a plan unpause anything;
 *  - naming: the format comes from the catalog; target_name must be
 *    "schema.table" for the two table formats. The plan's own naming keys are
 *    dropped from config (the request sets them from target_name). A service
 *    the catalog does not know is named by the naming keys its config has,
 *    with a warning; with none it is refused;
 *  - read-only keys ({service}_readonly_config_V1: postgres public_key) are
 *    dropped: answers carry them, a create must not send them;
 *  - what is left of config is checked key by key, at every depth the
 *    definition describes: a wrong JSON type is an error; an unknown key or a
 *    value outside the enum is a warning (the definition can lag the API),
 *    kept in plan->warnings with a CATALOG_* code.
 */
#include "planner/conform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

struct conform {
	const struct reader *r;
	struct plan *plan;
	struct plan_connection *c;
	const struct catalog_service *svc;
	const char *path;        /* "connections[3]" */
	const char *config_path; /* "connections[3].config" */
};

/* Create fields ccapply decides itself (SPEC §3), whatever the plan says. */
static bool is_controlled(const char *name)
{
	return !strcmp(name, "group_id") || !strcmp(name, "service") || !strcmp(name, "paused") ||
	       !strcmp(name, "run_setup_tests");
}

/* A key as it may appear in a message or a path: control characters shown
 * as '?', so a plan cannot drive the terminal. */
static void put_key(struct buf *b, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 120; i++) {
		unsigned char ch = (unsigned char)key[i];
		buf_putc(b, ch < 0x20 || ch == 0x7F ? '?' : (char)ch);
	}
	if (len > 120)
		buf_puts(b, "...");
}

static char *child_path(const char *parent, const char *key, size_t len)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s.", parent);
	put_key(&b, key, len);
	return buf_detach(&b);
}

static void warn(struct conform *cf, const char *code, const struct value *at, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
static void warn(struct conform *cf, const char *code, const struct value *at, const char *fmt,
		 ...)
{
	struct plan *p = cf->plan;
	struct plan_warning *w;
	struct buf b = BUF_INIT;
	char what[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	buf_printf(&b, "%s:%d:%d: %s", cf->r->file, at && at->line ? at->line : 1,
		   at && at->col ? at->col : 1, what);
	p->warnings = xrealloc(p->warnings, (p->n_warnings + 1) * sizeof *p->warnings);
	w = &p->warnings[p->n_warnings++];
	w->code = xstrdup(code);
	w->message = buf_detach(&b);
	w->source_id = xstrdup(cf->c->source_id);
}

/* ---- types ----------------------------------------------------------------- */

/* -?[0-9]+ : how the YAML loader writes an integer. */
static bool is_integer_text(const char *s)
{
	s += *s == '-';
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* An integer that fits in 32 bits (every integer create field is int32). */
static bool is_int32_text(const char *s)
{
	const char *d = s + (*s == '-');
	size_t n = strlen(d);

	return is_integer_text(s) && n <= 10 &&
	       (n < 10 || memcmp(d, d == s ? "2147483647" : "2147483648", 10) <= 0);
}

/* Optional decimal integer text, as someone might quote a number: "360". */
static bool looks_like_integer(const char *s, size_t len)
{
	size_t i = len && (s[0] == '-' || s[0] == '+');

	if (i == len)
		return false;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool fits_type(unsigned char t, const struct value *v)
{
	switch (t) {
	case CATALOG_STR:
		return v->type == VALUE_STRING;
	case CATALOG_INT:
		return v->type == VALUE_NUMBER && is_integer_text(v->u.number);
	case CATALOG_NUM:
		return v->type == VALUE_NUMBER;
	case CATALOG_BOOL:
		return v->type == VALUE_BOOL;
	case CATALOG_OBJ:
		return v->type == VALUE_OBJECT;
	case CATALOG_ARR:
		return v->type == VALUE_ARRAY;
	default:
		return true;
	}
}

static const char *expected_type(unsigned char t)
{
	switch (t) {
	case CATALOG_STR:
		return "a string";
	case CATALOG_INT:
		return "a whole number";
	case CATALOG_NUM:
		return "a number";
	case CATALOG_BOOL:
		return "true or false";
	case CATALOG_OBJ:
		return "a mapping";
	case CATALOG_ARR:
		return "a sequence";
	default:
		return "any value";
	}
}

/* Why a value of the wrong type may look right to a person. */
static const char *type_hint(unsigned char t, const struct value *v)
{
	if (t == CATALOG_BOOL && v->type == VALUE_STRING &&
	    (!strcmp(v->u.str.ptr, "true") || !strcmp(v->u.str.ptr, "false")))
		return " (quoted or tagged as a string, so not a boolean)";
	if (t == CATALOG_STR && (v->type == VALUE_NUMBER || v->type == VALUE_BOOL))
		return " (quote it to make it a string)";
	if ((t == CATALOG_INT || t == CATALOG_NUM) && v->type == VALUE_STRING &&
	    looks_like_integer(v->u.str.ptr, v->u.str.len))
		return " (quoted or tagged as a string: the API takes a number)";
	return "";
}

/* The text an enum is compared by: a string's, or a number's JSON text. */
static const char *enum_text(const struct value *v, size_t *len)
{
	if (v->type == VALUE_STRING) {
		*len = v->u.str.len;
		return v->u.str.ptr;
	}
	if (v->type == VALUE_NUMBER) {
		*len = strlen(v->u.number);
		return v->u.number;
	}
	return NULL;
}

static void list_enum(struct buf *b, const struct catalog_key *k)
{
	size_t i;

	for (i = 0; i < k->n_enum; i++)
		buf_printf(b, "%s%s", !i ? "" : i + 1 < k->n_enum ? ", " : " or ",
			   catalog_key_enum(k, i));
}

static bool in_enum(const struct catalog_key *k, const struct value *v)
{
	size_t len;
	const char *text = enum_text(v, &len);

	return !text || catalog_key_enum_has(k, text, len);
}

/* ---- settings (top-level create fields) ------------------------------------ */

/* "HH:00", HH from 00 to 23: daily_sync_time's description says "in one hour
 * increments starting from 00:00 to 23:00". */
static bool whole_hour(const char *s, size_t len)
{
	return len == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	       (s[0] - '0') * 10 + (s[1] - '0') <= 23 && !memcmp(s + 2, ":00", 3);
}

static int check_setting(struct conform *cf, const struct catalog_key *k, const struct value *v,
			 const char *path)
{
	char found[RD_DESCRIBE_MAX];
	struct buf want = BUF_INIT;
	bool fits = fits_type(k->type, v) && in_enum(k, v);

	if (fits && k->type == CATALOG_INT && !k->n_enum)
		fits = is_int32_text(v->u.number);
	if (fits && !strcmp(k->name, "daily_sync_time"))
		fits = whole_hour(v->u.str.ptr, v->u.str.len);
	if (fits)
		return 0;
	if (k->n_enum) {
		buf_puts(&want, "one of ");
		list_enum(&want, k);
	} else if (!strcmp(k->name, "daily_sync_time")) {
		buf_puts(&want, "a whole hour from \"00:00\" to \"23:00\"");
	} else {
		buf_puts(&want, k->type == CATALOG_INT ? "a whole number from -2147483648 to 2147483647"
						       : expected_type(k->type));
	}
	rd_fail(cf->r, v, "%s: expected %s, found %s%s", path, buf_str(&want),
		rd_describe(v, found, sizeof found), type_hint(k->type, v));
	buf_free(&want);
	return -1;
}

/* A setting of the service's own config stays in config. */
static bool is_setting_in_config(const struct conform *cf, const char *key)
{
	return catalog_create_field(key) && !catalog_config_key(cf->svc, key);
}

static int take_settings(struct conform *cf, const struct value *item, const struct value *config)
{
	char *beside_path, *inside_path;
	size_t i;
	int rc = 0;

	cf->c->create_fields = value_new_object();
	for (i = 0; i < catalog_create_field_count() && !rc; i++) {
		const struct catalog_key *k = catalog_create_field_at(i);
		const struct value *beside = value_get(item, k->name);
		const struct value *inside = config && !catalog_config_key(cf->svc, k->name) ?
						     value_get(config, k->name) : NULL;

		if (is_controlled(k->name))
			continue;
		beside = beside && beside->type != VALUE_NULL ? beside : NULL;
		inside = inside && inside->type != VALUE_NULL ? inside : NULL;
		if (!beside && !inside)
			continue;
		beside_path = child_path(cf->path, k->name, strlen(k->name));
		inside_path = child_path(cf->config_path, k->name, strlen(k->name));
		if ((beside && check_setting(cf, k, beside, beside_path)) ||
		    (inside && check_setting(cf, k, inside, inside_path)))
			rc = -1;
		else if (beside && inside && !value_equal(beside, inside)) {
			char a[RD_DESCRIBE_MAX], b[RD_DESCRIBE_MAX];
			rc = rd_fail(cf->r, inside,
				     "%s: %s here but %s in %s (line %d:%d): a setting is sent once, "
				     "at the top level; keep one of the two",
				     inside_path, rd_describe(inside, a, sizeof a),
				     rd_describe(beside, b, sizeof b), beside_path, beside->line,
				     beside->col);
		} else {
			value_object_put_c(cf->c->create_fields, k->name,
					   value_clone(beside ? beside : inside));
		}
		free(beside_path);
		free(inside_path);
	}
	return rc;
}

/* ---- naming ------------------------------------------------------------------ */

/* The format a service the catalog does not know is named by: the naming keys
 * its config has. -1 when it has none. */
static int naming_from_config(const struct value *config)
{
	if (value_get(config, "schema_prefix"))
		return CATALOG_NAMING_SCHEMA_PREFIX;
	if (value_get(config, "table_group_name"))
		return CATALOG_NAMING_SCHEMA_TABLE_GROUP;
	if (value_get(config, "table"))
		return CATALOG_NAMING_SCHEMA_TABLE;
	if (value_get(config, "schema"))
		return CATALOG_NAMING_SCHEMA;
	return -1;
}

static int set_naming(struct conform *cf, const struct value *item, const struct value *config)
{
	const struct value *service = value_get(item, "source_service");
	const struct value *target = value_get(item, "target_name");
	const char *name = cf->c->target_name, *dot;
	char found[RD_DESCRIBE_MAX], service_text[RD_DESCRIBE_MAX];
	int naming;

	if (cf->svc) {
		naming = cf->svc->naming;
	} else {
		naming = naming_from_config(config);
		if (naming < 0)
			return rd_fail(cf->r, service,
				       "%s.source_service: %s is not a service of the official API "
				       "definition, and its config names no schema, schema_prefix, "
				       "table or table_group_name, so ccapply cannot tell how to name "
				       "it: add the naming key its API reference gives",
				       cf->path, rd_describe(service, found, sizeof found));
		warn(cf, "CATALOG_UNKNOWN_SERVICE", service,
		     "%s.source_service: %s is not a service of the official API definition; its "
		     "config is sent unchecked, named by its own %s", cf->path,
		     rd_describe(service, found, sizeof found),
		     catalog_naming_keys((enum catalog_naming)naming)[1] ? "schema and table keys"
									 : "naming key");
	}
	cf->c->naming = (enum catalog_naming)naming;
	if (naming != CATALOG_NAMING_SCHEMA_TABLE && naming != CATALOG_NAMING_SCHEMA_TABLE_GROUP)
		return 0;
	dot = strchr(name, '.');
	if (dot && dot != name && dot[1])
		return 0;
	return rd_fail(cf->r, target,
		       "%s.target_name: a %s connection is named \"<schema>.<%s>\" (naming format "
		       "%s of the official definition), found %s",
		       cf->path,
		       cf->svc ? cf->svc->name : rd_describe(service, service_text, sizeof service_text),
		       catalog_naming_keys((enum catalog_naming)naming)[1],
		       catalog_naming_name((enum catalog_naming)naming),
		       rd_describe(target, found, sizeof found));
}

/* ---- config keys --------------------------------------------------------------- */

static int check_members(struct conform *cf, const struct value *obj,
			 const struct catalog_key *parent, const char *path);

/* v (not null) against k: a wrong type is an error, a value outside the enum a
 * warning; mappings and sequences are checked inside as far as k describes. */
static int check_value(struct conform *cf, const struct catalog_key *k, unsigned char type,
		       const struct value *v, const char *path)
{
	char found[RD_DESCRIBE_MAX];
	size_t i;

	if (v->type == VALUE_NULL)
		return 0;
	if (!fits_type(type, v))
		return rd_fail(cf->r, v, "%s: expected %s (%s %s), found %s%s", path,
			       expected_type(type), cf->svc->name,
			       type == k->type ? "config" : "config items",
			       rd_describe(v, found, sizeof found), type_hint(type, v));
	if (type == CATALOG_ARR) {
		struct buf item = BUF_INIT;
		int rc = 0;

		for (i = 0; i < v->u.arr.n && !rc; i++) {
			buf_reset(&item);
			buf_printf(&item, "%s[%zu]", path, i);
			rc = check_value(cf, k, k->item_type, v->u.arr.items[i], item.data);
		}
		buf_free(&item);
		return rc;
	}
	if (type == CATALOG_OBJ)
		return k->n_children ? check_members(cf, v, k, path) : 0;
	if (!in_enum(k, v)) {
		struct buf want = BUF_INIT;

		list_enum(&want, k);
		warn(cf, "CATALOG_VALUE_NOT_IN_ENUM", v,
		     "%s: %s is not one of the values the official definition lists for %s "
		     "(%s); sent as it is", path, rd_describe(v, found, sizeof found),
		     cf->svc->name, buf_str(&want));
		buf_free(&want);
	}
	return 0;
}

/* The members of a config mapping; PARENT NULL for config itself. */
static int check_members(struct conform *cf, const struct value *obj,
			 const struct catalog_key *parent, const char *path)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < obj->u.obj.n && !rc; i++) {
		const struct member *m = &obj->u.obj.items[i];
		char *sub = child_path(path, m->key, m->keylen);
		const struct catalog_key *k = memchr(m->key, '\0', m->keylen) ? NULL :
					      parent ? catalog_key_child(parent, m->key) :
						       catalog_config_key(cf->svc, m->key);

		if (k)
			rc = check_value(cf, k, k->type, m->val, sub);
		else
			warn(cf, "CATALOG_UNKNOWN_KEY", m->val,
			     "%s: not a config key of %s in the official API definition; sent as "
			     "it is", sub, cf->svc->name);
		free(sub);
	}
	return rc;
}

/* config without what is not config: settings, the fields ccapply sets,
 * naming keys and read-only keys. */
static struct value *config_proper(const struct conform *cf, const struct value *config)
{
	struct value *out = value_new_object();
	size_t i;

	out->line = config ? config->line : 0;
	out->col = config ? config->col : 0;
	for (i = 0; config && i < config->u.obj.n; i++) {
		const struct member *m = &config->u.obj.items[i];
		const struct catalog_key *k = catalog_config_key(cf->svc, m->key);
		bool own = k && strlen(m->key) == m->keylen;

		if (!own && strlen(m->key) == m->keylen &&
		    (is_setting_in_config(cf, m->key) || is_controlled(m->key) ||
		     catalog_is_naming_key(m->key)))
			continue;
		if (own && (k->flags & CATALOG_READ_ONLY))
			continue;
		value_object_put(out, m->key, m->keylen, value_clone(m->val));
	}
	return out;
}

int plan_conform_connection(const struct reader *r, struct plan *plan, const struct value *item,
			    const char *path, const struct value *config, struct plan_connection *c)
{
	char *config_path = child_path(path, "config", 6);
	struct conform cf = {
		.r = r, .plan = plan, .c = c, .svc = catalog_service(c->source_service),
		.path = path, .config_path = config_path,
	};
	int rc = take_settings(&cf, item, config) || set_naming(&cf, item, config) ? -1 : 0;

	if (!rc) {
		c->config = config_proper(&cf, config);
		if (cf.svc)
			rc = check_members(&cf, c->config, NULL, config_path);
	}
	free(config_path);
	return rc;
}
