/*
 * test-yaml.c — unit tests of lib/yaml.c, table-driven.
 *
 * Each row is YAML text and what it must load as: compact JSON for documents
 * that load, or the exact start of the error ("t.yaml:LINE:COL: message") for
 * documents that must be refused. Input comes from fmemopen(), so nothing
 * touches the disk except the missing-file case. Generated inputs (deep
 * nesting, big mappings, alias bombs) are built in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "lib/value.h"
#include "lib/yaml.h"
#include "t/unit/tap.h"

struct row {
	const char *yaml;
	const char *want; /* compact JSON, or the start of the error message */
};

/* A test description on one line: TAP ends a description at a newline. */
static const char *oneline(const char *s)
{
	static char out[120];
	size_t i;

	for (i = 0; s[i] && i + 4 < sizeof out; i++)
		out[i] = s[i] == '\n' ? '|' : s[i];
	strcpy(out + i, s[i] ? "..." : "");
	return out;
}

/* Load text; on success the compact JSON in *json, else the error message.
 * Returns the yaml_load() status. */
static int load_text(const char *text, size_t len, const struct yaml_options *opts,
		     struct buf *result)
{
	FILE *f = len ? fmemopen((void *)text, len, "r") : fopen("/dev/null", "r");
	struct value *v = NULL;
	struct err err;
	int rc;

	buf_reset(result);
	if (!f) {
		buf_puts(result, "fmemopen failed");
		return -2;
	}
	rc = yaml_load(f, "t.yaml", opts, &v, &err);
	fclose(f);
	if (rc)
		buf_puts(result, err.msg);
	else
		json_write(result, v, JSON_COMPACT);
	value_free(v);
	return rc;
}

static void check_loads(const struct row *rows, size_t n, const struct yaml_options *opts,
			const char *what)
{
	struct buf got = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		int rc = load_text(rows[i].yaml, strlen(rows[i].yaml), opts, &got);
		if (rc)
			diag("error: %s", buf_str(&got));
		is_str(rc ? NULL : buf_str(&got), rows[i].want, "%s: %s", what,
		       oneline(rows[i].yaml));
	}
	buf_free(&got);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void check_fails(const struct row *rows, size_t n, const struct yaml_options *opts,
			const char *what)
{
	struct buf got = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		int rc = load_text(rows[i].yaml, strlen(rows[i].yaml), opts, &got);
		if (!ok(rc == -1 && starts_with(buf_str(&got), rows[i].want), "%s: %s", what,
			oneline(rows[i].yaml)))
			diag("got (rc %d): %s\n#   expected start: %s", rc, buf_str(&got),
			     rows[i].want);
	}
	buf_free(&got);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TEXT(literal) literal, sizeof(literal) - 1 /* text and length, NULs included */

static const struct row core_schema[] = {
	/* null */
	{ "a: null\nb: Null\nc: NULL\nd: ~\ne:\n", "{\"a\":null,\"b\":null,\"c\":null,"
	  "\"d\":null,\"e\":null}" },
	{ "[nULL, nul, 'null', \"~\"]", "[\"nULL\",\"nul\",\"null\",\"~\"]" },
	/* booleans; YAML 1.1 words stay strings */
	{ "[true, True, TRUE, false, False, FALSE]", "[true,true,true,false,false,false]" },
	{ "[tRUE, yes, no, on, off, Yes, y, n]",
	  "[\"tRUE\",\"yes\",\"no\",\"on\",\"off\",\"Yes\",\"y\",\"n\"]" },
	{ "['true', \"false\"]", "[\"true\",\"false\"]" },
	/* integers */
	{ "[0, 1440, -7, +12, 007, -0012, 00]", "[0,1440,-7,12,7,-12,0]" },
	{ "[0o17, 0o0, 0x1F, 0xff, 0x0]", "[15,0,31,255,0]" },
	{ "0xFFFFFFFFFFFFFFFFFFFFFFFF", "79228162514264337593543950335" },
	{ "0o777777777777777777777777", "4722366482869645213695" },
	{ "- 0x\n- 0o\n- 0o8\n- 0xg\n- -0x10\n- 1_000\n- 0b101\n- 1,000\n",
	  "[\"0x\",\"0o\",\"0o8\",\"0xg\",\"-0x10\",\"1_000\",\"0b101\",\"1,000\"]" },
	{ "12345678901234567890123", "12345678901234567890123" },
	/* floats */
	{ "[1.5, .5, -.5, +.5, 1., 0.0, 00.10, -1.5e+10, 1e5, 1E-3, 1.e2, .5E+07]",
	  "[1.5,0.5,-0.5,0.5,1.0,0.0,0.10,-1.5e+10,1e5,1E-3,1.0e2,0.5E+07]" },
	{ "- 1.2.3\n- 1e\n- e5\n- .\n- -x\n- +\n- 1e+\n- .e5\n- 12:30\n",
	  "[\"1.2.3\",\"1e\",\"e5\",\".\",\"-x\",\"+\",\"1e+\",\".e5\",\"12:30\"]" },
	/* quoted and block scalars are strings */
	{ "a: '1440'\nb: \"12\"\nc: |\n  7\nd: >-\n  8\n",
	  "{\"a\":\"1440\",\"b\":\"12\",\"c\":\"7\\n\",\"d\":\"8\"}" },
	{ "['.inf', \".nan\"]", "[\".inf\",\".nan\"]" },
	/* plain strings that merely look special */
	{ "[.infinity, inf, nan, -inf, .Nan, 2024-01-01]",
	  "[\".infinity\",\"inf\",\"nan\",\"-inf\",\".Nan\",\"2024-01-01\"]" },
	/* keys are the JSON text of the scalar */
	{ "1: a\nnull: b\ntrue: c\n0x10: d\n1.5: e\n~x: f\n",
	  "{\"1\":\"a\",\"null\":\"b\",\"true\":\"c\",\"16\":\"d\",\"1.5\":\"e\",\"~x\":\"f\"}" },
	{ "~: a\n", "{\"null\":\"a\"}" },
	{ "? \n: a\n", "{\"null\":\"a\"}" },
	/* documents */
	{ "", "null" },
	{ "# nothing but a comment\n", "null" },
	{ "---\n", "null" },
	{ "--- 5\n...\n", "5" },
	{ "---\na: 1\n", "{\"a\":1}" },
	{ "%YAML 1.2\n---\n[a]\n", "[\"a\"]" },
	/* member order is document order; positions do not matter */
	{ "b: 1\na: 2\nc: {z: 1, y: 2}\n", "{\"b\":1,\"a\":2,\"c\":{\"z\":1,\"y\":2}}" },
	{ "- [[], {}]\n- []\n", "[[[],{}],[]]" },
};

