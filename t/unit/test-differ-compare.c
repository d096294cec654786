/*
 * test-differ-compare.c — table-driven tests of differ_compare_connection(),
 * the connection rule on its own, as `ccapply status` uses it: one planned
 * connection against one live item found by id (whatever its name now), with
 * every comparison rule of SPEC §2, plus action_clear().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "differ/differ.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "t/unit/tap.h"

static struct value *parse(const char *text)
{
	struct value *v = NULL;
	struct err err;

	if (json_parse(text, strlen(text), &v, &err)) {
		fprintf(stderr, "bad test JSON: %s\n%s\n", err.msg, text);
		exit(2);
	}
	return v;
}

struct row {
	const char *name;
	const char *config;        /* the plan's config mapping */
	const char *create_fields; /* the plan's top-level create fields */
	const char *credential;    /* one credential field, or NULL */
	const char *live;          /* the live connection item */
	const char *expect;        /* describe() of the result */
};

static void fill(struct plan_connection *c, const struct row *r)
{
	memset(c, 0, sizeof *c);
	c->source_id = xstrdup("src_pg");
	c->source_service = xstrdup("postgres");
	c->target_name = xstrdup("pg_app");
	c->config = parse(r->config);
	c->create_fields = parse(r->create_fields ? r->create_fields : "{}");
	c->credential_fields = xcalloc(2, sizeof *c->credential_fields);
	if (r->credential)
		c->credential_fields[c->n_credential_fields++] = xstrdup(r->credential);
}

static void clear(struct plan_connection *c)
{
	size_t i;

	free(c->source_id);
	free(c->source_service);
	free(c->target_name);
	value_free(c->config);
	value_free(c->create_fields);
	for (i = 0; i < c->n_credential_fields; i++)
		free(c->credential_fields[i]);
	free(c->credential_fields);
}

static void put_json(struct buf *b, const struct value *v)
{
	if (v)
		json_write(b, v, JSON_COMPACT);
	else
		buf_puts(b, "(absent)");
}

/* "action reason id=ID [path=sent/live ...]" */
static char *describe(const struct action *a)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "%s %s id=%s", action_kind_name(a->action), a->reason ? a->reason : "-",
		   a->id ? a->id : "(none)");
	for (i = 0; i < a->n_differences; i++) {
		buf_printf(&b, " %s=", a->differences[i].path);
		put_json(&b, a->differences[i].plan);
		buf_putc(&b, '/');
		put_json(&b, a->differences[i].live);
	}
	return buf_detach(&b);
}

#define ITEM(config) \
	"{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"config\":" config "}"

static const struct row rows[] = {
	{ "what was sent is still there: noop", "{\"host\":\"db\",\"port\":5432}", NULL, NULL,
	  ITEM("{\"schema\":\"pg_app\",\"host\":\"db\",\"port\":5432,\"x\":1}"),
	  "noop ALREADY_EXISTS id=c1" },
	{ "a changed value: its path with sent and live values", "{\"host\":\"db\"}", NULL, NULL,
	  ITEM("{\"schema\":\"pg_app\",\"host\":\"db2\"}"),
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.host=\"db\"/\"db2\"" },
	{ "a removed key: live absent", "{\"host\":\"db\",\"update_method\":\"XMIN\"}", NULL, NULL,
	  ITEM("{\"schema\":\"pg_app\",\"host\":\"db\"}"),
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.update_method=\"XMIN\"/(absent)" },
	{ "the item is compared whatever its name; naming keys are not config (status "
	  "reports a rename)", "{\"host\":\"db\"}", NULL, NULL,
	  "{\"id\":\"c1\",\"schema\":\"other\",\"service\":\"postgres\","
	  "\"config\":{\"schema\":\"other\",\"host\":\"db\"}}",
	  "noop ALREADY_EXISTS id=c1" },
	{ "a credential entered later (masked live) is not drift",
	  "{\"host\":\"db\",\"password\":\"\"}", NULL, "password",
	  ITEM("{\"schema\":\"pg_app\",\"host\":\"db\",\"password\":\"******\"}"),
	  "noop ALREADY_EXISTS id=c1" },
	{ "a listed credential field is never compared, even in clear",
	  "{\"host\":\"db\",\"password\":\"hunter2\"}", NULL, "password",
	  ITEM("{\"schema\":\"pg_app\",\"host\":\"db\",\"password\":\"s3cret\"}"),
	  "noop ALREADY_EXISTS id=c1" },
	{ "a number equals its decimal string", "{\"port\":5432}", NULL, NULL,
	  ITEM("{\"schema\":\"pg_app\",\"port\":\"5432\"}"), "noop ALREADY_EXISTS id=c1" },
	{ "a boolean flipped live", "{\"is_sandbox\":false}", NULL, NULL,
	  ITEM("{\"schema\":\"pg_app\",\"is_sandbox\":true}"),
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.is_sandbox=false/true" },
	{ "a create field changed live", "{}", "{\"sync_frequency\":360}", NULL,
	  "{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"sync_frequency\":60,"
	  "\"config\":{\"schema\":\"pg_app\"}}",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 sync_frequency=360/60" },
	{ "a create field the item does not report is not compared", "{}",
	  "{\"sync_frequency\":360}", NULL, ITEM("{\"schema\":\"pg_app\"}"),
	  "noop ALREADY_EXISTS id=c1" },
	{ "another service", "{}", NULL, NULL,
	  "{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"mysql\","
	  "\"config\":{\"schema\":\"pg_app\"}}",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 service=\"postgres\"/\"mysql\"" },
	{ "an item without config: every sent key differs", "{\"host\":\"db\"}", NULL, NULL,
	  "{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\"}",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.host=\"db\"/(absent)" },
	{ "an item without id", "{}", NULL, NULL,
	  "{\"schema\":\"pg_app\",\"service\":\"postgres\",\"config\":{\"schema\":\"pg_app\"}}",
	  "noop ALREADY_EXISTS id=(none)" },
};

static void test_row(const struct row *r)
{
	struct plan_connection c;
	struct value *item = parse(r->live);
	struct action a;
	char *got;

	fill(&c, r);
	memset(&a, 0, sizeof a);
	a.id = xstrdup("stale"); /* replaced, not leaked */
	differ_compare_connection(&c, "target_group", item, &a);
	got = describe(&a);
	is_str(got, r->expect, "%s", r->name);
	free(got);
	action_clear(&a);
	ok(!a.id && !a.differences && !a.n_differences && !a.reason,
	   "%s: action_clear leaves the action zeroed", r->name);
	value_free(item);
	clear(&c);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		test_row(&rows[i]);
	return done_testing();
}