static const struct row tags[] = {
	{ "[!!str 123, !!str true, !!str null, !!str, !!str 1.5]",
	  "[\"123\",\"true\",\"null\",\"\",\"1.5\"]" },
	{ "[!!int 12, !!int \"0x10\", !!int '-3', !!int 0o7]", "[12,16,-3,7]" },
	{ "[!!float 1, !!float '.5', !!float -2e3]", "[1,0.5,-2e3]" },
	{ "[!!bool true, !!bool 'False']", "[true,false]" },
	{ "[!!null '', !!null ~, !!null null, !!null]", "[null,null,null,null]" },
	{ "!!map {a: 1}", "{\"a\":1}" },
	{ "!!seq [1]", "[1]" },
	{ "a: !<tag:yaml.org,2002:str> 5\n", "{\"a\":\"5\"}" },
	/* other tags are ignored: the node loads as if untagged */
	{ "[!foo 12, !!binary AAAA, !bar true, !!timestamp 2001-12-14, !<!x> ~]",
	  "[12,\"AAAA\",true,\"2001-12-14\",null]" },
	{ "!!set {a: null}", "{\"a\":null}" },
	{ "!!omap [a: 1]", "[{\"a\":1}]" },
	{ "%TAG !e! tag:example.com,2000:\n---\n!e!thing [1, !e!x 2]\n", "[1,2]" },
	/* the non-specific tag "!" makes a scalar a string */
	{ "[! 12, ! true]", "[\"12\",\"true\"]" },
	/* tagged keys */
	{ "!!str 1: a\n!!int '2': b\n", "{\"1\":\"a\",\"2\":\"b\"}" },
};

static const struct row tag_errors[] = {
	{ "a: !!int abc\n", "t.yaml:1:4: !!int value \"abc\" is not an integer" },
	{ "a: !!int 1.5\n", "t.yaml:1:4: !!int value \"1.5\" is not an integer" },
	{ "- !!float x\n", "t.yaml:1:3: !!float value \"x\" is not a number" },
	{ "- !!bool yes\n", "t.yaml:1:3: !!bool value \"yes\" is not a boolean" },
	{ "- !!null 0\n", "t.yaml:1:3: !!null value \"0\" is not null" },
	{ "a: !!map 1\n", "t.yaml:1:4: !!map tag on a scalar" },
	{ "a: !!seq {}\n", "t.yaml:1:4: !!seq tag on a mapping" },
	{ "a: !!map []\n", "t.yaml:1:4: !!map tag on a sequence" },
	{ "a: !!str [1]\n", "t.yaml:1:4: !!str tag on a sequence" },
	{ "a:\n  b: !!int {}\n", "t.yaml:2:6: !!int tag on a mapping" },
	{ "a: !!float .inf\n", "t.yaml:1:4: a: \".inf\" is not a number JSON can represent" },
};

static const struct row aliases[] = {
	{ "a: &x 1\nb: *x\n", "{\"a\":1,\"b\":1}" },
	{ "a: &x {b: [1, 2]}\nc: *x\nd: *x\n",
	  "{\"a\":{\"b\":[1,2]},\"c\":{\"b\":[1,2]},\"d\":{\"b\":[1,2]}}" },
	/* a later anchor with the same name replaces the earlier one */
	{ "a: &x 1\nb: *x\nc: &x [2]\nd: *x\n", "{\"a\":1,\"b\":1,\"c\":[2],\"d\":[2]}" },
	/* a scalar alias can be a key; its member name is the scalar's */
	{ "a: &k key\n*k : v\n", "{\"a\":\"key\",\"key\":\"v\"}" },
	{ "&k 7: a\nb: *k\n", "{\"7\":\"a\",\"b\":7}" },
	/* an anchor on a nested node, aliased after its parent closed */
	{ "a: [1, &in {b: 2}]\nc: *in\n", "{\"a\":[1,{\"b\":2}],\"c\":{\"b\":2}}" },
	/* copies are independent of the original (deep copy) */
	{ "a: &x [1]\nb: [*x, *x]\n", "{\"a\":[1],\"b\":[[1],[1]]}" },
	/* tags on the anchored node apply to every copy */
	{ "a: &x !!str 5\nb: *x\n", "{\"a\":\"5\",\"b\":\"5\"}" },
};

static const struct row alias_errors[] = {
	{ "a: *nope\n", "t.yaml:1:4: alias *nope refers to no anchor defined before it" },
	{ "a: *x\nb: &x 1\n", "t.yaml:1:4: alias *x refers to no anchor defined before it" },
	{ "a: &x [1, *x]\n", "t.yaml:1:11: alias *x refers to a node that contains it" },
	{ "a: &x {b: *x}\n", "t.yaml:1:11: alias *x refers to a node that contains it" },
	{ "a: &x [1]\n*x : v\n", "t.yaml:2:1: a mapping key must be a scalar, not a sequence" },
	{ "a: &x {b: 1}\n*x : v\n", "t.yaml:2:1: a mapping key must be a scalar, not a mapping" },
};

static const struct row structure_errors[] = {
	/* duplicate keys, at the second key's position */
	{ "a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\"" },
	{ "x:\n  k: 1\n  'k': 2\n", "t.yaml:3:3: duplicate key \"k\"" },
	{ "{a: 1, b: {c: 2, c: 3}}", "t.yaml:1:18: duplicate key \"c\"" },
	{ "1: a\n\"1\": b\n", "t.yaml:2:1: duplicate key \"1\"" },
	{ "1: a\n01: b\n", "t.yaml:2:1: duplicate key \"1\"" },
	{ "16: a\n0x10: b\n", "t.yaml:2:1: duplicate key \"16\"" },
	{ "true: a\nTrue: b\n", "t.yaml:2:1: duplicate key \"true\"" },
	{ "null: a\n~: b\n", "t.yaml:2:1: duplicate key \"null\"" },
	{ "a: &k x\nx: 1\n*k : 2\n", "t.yaml:3:1: duplicate key \"x\"" },
	/* non-scalar keys */
	{ "? [a]\n: b\n", "t.yaml:1:3: a mapping key must be a scalar, not a sequence" },
	{ "? {a: 1}\n: b\n", "t.yaml:1:3: a mapping key must be a scalar, not a mapping" },
	{ "x:\n  [a, b]: c\n", "t.yaml:2:3: a mapping key must be a scalar, not a sequence" },
	/* .inf and .nan */
	{ "a: .inf\n", "t.yaml:1:4: a: \".inf\" is not a number JSON can represent" },
	{ "a: [1, -.Inf]\n", "t.yaml:1:8: a[1]: \"-.Inf\" is not a number JSON can represent" },
	{ "- +.INF\n", "t.yaml:1:3: [0]: \"+.INF\" is not a number JSON can represent" },
	{ "- .nan\n", "t.yaml:1:3: [0]: \".nan\" is not a number JSON can represent" },
	{ "a:\n  b: .NaN\n", "t.yaml:2:6: a.b: \".NaN\" is not a number JSON can represent" },
	{ ".NAN: 1\n", "t.yaml:1:1: \".NAN\" is not a number JSON can represent" },
	/* more than one document: at the second one's start */
	{ "a: 1\n---\nb: 2\n", "t.yaml:2:1: more than one document" },
	{ "--- a\n--- b\n", "t.yaml:2:1: more than one document" },
	{ "a: 1\n...\nb: 2\n", "t.yaml:3:1: more than one document" },
	{ "a: 1\n---\n", "t.yaml:2:1: more than one document" },
	/* an implicit second document starting with an empty node: at its tag
	 * or anchor (the first document's root must not be replaced, and so
	 * leaked: fuzz/regress/yaml-second-document-leak.yaml) */
	{ "1\n...\n!x\n", "t.yaml:3:1: more than one document" },
	{ "1\n...\n&a\n", "t.yaml:3:1: more than one document" },
	{ "[1]\n...\n!!str\n", "t.yaml:3:1: more than one document" },
	/* syntax errors carry libfyaml's position */
	{ "a: [1, 2\n", "t.yaml:" },
	{ "a: 'x\n", "t.yaml:" },
	{ "foo:\n  bar\ninvalid\n", "t.yaml:3:1: " },
	{ "- a\nb: 1\n", "t.yaml:2:1: " },
	/* an over-long 0x literal is refused rather than converted slowly */
	{ "a: 0x1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789012345678901234567890\n",
	  "t.yaml:1:4: integer literal has more than 1024 digits" },
};

/* --- generated inputs ----------------------------------------------------- */

static void nested_flow(struct buf *b, size_t depth)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < depth; i++)
		buf_putc(b, '[');
	for (i = 0; i < depth; i++)
		buf_putc(b, ']');
	buf_putc(b, '\n');
}

static void test_depth_limit(void)
{
	struct buf yaml = BUF_INIT, got = BUF_INIT;
	char want[64];

	nested_flow(&yaml, YAML_MAX_DEPTH);
	ok(load_text(yaml.data, yaml.len, NULL, &got) == 0, "%d nested sequences load",
	   YAML_MAX_DEPTH);
	nested_flow(&yaml, YAML_MAX_DEPTH + 1);
	snprintf(want, sizeof want, "t.yaml:1:%d: nesting deeper than %d levels",
		 YAML_MAX_DEPTH + 1, YAML_MAX_DEPTH);
	load_text(yaml.data, yaml.len, NULL, &got);
	is_str(buf_str(&got), want, "%d nested sequences are refused at the innermost",
	       YAML_MAX_DEPTH + 1);

	/* an alias cannot smuggle in depth beyond the limit either */
	nested_flow(&yaml, YAML_MAX_DEPTH - 1);
	yaml.len--; /* drop the newline */
	buf_reset(&got);
	{
		struct buf doc = BUF_INIT;
		buf_puts(&doc, "a: &deep ");
		buf_append(&doc, yaml.data, yaml.len);
		buf_puts(&doc, "\nb: [*deep]\n");
		load_text(doc.data, doc.len, NULL, &got);
		ok(starts_with(buf_str(&got), "t.yaml:2:5: nesting deeper than"),
		   "an alias that would nest too deep is refused: %s", buf_str(&got));
		buf_free(&doc);
	}
	buf_free(&yaml);
	buf_free(&got);
}

/* "billion laughs": level k is a sequence of 10 aliases of level k-1. */
static void bomb(struct buf *b, int levels, const char *leaf)
{
	int k, j;

	buf_reset(b);
	buf_printf(b, "l0: &l0 %s\n", leaf);
	for (k = 1; k <= levels; k++) {
		buf_printf(b, "l%d: &l%d [", k, k);
		for (j = 0; j < 10; j++)
			buf_printf(b, "%s*l%d", j ? ", " : "", k - 1);
		buf_puts(b, "]\n");
	}
}

static bool never_discard(const char *key, size_t depth, void *ctx)
{
	(void)key, (void)depth, (void)ctx;
	return false;
}

static void test_alias_bound(void)
{
	struct buf yaml = BUF_INIT, got = BUF_INIT;
	struct yaml_options small = { .max_alias_nodes = 1000 };
	char *big_leaf;
	int rc;

	bomb(&yaml, 9, "lol");
	load_text(yaml.data, yaml.len, NULL, &got);
	ok(starts_with(buf_str(&got), "t.yaml:") &&
	   strstr(buf_str(&got), "alias expansion exceeds 1000000 nodes"),
	   "billion laughs is refused by the default bound: %s", buf_str(&got));

	/* the bound counts every node the aliases stand for: 10 + 100 + 1000 */
	bomb(&yaml, 3, "x");
	rc = load_text(yaml.data, yaml.len, &small, &got);
	ok(rc == -1 && starts_with(buf_str(&got), "t.yaml:4:") &&
	   strstr(buf_str(&got), "alias expansion exceeds 1000 nodes"),
	   "a bound of 1000 stops three levels: %s", buf_str(&got));
	bomb(&yaml, 2, "x");
	ok(load_text(yaml.data, yaml.len, &small, &got) == 0,
	   "a bound of 1000 lets two levels through");

	/* the bound is on the total: many small aliases add up */
	buf_reset(&yaml);
	buf_puts(&yaml, "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb:\n");
	for (int i = 0; i < 100; i++)
		buf_puts(&yaml, "  - *a\n");
	ok(load_text(yaml.data, yaml.len, &small, &got) == 0,
	   "100 aliases of 10 nodes fit a bound of 1000");
	buf_puts(&yaml, "  - *a\n");
	load_text(yaml.data, yaml.len, &small, &got);
	is_str(buf_str(&got), "t.yaml:103:5: alias expansion exceeds 1000 nodes (at alias *a)",
	       "the 101st alias of 10 nodes exceeds a bound of 1000");

	/* a long string counts by its size, so a string bomb is bounded too */
	big_leaf = xmalloc(100002);
	memset(big_leaf, 'x', 100000);
	big_leaf[100000] = '\0';
	bomb(&yaml, 5, big_leaf);
	load_text(yaml.data, yaml.len, NULL, &got);
	ok(strstr(buf_str(&got), "alias expansion exceeds"),
	   "a bomb of long strings is refused: %.80s", buf_str(&got));
	free(big_leaf);

	/* aliases inside a discarded subtree count as well */
	{
		struct buf doc = BUF_INIT;
		struct yaml_options opts = { .discard = never_discard, .max_alias_nodes = 1000 };
		bomb(&yaml, 3, "x");
		buf_puts(&doc, "skip:\n");
		buf_puts(&doc, "  ");
		for (size_t i = 0; i < yaml.len; i++) {
			buf_putc(&doc, yaml.data[i]);
			if (yaml.data[i] == '\n' && i + 1 < yaml.len)
				buf_puts(&doc, "  ");
		}
		load_text(doc.data, doc.len, &opts, &got);
		ok(strstr(buf_str(&got), "alias expansion exceeds 1000 nodes") != NULL,
		   "the bound holds under a nested key: %s", buf_str(&got));
		buf_free(&doc);
	}
	buf_free(&yaml);
	buf_free(&got);
}

/* A mapping with n keys k0..k(n-1), except that line dup_line (if > 0)
 * repeats key k<dup_of>. */
static void big_mapping(struct buf *b, size_t n, long dup_line, size_t dup_of)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++) {
		if ((long)i + 1 == dup_line)
			buf_printf(b, "k%zu: dup\n", dup_of);
		else
			buf_printf(b, "k%zu: %zu\n", i, i);
	}
}

static void test_big_mappings(void)
{
	struct buf yaml = BUF_INIT, got = BUF_INIT;

	big_mapping(&yaml, 50000, -1, 0);
	ok(load_text(yaml.data, yaml.len, NULL, &got) == 0, "50000 distinct keys load");
	big_mapping(&yaml, 50000, 49000, 0);
	load_text(yaml.data, yaml.len, NULL, &got);
	is_str(buf_str(&got), "t.yaml:49000:1: duplicate key \"k0\"",
	       "a duplicate of the first of 50000 keys is found at its line");
	big_mapping(&yaml, 50000, 49000, 40000);
	load_text(yaml.data, yaml.len, NULL, &got);
	is_str(buf_str(&got), "t.yaml:49000:1: duplicate key \"k40000\"",
	       "a duplicate of a late key among 50000 is found at its line");
	big_mapping(&yaml, 5, 5, 3);
	load_text(yaml.data, yaml.len, NULL, &got);
	is_str(buf_str(&got), "t.yaml:5:1: duplicate key \"k3\"",
	       "a duplicate in a small mapping is found at its line");
	buf_free(&yaml);
	buf_free(&got);
}

/* --- the discard option --------------------------------------------------- */

struct discard_log {
	const char *key;
	size_t depth;
	size_t asked;
	struct buf seen; /* "key@depth " for each question */
};

static bool discard_key_at(const char *key, size_t depth, void *ctx)
{
	struct discard_log *log = ctx;

	log->asked++;
	buf_printf(&log->seen, "%s@%zu ", key, depth);
	return depth == log->depth && !strcmp(key, log->key);
}

static const char plan_like[] =
	"schema_version: 1\n"
	"connections:\n"
	"  - source_id: a\n"
	"    schema_config:\n"
	"      tables:\n"
	"        - {name: t1, columns: [{name: c1}, {name: c2}]}\n"
	"    target_name: x\n"
	"  - source_id: b\n"
	"    schema_config: {tables: []}\n";

static const struct row discard_rows[] = {
	{ plan_like, "{\"schema_version\":1,\"connections\":[{\"source_id\":\"a\","
	  "\"target_name\":\"x\"},{\"source_id\":\"b\"}]}" },
	/* the same key at another depth is kept */
	{ "schema_config: 1\nx: [[{schema_config: 2}]]\n",
	  "{\"schema_config\":1,\"x\":[[{\"schema_config\":2}]]}" },
	{ "c:\n  - schema_config: &s {t: [1]}\n    copy: *s\n",
	  "{\"c\":[{\"copy\":{\"t\":[1]}}]}" },
	/* anchors inside a discarded subtree still serve aliases outside it */
	{ "c:\n  - schema_config:\n      tables: &t [a, {b: &u 1}]\n    x: *t\n    y: *u\n",
	  "{\"c\":[{\"x\":[\"a\",{\"b\":1}],\"y\":1}]}" },
	{ "c:\n  - schema_config: [&k name]\n    *k : 1\n", "{\"c\":[{\"name\":1}]}" },
};

static const struct row discard_errors[] = {
	{ "c:\n  - schema_config:\n      tables: {a: 1, a: 2}\n",
	  "t.yaml:3:22: duplicate key \"a\"" },
	{ "c:\n  - schema_config:\n      tables:\n        - x: .inf\n",
	  "t.yaml:4:14: c[0].schema_config.tables[0].x: \".inf\" is not a number JSON can "
	  "represent" },
	{ "c:\n  - schema_config:\n      t: !!int abc\n",
	  "t.yaml:3:10: !!int value \"abc\" is not an integer" },
	{ "c:\n  - schema_config:\n      t: !!map [1]\n", "t.yaml:3:10: !!map tag on a sequence" },
	{ "c:\n  - schema_config:\n      ? [a]\n      : 1\n",
	  "t.yaml:3:9: a mapping key must be a scalar, not a sequence" },
	{ "c:\n  - schema_config:\n      t: *missing\n",
	  "t.yaml:3:10: alias *missing refers to no anchor defined before it" },
	{ "c:\n  - schema_config:\n      t: [1, 2\n", "t.yaml:" },
	{ "c:\n  - schema_config: a\n    schema_config: b\n",
	  "t.yaml:3:5: duplicate key \"schema_config\"" },
	{ "c:\n  - schema_config:\n      - .nan\n",
	  "t.yaml:3:9: c[0].schema_config[0]: \".nan\" is not a number JSON can represent" },
};

static void test_discard(void)
{
	struct discard_log log = { "schema_config", 2, 0, BUF_INIT };
	struct yaml_options opts = { .discard = discard_key_at, .ctx = &log };
	struct buf got = BUF_INIT;

	check_loads(discard_rows, N(discard_rows), &opts, "discard");
	check_fails(discard_errors, N(discard_errors), &opts, "discarded but checked");

	/* the callback is asked about the keys of kept mappings only, with the
	 * depth of the mapping that holds them */
	buf_reset(&log.seen);
	load_text(plan_like, strlen(plan_like), &opts, &got);
	is_str(buf_str(&log.seen), "schema_version@0 connections@0 source_id@2 schema_config@2 "
	       "target_name@2 source_id@2 schema_config@2 ", "discard is asked key by key");
	buf_free(&log.seen);
	buf_free(&got);
}

/* --- numbers a double cannot hold ------------------------------------------ */

static const struct row number_range_ok[] = {
	/* at the edge: DBL_MAX and what rounds down to it */
	{ "[1e308, -1e308, 1.7976931348623157e308, 1.7976931348623158e308, 0.01e310, 1000e305]",
	  "[1e308,-1e308,1.7976931348623157e308,1.7976931348623158e308,0.01e310,1000e305]" },
	/* too small is near zero, not an error; zero with any exponent is zero */
	{ "[1e-400, -1e-400, 0e999999999999999999999, 0.000e400, 00001e300]",
	  "[1e-400,-1e-400,0e999999999999999999999,0.000e400,1e300]" },
	/* long fractions and exponents that cancel */
	{ "[0.000000000000000000000000000001e330, 123456789012345678901234567890e-30]",
	  "[0.000000000000000000000000000001e330,123456789012345678901234567890e-30]" },
};

static const struct row number_range_errors[] = {
	{ "port: 1e400\n", "t.yaml:1:7: port: \"1e400\" is out of range: too large for a number" },
	{ "- -1e400\n", "t.yaml:1:3: [0]: \"-1e400\" is out of range" },
	{ "a: 1.7976931348623159e308\n",
	  "t.yaml:1:4: a: \"1.7976931348623159e308\" is out of range" },
	{ "a: [10e308]\n", "t.yaml:1:5: a[0]: \"10e308\" is out of range" },
	{ "a: 0.1e310\n", "t.yaml:1:4: a: \"0.1e310\" is out of range" },
	{ "a: +1E+99999999999999999999999\n", "t.yaml:1:4: a: \"+1E+99999999999999999999999\" is "
	  "out of range" },
	{ "a: !!float 1e400\n", "t.yaml:1:4: a: \"1e400\" is out of range" },
	{ "1e400: a\n", "t.yaml:1:1: \"1e400\" is out of range" },
	{ "a:\n  b: {c: [x, 2e999]}\n", "t.yaml:2:14: a.b.c[1]: \"2e999\" is out of range" },
};

/* Integers are exact decimal text of any length; a float of the same digits
 * is a double and may overflow. */
static void test_long_numbers(void)
{
	struct buf doc = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	int i, rc;

	buf_puts(&doc, "[1");
	buf_puts(&want, "[1");
	for (i = 0; i < 400; i++) {
		buf_putc(&doc, '0');
		buf_putc(&want, '0');
	}
	buf_puts(&doc, ", -99999999999999999999999999999999999999]");
	buf_puts(&want, ",-99999999999999999999999999999999999999]");
	rc = load_text(doc.data, doc.len, NULL, &got);
	is_str(rc ? NULL : buf_str(&got), buf_str(&want), "a 401-digit integer is kept exactly");

	buf_reset(&doc);
	buf_puts(&doc, "!!float 1");
	for (i = 0; i < 400; i++)
		buf_putc(&doc, '0');
	rc = load_text(doc.data, doc.len, NULL, &got);
	ok(rc == -1 && strstr(buf_str(&got), "is out of range"),
	   "the same digits tagged !!float overflow: %s", buf_str(&got));
	buf_free(&doc);
	buf_free(&want);
	buf_free(&got);
}

/* --- shapes of discarded values ------------------------------------------- */

static const char *const modes[] = { "A", "B", NULL };
static const struct yaml_shape string_shape = { .kind = YAML_SHAPE_STRING };
static const struct yaml_shape item_members[] = {
	{ .key = "name", .kind = YAML_SHAPE_STRING },
	{ .key = "on", .kind = YAML_SHAPE_BOOL },
	{ .key = "mode", .kind = YAML_SHAPE_ENUM, .allowed = modes },
	{ .key = "any", .kind = YAML_SHAPE_ANY },
	{ .key = NULL },
};
static const struct yaml_shape item_shape = { .kind = YAML_SHAPE_MAPPING, .children = item_members };
static const struct yaml_shape top_members[] = {
	{ .key = "items", .kind = YAML_SHAPE_SEQUENCE, .items = &item_shape },
	{ .key = "names", .kind = YAML_SHAPE_SEQUENCE, .items = &string_shape },
	{ .key = NULL },
};
static const struct yaml_shape top_shape = { .kind = YAML_SHAPE_MAPPING, .children = top_members };

static bool discard_s(const char *key, size_t depth, void *ctx)
{
	(void)ctx;
	return depth == 0 && !strcmp(key, "s");
}

/* Discarded, so each loads as what is left: {} or the kept keys. */
static const struct row shape_ok[] = {
	{ "s:\n", "{}" },
	{ "s: {}\nk: 1\n", "{\"k\":1}" },
	{ "s: {items: [], names: []}\n", "{}" },
	{ "s: {items: [{name: a, on: true, mode: A, any: [1, {x: .5}], extra: [5]}]}\n", "{}" },
	/* null (or empty) for a member means not set */
	{ "s: {items: [{name: null, on: ~, mode: , any: }], names: }\n", "{}" },
	/* the core schema decides the type; tags apply */
	{ "s: {items: [{name: 'true', on: !!bool 'false', mode: !!str B}]}\n", "{}" },
	{ "s: {items: [{name: \"12\", on: FALSE}, {name: ! 12, on: True}]}\n", "{}" },
	{ "s:\n  names:\n    - plain\n    - 'single'\n    - \"double\"\n    - |\n      block\n",
	  "{}" },
	/* unknown members are anything */
	{ "s: {unknown: {deep: [1, 2]}, items: [{x: {y: z}}]}\n", "{}" },
	{ "s: {items: [{1: x, null: y, true: z}]}\n", "{}" },
	/* aliases are checked by what they stand for */
	{ "a: &n {name: x, on: true}\ns: {items: [*n, *n]}\n",
	  "{\"a\":{\"name\":\"x\",\"on\":true}}" },
	{ "a: &v B\ns: {items: [{mode: *v}]}\n", "{\"a\":\"B\"}" },
	/* anchors inside the discarded value are checked too, and still serve */
	{ "s: {items: [&i {name: x}], names: [&z q]}\nk: *i\nz: *z\n",
	  "{\"k\":{\"name\":\"x\"},\"z\":\"q\"}" },
};

static const struct row shape_errors[] = {
	{ "s: 5\n", "t.yaml:1:4: s: expected a mapping, found the number 5" },
	{ "s: [a]\n", "t.yaml:1:4: s: expected a mapping, found a sequence" },
	{ "s: text\n", "t.yaml:1:4: s: expected a mapping, found \"text\"" },
	{ "s: {items: {}}\n", "t.yaml:1:12: s.items: expected a sequence, found a mapping" },
	{ "s: {items: [null]}\n", "t.yaml:1:13: s.items[0]: expected a mapping, found null" },
	{ "s: {items: [{}, ~]}\n", "t.yaml:1:17: s.items[1]: expected a mapping, found null" },
	{ "s: {items: [{}, {name: 12}]}\n", "t.yaml:1:24: s.items[1].name: expected a string, "
	  "found the number 12 (quote it to make it a string)" },
	{ "s: {items: [{name: true}]}\n", "t.yaml:1:20: s.items[0].name: expected a string, "
	  "found the boolean true (quote it to make it a string)" },
	{ "s: {items: [{name: [x]}]}\n", "t.yaml:1:20: s.items[0].name: expected a string, "
	  "found a sequence" },
	{ "s: {items: [{on: \"true\"}]}\n", "t.yaml:1:18: s.items[0].on: expected true or false, "
	  "found \"true\" (quoted or tagged as a string, so not a boolean)" },
	{ "s: {items: [{on: yes}]}\n", "t.yaml:1:18: s.items[0].on: expected true or false, "
	  "found \"yes\"" },
	{ "s: {items: [{on: ! true}]}\n", "t.yaml:1:18: s.items[0].on: expected true or false, "
	  "found \"true\"" },
	{ "s: {items: [{on: !!str false}]}\n", "t.yaml:1:18: s.items[0].on: expected true or "
	  "false, found \"false\"" },
	{ "s: {items: [{on: 1}]}\n", "t.yaml:1:18: s.items[0].on: expected true or false, "
	  "found the number 1" },
	{ "s: {items: [{mode: C}]}\n", "t.yaml:1:20: s.items[0].mode: expected one of A, B, "
	  "found \"C\"" },
	{ "s: {items: [{mode: a}]}\n", "t.yaml:1:20: s.items[0].mode: expected one of A, B, "
	  "found \"a\"" },
	{ "s: {items: [{mode: 'A '}]}\n", "t.yaml:1:20: s.items[0].mode: expected one of A, B, "
	  "found \"A \"" },
	{ "s: {items: [{mode: {}}]}\n", "t.yaml:1:20: s.items[0].mode: expected one of A, B, "
	  "found a mapping" },
	{ "s: {names: [a, 1]}\n",
	  "t.yaml:1:16: s.names[1]: expected a string, found the number 1" },
	{ "s:\n  items:\n    - name: x\n    - name: y\n      on: maybe\n",
	  "t.yaml:5:11: s.items[1].on: expected true or false, found \"maybe\"" },
	/* through aliases: at the alias, with the path inside what it copies */
	{ "a: &n {name: 5}\ns: {items: [*n]}\n", "t.yaml:2:13: s.items[0].name: expected a string, "
	  "found the number 5" },
	{ "a: &v maybe\ns: {items: [{on: *v}]}\n", "t.yaml:2:18: s.items[0].on: expected true or "
	  "false, found \"maybe\"" },
	{ "a: &x [1]\ns: *x\n", "t.yaml:2:4: s: expected a mapping, found a sequence" },
	{ "a: &z ~\ns: {items: [*z]}\n",
	  "t.yaml:2:13: s.items[0]: expected a mapping, found null" },
	{ "a: &l [{on: 2}]\ns: {items: *l}\n",
	  "t.yaml:2:12: s.items[0].on: expected true or false, found the number 2" },
	/* an anchored node inside is checked as it is read */
	{ "s: {items: [&i {name: [x]}]}\n", "t.yaml:1:23: s.items[0].name: expected a string" },
	/* long or odd text is cut and made printable */
	{ "s: {items: [{mode: \"\\tabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"}]}\n",
	  "t.yaml:1:20: s.items[0].mode: expected one of A, B, "
	  "found \"?abcdefghijklmnopqrstuvwxyzabcdefghijklm...\"" },
};

/* The path goes through the kept part of the document, and keys with dots
 * are quoted in it. */
static const struct row shape_path_errors[] = {
	{ "c:\n  - {}\n  - schema_config: {items: [{on: 0}]}\n",
	  "t.yaml:3:34: c[1].schema_config.items[0].on: expected true or false" },
	{ "\"a.b\":\n  - schema_config: {names: [[]]}\n",
	  "t.yaml:2:29: \"a.b\"[0].schema_config.names[0]: expected a string, found a sequence" },
};

static void test_shapes(void)
{
	struct yaml_options opts = { .discard = discard_s, .discard_shape = &top_shape };
	struct discard_log log = { "schema_config", 2, 0, BUF_INIT };
	struct yaml_options plan_opts = {
		.discard = discard_key_at, .ctx = &log, .discard_shape = &top_shape,
	};
	struct buf got = BUF_INIT;
	int rc;

	check_loads(shape_ok, N(shape_ok), &opts, "shape fits");
	check_fails(shape_errors, N(shape_errors), &opts, "shape refused");
	check_fails(shape_path_errors, N(shape_path_errors), &plan_opts, "shape path");
	buf_free(&log.seen);

	/* only discarded values are checked */
	rc = load_text("k: {items: 5}\n", 14, &opts, &got);
	is_str(rc ? NULL : buf_str(&got), "{\"k\":{\"items\":5}}", "kept values are not shaped");
	buf_free(&got);
}

/* Keep flags: numbers are canonical text, strings keep NUL bytes, nodes
 * carry their positions. */
static void test_values(void)
{
	static const char text[] = "a: \"x\\0y\"\nb:\n  - 0x10\n";
	FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
	struct value *v = NULL;
	const struct value *a, *b0;
	struct err err;

	ok(f && yaml_load(f, "t.yaml", NULL, &v, &err) == 0, "value test document loads");
	if (f)
		fclose(f);
	a = value_get(v, "a");
	ok(a && a->type == VALUE_STRING && a->u.str.len == 3 && !memcmp(a->u.str.ptr, "x\0y", 3),
	   "an escaped NUL survives in a string");
	b0 = value_at(value_get(v, "b"), 0);
	ok(b0 && b0->type == VALUE_NUMBER && !strcmp(b0->u.number, "16"),
	   "a hex integer is stored as decimal text");
	ok(b0 && b0->line == 3 && b0->col == 5, "a node remembers its line and column");
	ok(a && a->line == 1 && a->col == 4, "a quoted scalar's column is its opening quote");
	value_free(v);
}

/* Input must be UTF-8 of printable characters; libfyaml alone would take a
 * bad byte for the end of the file (or, in a directive, loop forever). */
static void test_encoding(void)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} rows[] = {
		{ TEXT("a: x\0y\nb: 1\n"), "t.yaml:1:5: character U+0000 is not allowed in YAML" },
		{ TEXT("a: 1\nb: \xe2-x\n"), "t.yaml:2:4: invalid UTF-8 at byte 0xE2" },
		{ TEXT("\xe2-b: 1\n"), "t.yaml:1:1: invalid UTF-8 at byte 0xE2" },
		{ TEXT("a: \x01\n"), "t.yaml:1:4: character U+0001 is not allowed in YAML" },
		{ TEXT("a: \xc2\x80\n"), "t.yaml:1:4: character U+0080 is not allowed in YAML" },
		{ TEXT("a: \xc0\xaf\n"), "t.yaml:1:4: invalid UTF-8 at byte 0xC0" },
		{ TEXT("a: \xed\xa0\x80\n"), "t.yaml:1:4: invalid UTF-8 at byte 0xED" },
		{ TEXT("a: \xc3"), "t.yaml:1:4: invalid UTF-8 (the file ends inside a character)" },
		{ TEXT("%\xabYAML 1.2\n---\na\n"), "t.yaml:1:2: invalid UTF-8 at byte 0xAB" },
		{ TEXT("%YAML.1\xe2-b\n-\t--\n"), "t.yaml:1:8: invalid UTF-8 at byte 0xE2" },
		/* in a directive libfyaml loops forever on any byte of a bad
		 * character, so it must see none: a character found bad only at
		 * its last byte, or cut off by the end of the file
		 * (fuzz/regress/yaml-directive-*) */
		{ TEXT("%\xe0\x8c\x9a\n"), "t.yaml:1:2: invalid UTF-8 at byte 0xE0" },
		{ TEXT("%YAML 1.2 \xf0\x8f\xbf\xbf\n---\na\n"),
		  "t.yaml:1:11: invalid UTF-8 at byte 0xF0" },
		{ TEXT("%\xf4\x90\x80\x80\n"), "t.yaml:1:2: invalid UTF-8 at byte 0xF4" },
		{ TEXT("%%%\xda"), "t.yaml:1:4: invalid UTF-8 (the file ends inside a character)" },
		{ TEXT("%\xe0"), "t.yaml:1:2: invalid UTF-8 (the file ends inside a character)" },
		{ TEXT("%\xf0\x9f\x98"), "t.yaml:1:2: invalid UTF-8 (the file ends inside" },
		{ TEXT("schema_version: 1\n%\xc2"),
		  "t.yaml:2:2: invalid UTF-8 (the file ends inside a character)" },
	};
	struct buf got = BUF_INIT;
	size_t i;

	for (i = 0; i < N(rows); i++) {
		int rc = load_text(rows[i].text, rows[i].len, NULL, &got);
		if (!ok(rc == -1 && starts_with(buf_str(&got), rows[i].want), "encoding: %s",
			rows[i].want))
			diag("got (rc %d): %s", rc, buf_str(&got));
	}
	load_text(TEXT("\xef\xbb\xbf" "a: \xc3\xa9\t\xf0\x9f\x98\x80\n"), NULL, &got);
	is_str(buf_str(&got), "{\"a\":\"\xc3\xa9\\t\xf0\x9f\x98\x80\"}",
	       "a BOM, tabs and multi-byte characters are fine");
	buf_free(&got);
}

/* "a: xxx...<ch>y\n" with ch starting `pad` bytes into the file; *want gets
 * the compact JSON it loads as when ch is good. */
static void scalar_with(struct buf *b, struct buf *want, size_t pad, const char *ch,
			size_t chlen)
{
	buf_reset(b);
	buf_puts(b, "a: ");
	while (b->len < pad)
		buf_putc(b, 'x');
	buf_append(b, ch, chlen);
	buf_puts(b, "y\n");
	buf_reset(want);
	buf_puts(want, "{\"a\":\"");
	buf_append(want, b->data + 3, b->len - 4);
	buf_puts(want, "\"}");
}

/* The reader checks YAML_READ_CHUNK bytes at a time: a character cut by the
 * chunk's end is checked whole once the next chunk is read, and reaches
 * libfyaml whole (fuzz/regress/yaml-directive-*: a directive holding any byte
 * of a bad character makes it loop forever). */
static void test_chunk_boundaries(void)
{
	static const struct {
		const char *ch;
		size_t len;
		int bad_at; /* column of the bad character after pad; 0: good */
	} chars[] = {
		{ TEXT("\xc3\xa9"), 0 },             /* é */
		{ TEXT("\xe2\x82\xac"), 0 },         /* € */
		{ TEXT("\xf0\x9f\x98\x80"), 0 },     /* 😀 */
		{ TEXT("\xe0\x8c\x9a"), 1 },         /* overlong: bad at its last byte */
		{ TEXT("\xf0\x8f\xbf\xbf"), 1 },     /* overlong 4 bytes */
		{ TEXT("\xed\xa0\x80"), 1 },         /* a surrogate */
		{ TEXT("\xf0\x9f\x98\x80\x01"), 2 }, /* good, then a control byte */
	};
	struct buf text = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	size_t i, pad;

	for (i = 0; i < N(chars); i++) {
		bool all_ok = true;
		for (pad = YAML_READ_CHUNK - 4; pad <= YAML_READ_CHUNK; pad++) {
			int rc;
			scalar_with(&text, &want, pad, chars[i].ch, chars[i].len);
			if (chars[i].bad_at) {
				buf_reset(&want);
				buf_printf(&want, "t.yaml:1:%zu: ", pad + chars[i].bad_at);
			}
			rc = load_text(text.data, text.len, NULL, &got);
			if (chars[i].bad_at ? rc != -1 || !starts_with(buf_str(&got), buf_str(&want))
					    : rc != 0 || strcmp(buf_str(&got), buf_str(&want))) {
				diag("character at offset %zu: got (rc %d) %.60s, want %.60s", pad,
				     rc, buf_str(&got), buf_str(&want));
				all_ok = false;
			}
		}
		ok(all_ok, "%s character across a read chunk boundary is checked whole",
		   chars[i].bad_at ? "a bad" : "a good");
	}
	buf_free(&text);
	buf_free(&want);
	buf_free(&got);
}

/* The reader scans printable ASCII eight bytes at a time: a byte that needs
 * a closer look must be found at every offset within such a word. */
static void test_word_scan(void)
{
	static const struct {
		const char *ch;
		const char *want; /* start of the error after "t.yaml:1:COL: " */
	} bytes[] = {
		{ "\x01", "character U+0001" },
		{ "\x1f", "character U+001F" },
		{ "\x7f", "character U+007F" },
		{ "\x80", "invalid UTF-8 at byte 0x80" },
		{ "\xff", "invalid UTF-8 at byte 0xFF" },
		{ "\t\x01", "character U+0001" },
	};
	struct buf text = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	size_t i, pad;

	for (i = 0; i < N(bytes); i++) {
		bool all_ok = true;
		for (pad = 0; pad < 20; pad++) {
			size_t k, col = 5 + pad + strlen(bytes[i].ch) - 1;
			buf_reset(&text);
			buf_puts(&text, "a: x");
			for (k = 0; k < pad; k++)
				buf_putc(&text, (char)('a' + k));
			buf_puts(&text, bytes[i].ch);
			buf_puts(&text, "yyyyyyyyyyyyyyyy\n");
			buf_reset(&want);
			buf_printf(&want, "t.yaml:1:%zu: %s", col, bytes[i].want);
			if (load_text(text.data, text.len, NULL, &got) != -1 ||
			    !starts_with(buf_str(&got), buf_str(&want))) {
				diag("at offset %zu: got %s, want %s", pad, buf_str(&got),
				     buf_str(&want));
				all_ok = false;
			}
		}
		ok(all_ok, "byte 0x%02X is found at every offset in a word",
		   (unsigned char)bytes[i].ch[strlen(bytes[i].ch) - 1]);
	}
	/* a backslash: an escaped space before a line break, at every offset */
	{
		bool all_ok = true;
		for (pad = 0; pad < 20; pad++) {
			size_t k;
			buf_reset(&text);
			buf_puts(&text, "a: \"");
			for (k = 0; k < pad; k++)
				buf_putc(&text, (char)('a' + k));
			buf_puts(&text, "\\ \n  y\"\n");
			buf_reset(&want);
			buf_printf(&want, "t.yaml:1:%zu: an escaped space", 5 + pad);
			if (load_text(text.data, text.len, NULL, &got) != -1 ||
			    !starts_with(buf_str(&got), buf_str(&want))) {
				diag("at offset %zu: got %s, want %s", pad, buf_str(&got),
				     buf_str(&want));
				all_ok = false;
			}
		}
		ok(all_ok, "a backslash is found at every offset in a word");
	}
	buf_free(&text);
	buf_free(&want);
	buf_free(&got);
}

/* libfyaml 0.7.12 takes time quadratic in a directive line's length: long
 * ones are refused before it sees them. */
static void test_long_directive(void)
{
	struct buf text = BUF_INIT, got = BUF_INIT;
	int rc;

	buf_puts(&text, "%FOO ");
	while (text.len < 4096)
		buf_putc(&text, 'x');
	buf_puts(&text, "\n---\na: 1\n");
	rc = load_text(text.data, text.len, NULL, &got);
	is_str(rc ? NULL : buf_str(&got), "{\"a\":1}", "a directive line of 4096 bytes is fine");
	buf_reset(&text);
	buf_puts(&text, "a: 1\n...\n%FOO ");
	while (text.len < 100000)
		buf_putc(&text, 'x');
	buf_puts(&text, "\n---\na: 1\n");
	rc = load_text(text.data, text.len, NULL, &got);
	ok(rc == -1 && starts_with(buf_str(&got), "t.yaml:3:1: a directive line longer than "
				   "4096 bytes"), "a longer directive line is refused: %s",
	   buf_str(&got));
	buf_free(&text);
	buf_free(&got);
}

/* libfyaml 0.7.12 reads an escaped space before a line break in a
 * double-quoted scalar wrongly (fuzz/regress/yaml-escaped-space-line-break.yaml):
 * refused at the backslash. The same bytes elsewhere, and the other ways of
 * writing it, load. */
static const struct row escaped_space_errors[] = {
	{ "\"\\ \n\"", "t.yaml:1:2: an escaped space (\\ ) right before a line break in a "
	  "double-quoted scalar: libfyaml 0.7.12 cannot read it correctly" },
	{ "a: \"x\\ \n  y\"\n", "t.yaml:1:6: an escaped space" },
	{ "a: \"p\\ \\  \t\r\n  q\"\n", "t.yaml:1:8: an escaped space" },
	{ "a:\n  - \"x\\\\\\ \n\n    y\"\n", "t.yaml:2:9: an escaped space" },
	{ "? \"k\\ \n  \"\n: 1\n", "t.yaml:1:5: an escaped space" },
	{ "# \\ \na: 'b\\ \n c'\nd: \"e\\ \n f\"\n", "t.yaml:4:6: an escaped space" },
};

static const struct row escaped_space_fine[] = {
	{ "a: \"x\\x20\n  y\"\n", "{\"a\":\"x  y\"}" },
	{ "a: \"x\\\t \n  y\"\n", "{\"a\":\"x\\t y\"}" },
	{ "a: \"x\\\\ \n  y\"\n", "{\"a\":\"x\\\\ y\"}" },
	{ "a: \"x\\ y\"\n", "{\"a\":\"x y\"}" },
	{ "a: 'x\\ \n  y'\n", "{\"a\":\"x\\\\ y\"}" },
	{ "a: x\\ \n  y\nb: \"z\"\n", "{\"a\":\"x\\\\ y\",\"b\":\"z\"}" },
	{ "a: |\n  x\\ \n  y\nb: \"z\"\n", "{\"a\":\"x\\\\ \\ny\\n\",\"b\":\"z\"}" },
	{ "# \"x\\ \na: \"y\"\n", "{\"a\":\"y\"}" },
};

static void test_missing_file(void)
{
	struct value *v = (struct value *)1;
	struct err err;

	ok(yaml_load_path("/nonexistent/plan.yaml", NULL, &v, &err) == -1 && !v &&
	   strstr(err.msg, "/nonexistent/plan.yaml"), "a missing file is an error naming it");
	/* reading fails: an error, not a hang (libfyaml retries a failed read) */
	ok(yaml_load_path("/", NULL, &v, &err) == -1 && !v &&
	   !strcmp(err.msg, "/: not a regular file (it is a directory)"),
	   "a directory is a read error naming it: %s", err.msg);
}

int main(void)
{
	alarm(60); /* a hang in the parser fails the test instead of stalling it */
	check_loads(core_schema, N(core_schema), NULL, "core schema");
	check_loads(tags, N(tags), NULL, "tag");
	check_fails(tag_errors, N(tag_errors), NULL, "tag error");
	check_loads(aliases, N(aliases), NULL, "alias");
	check_fails(alias_errors, N(alias_errors), NULL, "alias error");
	check_fails(structure_errors, N(structure_errors), NULL, "refused");
	test_depth_limit();
	test_alias_bound();
	test_big_mappings();
	test_discard();
	check_loads(number_range_ok, N(number_range_ok), NULL, "in a double's range");
	check_fails(number_range_errors, N(number_range_errors), NULL, "out of range");
	test_long_numbers();
	test_shapes();
	test_values();
	test_encoding();
	test_chunk_boundaries();
	test_word_scan();
	test_long_directive();
	check_fails(escaped_space_errors, N(escaped_space_errors), NULL, "escaped space");
	check_loads(escaped_space_fine, N(escaped_space_fine), NULL, "escaped space elsewhere");
	test_missing_file();
	return done_testing();
}
