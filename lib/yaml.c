/*
 * yaml.c — load one YAML document into a value tree (see yaml.h).
 *
 * libfyaml's event parser does the YAML syntax; this file turns its events into
 * values. The tree is built with an explicit stack of open collections (one
 * frame per open mapping or sequence), so nesting costs heap, never C stack,
 * and is bounded by YAML_MAX_DEPTH. A collection is attached to its parent
 * when it closes.
 *
 * Memory stays proportional to what is kept:
 *  - Subtrees under a key the caller discards are parsed and checked but no
 *    values are built for them (nor is a scalar's text fetched from libfyaml
 *    when no check needs it: a quoted string its shape allows, say). The
 *    only state they need is the key names of
 *    the mappings that are open right now (duplicate detection), kept in one
 *    shared stack of bytes (loader.keys) that each mapping truncates back when
 *    it closes. A mapping with more than KEY_SCAN_LIMIT keys also gets a hash
 *    index over its keys, so duplicate detection stays linear in its size.
 *  - An anchored node is always built, even inside a discarded subtree, so an
 *    alias elsewhere can copy it. Such nodes (and anchored mapping keys) are
 *    owned by loader.owned until the load ends; anchors on kept nodes just
 *    point into the result tree. Anchored content in discarded subtrees
 *    therefore costs memory; plain content there does not.
 *  - Aliases are expanded by deep copy. Every node an alias stands for counts
 *    against max_alias_nodes (also inside discarded subtrees, where nothing
 *    is copied), and the count is known per anchor before copying, so an
 *    alias bomb fails before it allocates anything big. Scalars and keys
 *    count one more node per BYTES_PER_NODE bytes of text, so a bomb built
 *    from a long string is bounded in bytes as well as in nodes.
 *
 * Discarded values are checked against options.discard_shape as they stream
 * past (see yaml.h): each frame carries the shape of its collection, a
 * mapping frame also the shape of its pending key's value, so a node's
 * expected shape is known when it starts, with no tree. An alias is checked
 * by walking its copy against the shape (shapes are shallow, so is that
 * walk). Error paths ("connections[0].schema_config.tables[3]") are built
 * from the stack only when an error needs one.
 *
 * Scalar resolution is the YAML 1.2 core schema (plain scalars only; quoted
 * and block scalars are strings). Numbers become canonical JSON number text:
 * "+" dropped, leading zeros stripped, ".5" → "0.5", "1." → "1.0", exponent
 * kept as written, 0o/0x integers converted to decimal on digit strings (any
 * size up to RADIX_DIGITS_MAX digits; longer literals are an error). A float
 * whose magnitude a double cannot hold is an error (float_overflows()).
 *
 * Speed: a 100 MB plan is millions of events, so the per-event path avoids
 * calls and allocations: the reader checks printable ASCII eight bytes at a
 * time, the core schema dispatches on a scalar's first character, the top
 * frame is looked up once per scalar, a shaped mapping tries the member after
 * the last one matched first, and the position of the last event (for errors
 * with no node) is asked of libfyaml only when an error needs it.
 *
 * Mapping keys become object member names by their JSON text: a string key
 * is its text, null is "null", booleans "true"/"false", numbers their
 * canonical text. Two keys with the same member name are duplicates (so "1"
 * and 1, or 0x1 and 1, collide: JSON could not hold both).
 *
 * The non-specific tag "!" makes a scalar a string (YAML 1.2 §6.9.1); other
 * tags outside the core set are ignored.
 *
 * libfyaml reads the input through a callback of ours that checks it is UTF-8
 * made of printable characters and hands it whole characters only: libfyaml
 * itself takes a bad byte for the end of the input, or loops forever on one
 * in a directive (see struct input). The same reader works around two more
 * libfyaml 0.7.12 bugs: it limits directive lines (quadratic time), and it
 * notes escaped spaces before line breaks, which on_scalar() refuses in
 * double-quoted scalars (libfyaml reads them wrongly).
 */
#include "lib/yaml.h"

#include <errno.h>
#include <float.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/fileio.h"

#define CORE_TAG_PREFIX "tag:yaml.org,2002:"
#define KEY_SCAN_LIMIT 8        /* mappings with more keys get a hash index */
#define RADIX_DIGITS_MAX 1024   /* longest 0o/0x literal we convert to decimal */
#define QUOTE_MAX 40            /* scalar text quoted in messages is cut here */
#define PATH_KEY_MAX 40         /* a key in a shape error's path is cut here */
#define BYTES_PER_NODE 64       /* alias bound: a long text counts as len/64 more nodes */

enum core_tag {
	TAG_NONE,        /* untagged, or a tag we ignore */
	TAG_NONSPECIFIC, /* "!": a scalar is a string */
	TAG_STR,
	TAG_INT,
	TAG_FLOAT,
	TAG_BOOL,
	TAG_NULL,
	TAG_MAP,
	TAG_SEQ,
};

struct pos {
	int line, col; /* 1-based */
};

struct anchor {
	char *name;          /* NULL: empty slot */
	struct value *val;   /* NULL while the anchored collection is still open */
	size_t nodes;        /* weight of val: what one alias adds to the count */
	size_t height;       /* collection nesting inside val */
};

struct anchor_table {
	struct anchor *slots;
	size_t cap, n;
};

struct frame {
	struct value *node;    /* the collection being built; NULL when not kept */
	bool is_map;
	bool expect_key;       /* mapping: the next node is a key */
	bool value_discarded;  /* mapping: the pending key's value is not kept */
	char *anchor;          /* registered when the frame closes */
	size_t nodes;          /* weight of this subtree so far, itself included */
	size_t height;         /* deepest collection nesting among the children */
	size_t keys_base;      /* where this mapping's keys start in loader.keys */
	size_t nkeys;
	size_t key_off;        /* the pending key's entry in loader.keys */
	size_t *index;         /* hash of (key entry offset + 1); NULL while small */
	size_t index_cap;
	size_t items;          /* sequence: items so far (the open one's index) */
	/* Shape checks (see yaml.h): this collection's shape (NULL: none), and
	 * for a mapping the shape of the pending key's value. Never ANY. */
	const struct yaml_shape *shape;
	const struct yaml_shape *value_shape;
	const struct yaml_shape *next_member; /* see member_shape() */
};

/* A scalar after resolution; text points into the event or loader.number. */
struct resolved {
	enum value_type type;
	bool boolean;
	const char *text;
	size_t len;
};

struct input;

struct loader {
	const char *filename;
	const struct yaml_options *opts;
	size_t max_alias_nodes;
	size_t alias_nodes;
	struct frame *stack;
	size_t depth, stack_cap;
	/* Keys of the open mappings, each entry [size_t len][bytes][NUL]. */
	struct buf keys;
	struct buf number; /* scratch: canonical number text */
	struct buf scratch; /* scratch: float range checks */
	struct anchor_table anchors;
	struct value **owned;
	size_t nowned, owned_cap;
	struct value *root;
	bool have_root;
	int documents;
	bool second_document; /* report it at the next known position */
	bool done;
	/* The end of the last event with a position, known lazily (see
	 * note_handled()): prev's end when prev is set, else last. */
	struct fy_event *prev;
	struct pos last;
	struct fy_event *event; /* the event being handled */
	struct input *in;       /* the reader feeding libfyaml */
	struct err *err;
	/* libfyaml 0.7.12 corrupts its indentation stack on one syntax error
	 * and crashes in fy_parser_destroy() afterwards: set when that error
	 * was reported, so the parser is abandoned instead (see yaml.h). */
	bool parser_unsafe_to_destroy;
};

/* The syntax error after which fy_parser_destroy() crashes (libfyaml 0.7.12:
 * "? a:<TAB>:", a tab before a block indicator inside an explicit key). */
#define FYAML_BROKEN_AFTER "cannot use tab for indentation of block entry"

static int fail_at(struct loader *ld, struct pos p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int vfail_at(struct loader *ld, struct pos p, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	return err_set(ld->err, "%s:%d:%d: %s", ld->filename, p.line, p.col, msg);
}

static int fail_at(struct loader *ld, struct pos p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(ld, p, fmt, ap);
	va_end(ap);
	return -1;
}

/* Scalar text for a message: quoted, cut (between UTF-8 characters),
 * control characters shown as '?'. */
static const char *quote(const char *s, size_t len, char out[QUOTE_MAX + 8])
{
	size_t i, n = len > QUOTE_MAX ? QUOTE_MAX : len;

	while (n < len && n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;

	out[0] = '"';
	for (i = 0; i < n; i++)
		out[i + 1] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	strcpy(out + n + 1, len > n ? "...\"" : "\"");
	return out;
}

/* --- positions ------------------------------------------------------------ */

static bool mark_pos(const struct fy_mark *m, struct pos *p)
{
	if (!m || m->line < 0 || m->column < 0)
		return false;
	p->line = m->line + 1;
	p->col = m->column + 1;
	return true;
}

static bool pos_before(struct pos a, struct pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Consider token t (whose text starts `lead` columns after its indicator,
 * which libfyaml's mark leaves out) as the start of a node. */
static void earliest(struct fy_token *t, int lead, struct pos *best, bool *have)
{
	struct pos p;

	if (!t || !mark_pos(fy_token_start_mark(t), &p))
		return;
	if (p.col > lead)
		p.col -= lead;
	if (!*have || pos_before(p, *best)) {
		*best = p;
		*have = true;
	}
}

/* Where a node starts: the earliest of its anchor ("&name": the mark is on
 * the name), tag and own token (a quoted scalar's mark is after the quote). */
static struct pos last_pos(const struct loader *ld)
{
	struct pos p;

	if (ld->prev && mark_pos(fy_event_end_mark(ld->prev), &p))
		return p;
	return ld->last;
}

static struct pos node_pos(const struct loader *ld, struct fy_event *e)
{
	struct pos p = last_pos(ld);
	bool have = false;
	struct fy_token *t = fy_event_get_token(e);
	int lead = 0;

	if (e->type == FYET_SCALAR) {
		enum fy_scalar_style style = fy_token_scalar_style(t);
		lead = style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED;
	} else if (e->type == FYET_ALIAS) {
		lead = 1; /* "*name" */
	}
	if (t)
		earliest(t, lead, &p, &have);
	else if (mark_pos(fy_event_start_mark(e), &p))
		have = true;
	earliest(fy_event_get_anchor_token(e), 1, &p, &have);
	earliest(fy_event_get_tag_token(e), 0, &p, &have);
	return p;
}

/* An error at the node of the event being handled. Positions are worked out
 * only when needed: most nodes never need theirs. */
static int fail_node(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail_node(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(ld, node_pos(ld, ld->event), fmt, ap);
	va_end(ap);
	return -1;
}

/* --- tags ----------------------------------------------------------------- */

static enum core_tag classify_tag(struct fy_token *tag)
{
	static const struct {
		const char *name;
		enum core_tag tag;
	} core[] = {
		{ "str", TAG_STR }, { "int", TAG_INT }, { "float", TAG_FLOAT },
		{ "bool", TAG_BOOL }, { "null", TAG_NULL }, { "map", TAG_MAP },
		{ "seq", TAG_SEQ },
	};
	const size_t plen = strlen(CORE_TAG_PREFIX);
	const char *s;
	size_t len, i;

	if (!tag || !(s = fy_token_get_text(tag, &len)))
		return TAG_NONE;
	if (len == 1 && s[0] == '!')
		return TAG_NONSPECIFIC;
	if (len <= plen || memcmp(s, CORE_TAG_PREFIX, plen))
		return TAG_NONE;
	for (i = 0; i < sizeof core / sizeof core[0]; i++)
		if (len - plen == strlen(core[i].name) && !memcmp(s + plen, core[i].name, len - plen))
			return core[i].tag;
	return TAG_NONE;
}

static const char *tag_name(enum core_tag t)
{
	switch (t) {
	case TAG_STR: return "!!str";
	case TAG_INT: return "!!int";
	case TAG_FLOAT: return "!!float";
	case TAG_BOOL: return "!!bool";
	case TAG_NULL: return "!!null";
	case TAG_MAP: return "!!map";
	case TAG_SEQ: return "!!seq";
	default: return "!";
	}
}

/* --- core schema ---------------------------------------------------------- */

/* Whether s is one of words (none longer than 5 bytes: "false"). */
static bool text_is(const char *s, size_t len, const char *const *words)
{
	if (len > 5)
		return false;
	for (; *words; words++)
		if (strlen(*words) == len && !memcmp(s, *words, len))
			return true;
	return false;
}

/* null, Null, NULL, ~ or empty. (Asked of most scalars: no loops.) */
static bool is_null_text(const char *s, size_t len)
{
	switch (len) {
	case 0:
		return true;
	case 1:
		return s[0] == '~';
	case 4:
		return !memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4);
	default:
		return false;
	}
}

/* 1 true, 0 false, -1 not a boolean (true/True/TRUE, false/False/FALSE). */
static int bool_text(const char *s, size_t len)
{
	if (len == 4)
		return !memcmp(s, "true", 4) || !memcmp(s, "True", 4) ||
		       !memcmp(s, "TRUE", 4) ? 1 : -1;
	if (len == 5)
		return !memcmp(s, "false", 5) || !memcmp(s, "False", 5) ||
		       !memcmp(s, "FALSE", 5) ? 0 : -1;
	return -1;
}

static bool is_special_float(const char *s, size_t len)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nan[] = { ".nan", ".NaN", ".NAN", NULL };

	if (text_is(s, len, nan))
		return true;
	if (len && (s[0] == '-' || s[0] == '+'))
		s++, len--;
	return text_is(s, len, inf);
}

static size_t span_digits(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* [-+]?[0-9]+ → canonical text in out. */
static bool decimal_int(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, start;

	if (len && (s[0] == '-' || s[0] == '+'))
		i++;
	start = i;
	if (span_digits(s, len, i) != len || start == len)
		return false;
	buf_reset(out);
	if (s[0] == '-')
		buf_putc(out, '-');
	while (start + 1 < len && s[start] == '0')
		start++;
	buf_append(out, s + start, len - start);
	return true;
}

static int radix_digit(char c, int radix)
{
	int d = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return d < radix ? d : -1;
}

/* 0o[0-7]+ or 0x[0-9a-fA-F]+ → decimal text in out, by schoolbook
 * multiplication on a little-endian array of decimal digits. Returns 1 when
 * converted, 0 when s is not such a literal, -1 when it has too many digits. */
static int radix_int(const char *s, size_t len, struct buf *out)
{
	unsigned char *dec;
	size_t i, k, n = 1;
	int radix;

	if (len < 3 || s[0] != '0' || (s[1] != 'o' && s[1] != 'x'))
		return 0;
	radix = s[1] == 'o' ? 8 : 16;
	for (i = 2; i < len; i++)
		if (radix_digit(s[i], radix) < 0)
			return 0;
	if (len - 2 > RADIX_DIGITS_MAX)
		return -1;
	dec = xcalloc(2 * len + 2, 1);
	for (i = 2; i < len; i++) {
		unsigned carry = (unsigned)radix_digit(s[i], radix);
		for (k = 0; k < n; k++) {
			unsigned t = dec[k] * (unsigned)radix + carry;
			dec[k] = (unsigned char)(t % 10);
			carry = t / 10;
		}
		while (carry) {
			dec[n++] = (unsigned char)(carry % 10);
			carry /= 10;
		}
	}
	while (n > 1 && !dec[n - 1])
		n--;
	buf_reset(out);
	while (n)
		buf_putc(out, (char)('0' + dec[--n]));
	free(dec);
	return 1;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? → canonical text. */
static bool core_float(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, int_start, int_end, frac_start = 0, frac_end = 0, exp_start;
	bool dot = false;

	if (len && (s[0] == '-' || s[0] == '+'))
		i++;
	int_start = i;
	int_end = i = span_digits(s, len, i);
	if (i < len && s[i] == '.') {
		dot = true;
		frac_start = i + 1;
		frac_end = i = span_digits(s, len, i + 1);
	}
	if (int_end == int_start && frac_end == frac_start)
		return false;
	exp_start = i;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		d = span_digits(s, len, i);
		if (d == i)
			return false;
		i = d;
	}
	if (i != len)
		return false;
	buf_reset(out);
	if (s[0] == '-')
		buf_putc(out, '-');
	while (int_start + 1 < int_end && s[int_start] == '0')
		int_start++;
	if (int_start == int_end)
		buf_putc(out, '0');
	else
		buf_append(out, s + int_start, int_end - int_start);
	if (dot) {
		buf_putc(out, '.');
		if (frac_end == frac_start)
			buf_putc(out, '0');
		else
			buf_append(out, s + frac_start, frac_end - frac_start);
	}
	buf_append(out, s + exp_start, len - exp_start);
	return true;
}

/* Digits of s from i on; a run longer than cap counts as cap (exponents:
 * beyond any double's range either way). */
static long long digits_value(const char *s, size_t len, size_t i, long long cap)
{
	long long v = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v >= cap ? cap : v * 10 + (s[i] - '0');
	return v;
}

/* Whether the core-schema float s (already matched by core_float) is too
 * large in magnitude for a double, i.e. a JSON reader would get infinity.
 * Its value is D × 10^E, D the digits before and after the point; with n
 * significant digits it lies in [10^(n-1+E), 10^(n+E)), so only a number in
 * [1e308, 1e309) needs a closer look: strtod() on "De<E>", text with no
 * decimal point, which no locale reads differently. A number too small for
 * a double (1e-400) is not an error: it is near zero, as written. */
static bool float_overflows(const char *s, size_t len, struct buf *scratch)
{
	const long long cap = 1000000000000000LL;
	size_t i = 0, in_fraction = 0, nfrac = 0, n = 0;
	long long e = 0, magnitude;
	bool started = false;
	char exp_text[32];
	double d;

	if (len && (s[0] == '-' || s[0] == '+'))
		i++;
	buf_reset(scratch);
	for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			in_fraction = 1;
			continue;
		}
		nfrac += in_fraction;
		if (!started && s[i] == '0')
			continue;
		started = true;
		n++;
		buf_putc(scratch, s[i]);
	}
	if (!n)
		return false; /* zero */
	if (i < len) { /* the exponent */
		bool neg = s[++i] == '-';
		i += s[i] == '-' || s[i] == '+';
		e = digits_value(s, len, i, cap);
		if (neg)
			e = -e;
	}
	e -= (long long)(nfrac < (size_t)cap ? nfrac : (size_t)cap);
	magnitude = (long long)(n < (size_t)cap ? n : (size_t)cap) + e; /* value < 10^magnitude */
	if (magnitude <= 308)
		return false;
	if (magnitude > 309)
		return true;
	snprintf(exp_text, sizeof exp_text, "e%lld", e);
	buf_puts(scratch, exp_text);
	d = strtod(buf_str(scratch), NULL);
	return d > DBL_MAX;
}

static int fail_number(struct loader *ld, const char *what, const char *s, size_t len);

static int fail_special_float(struct loader *ld, const char *s, size_t len)
{
	return fail_number(ld, "is not a number JSON can represent (.inf and .nan are not "
			   "allowed)", s, len);
}

static int fail_tag(struct loader *ld, enum core_tag tag, const char *what,
		    const char *s, size_t len)
{
	char q[QUOTE_MAX + 8];

	return fail_node(ld, "%s value %s is not %s", tag_name(tag), quote(s, len, q), what);
}

/* An integer in any core form; 0 not one, -1 error already set. */
static int resolve_int(struct loader *ld, const char *s, size_t len,
		       struct resolved *r)
{
	int rc;

	if (decimal_int(s, len, &ld->number))
		rc = 1;
	else if ((rc = radix_int(s, len, &ld->number)) < 0)
		return fail_node(ld, "integer literal has more than %d digits", RADIX_DIGITS_MAX);
	if (rc) {
		r->type = VALUE_NUMBER;
		r->text = ld->number.data;
		r->len = ld->number.len;
	}
	return rc;
}

/* A core-schema float: 1 resolved, 0 not one, -1 error set (too large for
 * a double). */
static int resolve_float(struct loader *ld, const char *s, size_t len, struct resolved *r)
{
	if (!core_float(s, len, &ld->number))
		return 0;
	if (float_overflows(s, len, &ld->scratch))
		return fail_number(ld, "is out of range: too large for a number (it overflows "
				   "a double, which JSON readers would take as infinity)", s, len);
	r->type = VALUE_NUMBER;
	r->text = ld->number.data;
	r->len = ld->number.len;
	return 1;
}

/* Whether a plain scalar starting with c can be a number, .inf or .nan. */
static bool may_be_number(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/* Whether a plain scalar starting with c can be anything but a string. */
static bool may_be_typed(char c)
{
	switch (c) {
	case '~': case 'n': case 'N': case 't': case 'T': case 'f': case 'F':
	case '+': case '-': case '.':
		return true;
	default:
		return c >= '0' && c <= '9';
	}
}

/* Untagged plain scalar: null, bool, int, float, or string. */
static int resolve_plain(struct loader *ld, const char *s, size_t len,
			 struct resolved *r)
{
	int b, rc;

	/* Dispatch on the first character: most plain scalars are words that
	 * can be nothing but strings, and a word starting with n can only be
	 * null, one starting with t or f only a boolean. */
	if (!len || s[0] == '~' || s[0] == 'n' || s[0] == 'N') {
		if (is_null_text(s, len))
			r->type = VALUE_NULL;
		return 0;
	}
	if (s[0] == 't' || s[0] == 'T' || s[0] == 'f' || s[0] == 'F') {
		if ((b = bool_text(s, len)) >= 0) {
			r->type = VALUE_BOOL;
			r->boolean = b;
		}
		return 0;
	}
	if (!may_be_number(s[0]))
		return 0;
	if ((rc = resolve_int(ld, s, len, r)) != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = resolve_float(ld, s, len, r)) != 0)
		return rc < 0 ? -1 : 0;
	if (is_special_float(s, len))
		return fail_special_float(ld, s, len);
	return 0; /* stays a string */
}

static int resolve_scalar(struct loader *ld, const char *s, size_t len,
			  bool plain, enum core_tag tag, struct resolved *r)
{
	int b, rc;

	r->type = VALUE_STRING;
	r->text = s;
	r->len = len;
	switch (tag) {
	case TAG_NONE:
		return plain ? resolve_plain(ld, s, len, r) : 0;
	case TAG_NULL:
		if (!is_null_text(s, len))
			return fail_tag(ld, tag, "null", s, len);
		r->type = VALUE_NULL;
		return 0;
	case TAG_BOOL:
		if ((b = bool_text(s, len)) < 0)
			return fail_tag(ld, tag, "a boolean", s, len);
		r->type = VALUE_BOOL;
		r->boolean = b;
		return 0;
	case TAG_INT:
		if ((rc = resolve_int(ld, s, len, r)) < 0)
			return -1;
		return rc ? 0 : fail_tag(ld, tag, "an integer", s, len);
	case TAG_FLOAT:
		if ((rc = resolve_float(ld, s, len, r)) != 0)
			return rc < 0 ? -1 : 0;
		if (is_special_float(s, len))
			return fail_special_float(ld, s, len);
		return fail_tag(ld, tag, "a number", s, len);
	case TAG_MAP:
	case TAG_SEQ:
		return fail_node(ld, "%s tag on a scalar", tag_name(tag));
	default:
		return 0; /* !!str and "!": a string */
	}
}

static struct value *resolved_value(const struct resolved *r, struct pos p)
{
	struct value *v;

	switch (r->type) {
	case VALUE_NULL:
		v = value_new_null();
		break;
	case VALUE_BOOL:
		v = value_new_bool(r->boolean);
		break;
	case VALUE_NUMBER:
		v = value_new_number(r->text);
		break;
	default:
		v = value_new_string(r->text, r->len);
		break;
	}
	v->line = p.line;
	v->col = p.col;
	return v;
}

/* The member name a scalar key gets: its JSON text (see the file comment). */
static void key_name(const struct value *v, const struct resolved *r,
		     const char **s, size_t *len)
{
	enum value_type t = v ? v->type : r->type;

	switch (t) {
	case VALUE_NULL:
		*s = "null";
		break;
	case VALUE_BOOL:
		*s = (v ? v->u.boolean : r->boolean) ? "true" : "false";
		break;
	case VALUE_NUMBER:
		*s = v ? v->u.number : r->text;
		break;
	default:
		*s = v ? v->u.str.ptr : r->text;
		*len = v ? v->u.str.len : r->len;
		return;
	}
	*len = strlen(*s);
}

/* --- anchors -------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct anchor *anchor_slot(struct anchor *slots, size_t cap, const char *name)
{
	size_t i = (size_t)hash_bytes(name, strlen(name)) & (cap - 1);

	while (slots[i].name && strcmp(slots[i].name, name))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static struct anchor *anchor_find(struct anchor_table *t, const char *name)
{
	struct anchor *a;

	if (!t->cap)
		return NULL;
	a = anchor_slot(t->slots, t->cap, name);
	return a->name ? a : NULL;
}

/* The entry for name, created empty (val NULL) if new. */
static struct anchor *anchor_get(struct anchor_table *t, const char *name)
{
	struct anchor *a;
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct anchor *slots = xcalloc(cap, sizeof *slots);
		for (i = 0; i < t->cap; i++)
			if (t->slots[i].name)
				*anchor_slot(slots, cap, t->slots[i].name) = t->slots[i];
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	a = anchor_slot(t->slots, t->cap, name);
	if (!a->name) {
		a->name = xstrdup(name);
		t->n++;
	}
	return a;
}

static void anchor_set(struct loader *ld, const char *name, struct value *v, size_t nodes,
		       size_t height)
{
	struct anchor *a = anchor_get(&ld->anchors, name);

	a->val = v;
	a->nodes = nodes;
	a->height = height;
}

static void anchors_free(struct anchor_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->slots[i].name);
	free(t->slots);
}

static void own(struct loader *ld, struct value *v)
{
	ld->owned = xgrow(ld->owned, &ld->owned_cap, ld->nowned + 1, sizeof *ld->owned);
	ld->owned[ld->nowned++] = v;
}

/* NUL-terminated copy of a token's text (anchor names). */
static char *token_strdup(struct fy_token *t)
{
	size_t len;
	const char *s = fy_token_get_text(t, &len);

	return s ? xstrndup(s, len) : xstrdup("");
}

/* --- mapping keys --------------------------------------------------------- */

static struct frame *top(struct loader *ld)
{
	return ld->depth ? &ld->stack[ld->depth - 1] : NULL;
}

static size_t entry_len(const struct loader *ld, size_t off)
{
	size_t len;

	memcpy(&len, ld->keys.data + off, sizeof len);
	return len;
}

static const char *entry_text(const struct loader *ld, size_t off)
{
	return ld->keys.data + off + sizeof(size_t);
}

static size_t entry_next(const struct loader *ld, size_t off)
{
	return off + sizeof(size_t) + entry_len(ld, off) + 1;
}

static bool entry_is(const struct loader *ld, size_t off, const char *s, size_t len)
{
	return entry_len(ld, off) == len && !memcmp(entry_text(ld, off), s, len);
}

/* Insert entry off into f's hash index (which has room). */
static void index_insert(struct loader *ld, struct frame *f, size_t off)
{
	size_t i = (size_t)hash_bytes(entry_text(ld, off), entry_len(ld, off)) &
		   (f->index_cap - 1);

	while (f->index[i])
		i = (i + 1) & (f->index_cap - 1);
	f->index[i] = off + 1;
}

static void index_rebuild(struct loader *ld, struct frame *f, size_t cap)
{
	size_t off;

	free(f->index);
	f->index = xcalloc(cap, sizeof *f->index);
	f->index_cap = cap;
	for (off = f->keys_base; off < ld->keys.len; off = entry_next(ld, off))
		index_insert(ld, f, off);
}

/* Append the entry [len][s][NUL] to the key stack, in one step: every key
 * of the document passes here. */
static void keys_push(struct buf *keys, const char *s, size_t len)
{
	size_t end = keys->len + sizeof len + len + 1;

	if (end + 1 > keys->cap)
		keys->data = xgrow(keys->data, &keys->cap, end + 1, 1);
	memcpy(keys->data + keys->len, &len, sizeof len);
	memcpy(keys->data + keys->len + sizeof len, s, len);
	keys->data[end - 1] = '\0';
	keys->data[end] = '\0'; /* struct buf's invariant */
	keys->len = end;
}

static bool key_seen(struct loader *ld, struct frame *f, const char *s, size_t len)
{
	size_t off, i;

	if (!f->index) {
		for (off = f->keys_base; off < ld->keys.len; off = entry_next(ld, off))
			if (entry_is(ld, off, s, len))
				return true;
		return false;
	}
	i = (size_t)hash_bytes(s, len) & (f->index_cap - 1);
	for (; f->index[i]; i = (i + 1) & (f->index_cap - 1))
		if (entry_is(ld, f->index[i] - 1, s, len))
			return true;
	return false;
}

/* --- shapes --------------------------------------------------------------- */

/* Whether s[0..len) is the C string word. */
static bool bytes_are(const char *s, size_t len, const char *word)
{
	return len && word[0] == s[0] && strlen(word) == len && !memcmp(word, s, len);
}

/* shape, or NULL when it checks nothing. */
static const struct yaml_shape *checked_shape(const struct yaml_shape *shape)
{
	return shape && shape->kind != YAML_SHAPE_ANY ? shape : NULL;
}

/* Whether key (len bytes, NUL-terminated) is word: strcmp() decides on the
 * first differing byte; a key holding a NUL must not pass for its prefix. */
static bool key_is(const char *key, size_t len, const char *word)
{
	return !strcmp(word, key) && strlen(word) == len;
}

/* The shape of member key of f's mapping shape; NULL when not listed.
 * Documents write members in the same order each time, mostly the shape's
 * order, so the member after the last one found is tried first. */
static const struct yaml_shape *member_shape(struct frame *f, const char *key, size_t len)
{
	const struct yaml_shape *c = f->next_member;

	if (!c || !c->key || !key_is(key, len, c->key))
		for (c = f->shape->children; c->key && !key_is(key, len, c->key); c++)
			;
	if (!c->key)
		return NULL;
	f->next_member = c + 1;
	return checked_shape(c);
}

/* The shape the node about to start in frame f's slot must have (NULL:
 * unchecked). Keys have none. */
static const struct yaml_shape *frame_shape(const struct frame *f)
{
	if (!f)
		return NULL;
	if (f->is_map)
		return f->expect_key ? NULL : f->value_shape;
	return f->shape ? checked_shape(f->shape->items) : NULL;
}

static const struct yaml_shape *slot_shape(const struct loader *ld)
{
	return frame_shape(ld->depth ? &ld->stack[ld->depth - 1] : NULL);
}

/* Whether node r fits shape (non-NULL, see checked_shape()); item: it is a
 * sequence item (where null is not "not set"). */
static bool shape_accepts(const struct yaml_shape *shape, const struct resolved *r, bool item)
{
	const char *const *w;

	switch (r->type) {
	case VALUE_NULL:
		return !item;
	case VALUE_OBJECT:
		return shape->kind == YAML_SHAPE_MAPPING;
	case VALUE_ARRAY:
		return shape->kind == YAML_SHAPE_SEQUENCE;
	case VALUE_BOOL:
		return shape->kind == YAML_SHAPE_BOOL;
	case VALUE_NUMBER:
		return false;
	case VALUE_STRING:
		if (shape->kind == YAML_SHAPE_STRING)
			return true;
		if (shape->kind != YAML_SHAPE_ENUM)
			return false;
		for (w = shape->allowed; *w; w++)
			if (bytes_are(r->text, r->len, *w))
				return true;
		return false;
	}
	return false;
}

static void path_truncate(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* Append ".key" to a path (no dot at its start): as it is when short and
 * plain, else quoted and cut, control characters shown as '?'. */
static void path_key(struct buf *b, const char *s, size_t len)
{
	char q[QUOTE_MAX + 8];
	size_t i;

	if (b->len)
		buf_putc(b, '.');
	if (len > PATH_KEY_MAX || memchr(s, '"', len) || memchr(s, '.', len)) {
		buf_puts(b, quote(s, len, q));
		return;
	}
	for (i = 0; i < len; i++)
		buf_putc(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i]);
}

/* The path of the slot being filled, from the root: each open mapping adds
 * its pending key, each open sequence its item's index
 * ("connections[0].schema_config.tables[3]"). */
static void slot_path(const struct loader *ld, struct buf *b)
{
	size_t i;

	for (i = 0; i < ld->depth; i++) {
		const struct frame *f = &ld->stack[i];
		if (f->is_map)
			path_key(b, entry_text(ld, f->key_off), entry_len(ld, f->key_off));
		else
			buf_printf(b, "[%zu]", f->items);
	}
}

/* A number the scalar being resolved cannot be: the error names the path of
 * its slot when it is a value below the root ("connections[0].config.port:
 * \"1e400\" is out of range..."); a key's error is at its position only. */
static bool in_key_slot(struct loader *ld);

static int fail_number(struct loader *ld, const char *what, const char *s, size_t len)
{
	struct buf path = BUF_INIT;
	char q[QUOTE_MAX + 8];

	if (ld->depth && !in_key_slot(ld)) {
		slot_path(ld, &path);
		buf_puts(&path, ": ");
	}
	fail_node(ld, "%s%s %s", buf_str(&path), quote(s, len, q), what);
	buf_free(&path);
	return -1;
}

/* What shape wants, for messages. */
static void shape_expected(const struct yaml_shape *shape, struct buf *b)
{
	const char *const *w;

	switch (shape->kind) {
	case YAML_SHAPE_MAPPING:
		buf_puts(b, "a mapping");
		break;
	case YAML_SHAPE_SEQUENCE:
		buf_puts(b, "a sequence");
		break;
	case YAML_SHAPE_STRING:
		buf_puts(b, "a string");
		break;
	case YAML_SHAPE_BOOL:
		buf_puts(b, "true or false");
		break;
	default:
		buf_puts(b, "one of ");
		for (w = shape->allowed; *w; w++)
			buf_printf(b, "%s%s", w == shape->allowed ? "" : ", ", *w);
		break;
	}
}

/* What was found instead, with a hint where the core schema surprises. */
static void shape_found(const struct yaml_shape *shape, const struct resolved *r, struct buf *b)
{
	char q[QUOTE_MAX + 8];

	switch (r->type) {
	case VALUE_NULL:
	case VALUE_OBJECT:
	case VALUE_ARRAY:
		buf_puts(b, value_found_phrase(r->type, false));
		break;
	case VALUE_BOOL:
		buf_printf(b, "the boolean %s", r->boolean ? "true" : "false");
		if (shape->kind == YAML_SHAPE_STRING || shape->kind == YAML_SHAPE_ENUM)
			buf_puts(b, " (quote it to make it a string)");
		break;
	case VALUE_NUMBER: /* canonical text: ASCII */
		buf_printf(b, "the number %.*s%s", r->len > QUOTE_MAX ? QUOTE_MAX : (int)r->len,
			   r->text, r->len > QUOTE_MAX ? "..." : "");
		if (shape->kind == YAML_SHAPE_STRING || shape->kind == YAML_SHAPE_ENUM)
			buf_puts(b, " (quote it to make it a string)");
		break;
	case VALUE_STRING:
		buf_puts(b, quote(r->text, r->len, q));
		if (shape->kind == YAML_SHAPE_BOOL && bool_text(r->text, r->len) >= 0)
			buf_puts(b, " (quoted or tagged as a string, so not a boolean)");
		break;
	}
}

/* The current slot's node (or, suffix non-NULL, a node below it that an
 * alias brought in) does not fit shape. */
static int fail_shape(struct loader *ld, const struct yaml_shape *shape,
		      const struct resolved *found, const char *suffix)
{
	struct buf path = BUF_INIT, want = BUF_INIT, got = BUF_INIT;

	slot_path(ld, &path);
	if (suffix)
		buf_puts(&path, suffix);
	shape_expected(shape, &want);
	shape_found(shape, found, &got);
	fail_node(ld, "%s: expected %s, found %s", buf_str(&path), buf_str(&want), buf_str(&got));
	buf_free(&path);
	buf_free(&want);
	buf_free(&got);
	return -1;
}

/* Check a node of the current slot, already resolved, against its shape. */
static int check_slot(struct loader *ld, const struct yaml_shape *shape, const struct resolved *r)
{
	const struct frame *f = top(ld);

	if (!shape || shape_accepts(shape, r, f && !f->is_map))
		return 0;
	return fail_shape(ld, shape, r, NULL);
}

static void resolved_of(const struct value *v, struct resolved *r)
{
	memset(r, 0, sizeof *r);
	r->type = v->type;
	if (v->type == VALUE_BOOL) {
		r->boolean = v->u.boolean;
	} else if (v->type == VALUE_NUMBER) {
		r->text = v->u.number;
		r->len = strlen(v->u.number);
	} else if (v->type == VALUE_STRING) {
		r->text = v->u.str.ptr;
		r->len = v->u.str.len;
	}
}

/* Check an alias's copy v against shape: the same rules as the streaming
 * check, on the tree (shapes are shallow, so the recursion is). suffix is the
 * path below the slot, for messages. */
static int check_tree(struct loader *ld, const struct value *v, const struct yaml_shape *shape,
		      bool item, struct buf *suffix)
{
	const struct yaml_shape *c;
	struct resolved r;
	size_t i, mark = suffix->len;
	int rc = 0;

	if (!shape)
		return 0;
	resolved_of(v, &r);
	if (!shape_accepts(shape, &r, item))
		return fail_shape(ld, shape, &r, buf_str(suffix));
	if (v->type == VALUE_OBJECT && shape->children) {
		for (c = shape->children; c->key && !rc; c++) {
			const struct value *m = value_get(v, c->key);
			if (!m)
				continue;
			buf_putc(suffix, '.'); /* the slot's path comes first */
			buf_puts(suffix, c->key);
			rc = check_tree(ld, m, checked_shape(c), false, suffix);
			path_truncate(suffix, mark);
		}
	} else if (v->type == VALUE_ARRAY && checked_shape(shape->items)) {
		for (i = 0; i < v->u.arr.n && !rc; i++) {
			buf_printf(suffix, "[%zu]", i);
			rc = check_tree(ld, v->u.arr.items[i], checked_shape(shape->items), true,
					suffix);
			path_truncate(suffix, mark);
		}
	}
	return rc;
}

/* Record the key of the current mapping member; decide whether its value is
 * kept. */
static int add_key(struct loader *ld, const char *s, size_t len)
{
	struct frame *f = top(ld);
	char q[QUOTE_MAX + 8];
	const struct yaml_options *o = ld->opts;

	if (key_seen(ld, f, s, len))
		return fail_node(ld, "duplicate key %s", quote(s, len, q));
	f->key_off = ld->keys.len;
	keys_push(&ld->keys, s, len);
	f->nkeys++;
	f->nodes += len / BYTES_PER_NODE;
	if (f->index && 2 * f->nkeys > f->index_cap)
		index_rebuild(ld, f, 2 * f->index_cap);
	else if (f->index)
		index_insert(ld, f, f->key_off);
	else if (f->nkeys > KEY_SCAN_LIMIT)
		index_rebuild(ld, f, 4 * KEY_SCAN_LIMIT);
	f->expect_key = false;
	f->value_discarded = f->node && o && o->discard &&
			     o->discard(entry_text(ld, f->key_off), ld->depth - 1, o->ctx);
	/* Inside a shaped value its shape rules (even should the caller
	 * discard a key of an anchored mapping there); elsewhere a discarded
	 * value gets the caller's shape. */
	if (f->shape)
		f->value_shape = f->shape->children ?
				 member_shape(f, entry_text(ld, f->key_off), len) : NULL;
	else if (f->value_discarded)
		f->value_shape = checked_shape(o->discard_shape);
	return 0;
}

/* --- placing nodes -------------------------------------------------------- */

/* The slot of the node about to start, in frame f (the top one; NULL at the
 * root): a key? kept? (Every event asks: the _frame forms let one lookup of
 * the top frame serve several questions.) */
static bool frame_key_slot(const struct frame *f)
{
	return f && f->is_map && f->expect_key;
}

/* Whether the node about to start goes into the result (or into an anchored
 * node being built). */
static bool frame_kept(const struct frame *f)
{
	return !f || (f->node && !(f->is_map && f->value_discarded));
}

static bool in_key_slot(struct loader *ld)
{
	return frame_key_slot(top(ld));
}

static bool slot_kept(struct loader *ld)
{
	return frame_kept(top(ld));
}

/* A finished node (v NULL when not built) fills the current value slot. A
 * built node that has no place in a kept parent is an anchored one: the
 * anchor table borrows it from loader.owned. */
static void place_value(struct loader *ld, struct value *v, size_t nodes, size_t height)
{
	struct frame *f = top(ld);
	bool kept = frame_kept(f);

	if (!f) {
		ld->root = v;
		ld->have_root = true;
		return;
	}
	f->nodes += nodes;
	if (height > f->height)
		f->height = height;
	if (v && kept && f->is_map)
		value_object_put(f->node, entry_text(ld, f->key_off),
				 entry_len(ld, f->key_off), v);
	else if (v && kept)
		value_array_push(f->node, v);
	else if (v)
		own(ld, v);
	if (f->is_map) {
		f->expect_key = true;
		f->value_discarded = false;
		f->value_shape = NULL;
	} else {
		f->items++;
	}
}

/* --- events --------------------------------------------------------------- */

static int check_escaped_space(struct loader *ld, struct fy_token *value);

/* A scalar in a discarded value slot (not a key, no anchor) needs no look at
 * when it is a string its shape allows, or a plain word that cannot be a
 * number (numbers can be out of range). The text is fetched only when
 * needed: text is non-NULL when it has been. */
static bool discarded_scalar_fine(enum core_tag tag, bool plain, const struct yaml_shape *shape,
				  const char *text, size_t len)
{
	if (tag == TAG_STR || tag == TAG_NONSPECIFIC || (tag == TAG_NONE && !plain))
		return !shape || shape->kind == YAML_SHAPE_STRING;
	if (tag != TAG_NONE || !text || !len)
		return false;
	return shape ? shape->kind == YAML_SHAPE_STRING && !may_be_typed(text[0])
		     : !may_be_number(text[0]);
}

static int on_scalar(struct loader *ld, struct fy_event *e)
{
	struct fy_token *anchor = e->scalar.anchor;
	enum core_tag tag = e->scalar.tag ? classify_tag(e->scalar.tag) : TAG_NONE;
	bool plain = fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN;
	const struct frame *f = top(ld);
	bool key = frame_key_slot(f), kept = !key && frame_kept(f);
	const struct yaml_shape *shape = key ? NULL : frame_shape(f);
	bool discarded = !anchor && !key && !kept;
	struct resolved r;
	struct value *v = NULL;
	const char *s = NULL;
	size_t len = 0, weight;

	if (check_escaped_space(ld, e->scalar.value))
		return -1;
	/* Discarded: its weight matters to no anchor (those are built). */
	if (discarded && discarded_scalar_fine(tag, plain, shape, NULL, 0)) {
		place_value(ld, NULL, 1, 0);
		return 0;
	}
	s = fy_token_get_text(e->scalar.value, &len);
	if (!s)
		s = "", len = 0;
	if (discarded && discarded_scalar_fine(tag, plain, shape, s, len)) {
		place_value(ld, NULL, 1, 0);
		return 0;
	}
	if (resolve_scalar(ld, s, len, plain, tag, &r) || (shape && check_slot(ld, shape, &r)))
		return -1;
	weight = 1 + len / BYTES_PER_NODE;
	if (anchor || kept)
		v = resolved_value(&r, node_pos(ld, e));
	if (anchor) {
		char *name = token_strdup(anchor);
		anchor_set(ld, name, v, weight, 0);
		free(name);
	}
	if (key) {
		const char *k;
		size_t klen;
		key_name(NULL, &r, &k, &klen);
		if (v)
			own(ld, v);
		return add_key(ld, k, klen);
	}
	place_value(ld, v, weight, 0);
	return 0;
}

static int on_alias(struct loader *ld, struct fy_event *e)
{
	char *name = token_strdup(e->alias.anchor);
	struct anchor *a = anchor_find(&ld->anchors, name);
	int rc = 0;

	if (!a)
		rc = fail_node(ld, "alias *%s refers to no anchor defined before it", name);
	else if (!a->val)
		rc = fail_node(ld, "alias *%s refers to a node that contains it", name);
	else if (a->nodes > ld->max_alias_nodes - ld->alias_nodes)
		rc = fail_node(ld, "alias expansion exceeds %zu nodes (at alias *%s)",
			     ld->max_alias_nodes, name);
	free(name);
	if (rc)
		return rc;
	ld->alias_nodes += a->nodes;
	if (in_key_slot(ld)) {
		const char *k;
		size_t klen;
		if (a->val->type == VALUE_ARRAY || a->val->type == VALUE_OBJECT)
			return fail_node(ld, "a mapping key must be a scalar, not a %s",
				       value_type_name(a->val->type));
		key_name(a->val, NULL, &k, &klen);
		return add_key(ld, k, klen);
	}
	if (ld->depth + a->height > YAML_MAX_DEPTH)
		return fail_node(ld, "nesting deeper than %d levels", YAML_MAX_DEPTH);
	if (slot_shape(ld)) {
		struct buf suffix = BUF_INIT;
		rc = check_tree(ld, a->val, slot_shape(ld), !top(ld)->is_map, &suffix);
		buf_free(&suffix);
		if (rc)
			return rc;
	}
	place_value(ld, slot_kept(ld) ? value_clone(a->val) : NULL, a->nodes, a->height);
	return 0;
}

static int on_collection_start(struct loader *ld, struct fy_event *e, bool is_map)
{
	struct fy_token *anchor = is_map ? e->mapping_start.anchor : e->sequence_start.anchor;
	enum core_tag tag = classify_tag(is_map ? e->mapping_start.tag : e->sequence_start.tag);
	const char *kind = is_map ? "mapping" : "sequence";
	const struct yaml_shape *shape;
	struct resolved found = { .type = is_map ? VALUE_OBJECT : VALUE_ARRAY };
	struct pos p;
	struct frame *f;

	if (tag != TAG_NONE && tag != TAG_NONSPECIFIC && tag != (is_map ? TAG_MAP : TAG_SEQ))
		return fail_node(ld, "%s tag on a %s", tag_name(tag), kind);
	if (in_key_slot(ld))
		return fail_node(ld, "a mapping key must be a scalar, not a %s", kind);
	shape = slot_shape(ld);
	if (shape && check_slot(ld, shape, &found))
		return -1;
	if (ld->depth >= YAML_MAX_DEPTH)
		return fail_node(ld, "nesting deeper than %d levels", YAML_MAX_DEPTH);
	ld->stack = xgrow(ld->stack, &ld->stack_cap, ld->depth + 1, sizeof *ld->stack);
	f = &ld->stack[ld->depth];
	memset(f, 0, sizeof *f);
	if (anchor || slot_kept(ld)) {
		p = node_pos(ld, e); /* only built nodes need theirs */
		f->node = is_map ? value_new_object() : value_new_array();
		f->node->line = p.line;
		f->node->col = p.col;
	}
	if (anchor) {
		f->anchor = token_strdup(anchor);
		anchor_set(ld, f->anchor, NULL, 0, 0); /* open: aliasing it is recursion */
	}
	f->is_map = is_map;
	f->shape = shape;
	f->expect_key = is_map;
	f->nodes = 1;
	f->keys_base = ld->keys.len;
	ld->depth++;
	return 0;
}

static void on_collection_end(struct loader *ld)
{
	struct frame f = ld->stack[--ld->depth];

	free(f.index);
	if (f.is_map && ld->keys.data) { /* forget its keys, keep the buffer */
		ld->keys.len = f.keys_base;
		ld->keys.data[f.keys_base] = '\0';
	}
	if (f.anchor) {
		anchor_set(ld, f.anchor, f.node, f.nodes, f.height + 1);
		free(f.anchor);
	}
	place_value(ld, f.node, f.nodes, f.height + 1);
}

static int on_document_start(struct loader *ld, struct fy_event *e)
{
	struct pos p;

	if (++ld->documents < 2)
		return 0;
	if (mark_pos(fy_event_start_mark(e), &p))
		return fail_at(ld, p, "more than one document (each input file holds exactly one)");
	ld->second_document = true; /* implicit start: report at its first node */
	return 0;
}

/* The second document started implicitly (no "---" to point at): the error
 * goes at the first event after it, whatever that is, so its nodes never
 * reach the first document's root. */
static int fail_second_document(struct loader *ld, struct fy_event *e)
{
	struct pos p = last_pos(ld);

	switch (e->type) {
	case FYET_SCALAR:
	case FYET_ALIAS:
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		p = node_pos(ld, e); /* also an empty node's tag or anchor */
		break;
	default:
		mark_pos(fy_event_start_mark(e), &p);
		break;
	}
	return fail_at(ld, p, "more than one document (each input file holds exactly one)");
}

static int on_event(struct loader *ld, struct fy_event *e)
{
	if (ld->second_document)
		return fail_second_document(ld, e);
	switch (e->type) {
	case FYET_DOCUMENT_START:
		return on_document_start(ld, e);
	case FYET_SCALAR:
		return on_scalar(ld, e);
	case FYET_ALIAS:
		return on_alias(ld, e);
	case FYET_MAPPING_START:
		return on_collection_start(ld, e, true);
	case FYET_SEQUENCE_START:
		return on_collection_start(ld, e, false);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		on_collection_end(ld);
		return 0;
	case FYET_STREAM_END:
		ld->done = true;
		return 0;
	default:
		return 0;
	}
}

/* --- input --------------------------------------------------------------- */

/* libfyaml 0.7 takes invalid UTF-8 or a NUL byte for the end of the input,
 * silently (a document can lose its tail), and loops forever on a byte that
 * is not UTF-8 in a directive line, even one it is only shown the first byte
 * of. So input reaches it only through this reader, which checks that the
 * stream is UTF-8 made of YAML's printable characters (YAML 1.2 §5.1) and
 * hands libfyaml whole, checked characters only: it reads YAML_READ_CHUNK
 * bytes at a time into its own buffer, and a character cut by the end of a
 * chunk waits there (the "tail") until the next read completes it. At the
 * first character that is not allowed the input ends before it; the load then
 * fails naming that character's position. A file that ends inside a
 * character ends before that character the same way.
 *
 * The reader also notes every escaped space (see struct escaped_space). */

/* A backslash followed by a space and then, after nothing but spaces and
 * tabs, a line break. Inside a double-quoted scalar that is an escaped space
 * before a line break, which libfyaml 0.7.12 drops together with the line
 * fold's space while still counting their bytes in the scalar's length (the
 * text would end in bytes it never wrote). The reader cannot tell a
 * double-quoted scalar from a comment or a plain scalar, so it notes every
 * such place; on_scalar() refuses a double-quoted scalar holding one. A
 * backslash counts only as the last of an odd run (in "\\ " the space is not
 * escaped). */
struct escaped_space {
	size_t offset;  /* of the backslash in the stream, as libfyaml's marks count */
	struct pos pos;
};

struct input {
	FILE *f;
	unsigned char *buf; /* YAML_READ_CHUNK bytes */
	size_t out;        /* next byte of buf to hand to libfyaml */
	size_t good;       /* end of the checked, complete characters in buf */
	size_t end;        /* end of the bytes read into buf */
	size_t base;       /* stream offset of buf[0] */
	int line, col;     /* of the next character */
	unsigned need;     /* continuation bytes still expected */
	uint32_t cp, min;  /* code point so far; least value for its length */
	unsigned lead;     /* its first byte */
	struct pos start;  /* where the character being decoded started */
	bool line_start;   /* the next byte starts a line */
	size_t directive_len; /* bytes so far of a line starting with '%'; 0: none */
	bool odd_backslashes;  /* the characters just read end in an odd run of '\' */
	bool after_escaped_space; /* ...and since then a space, then spaces or tabs */
	struct escaped_space pending; /* the last backslash of that run */
	struct escaped_space *spaces; /* noted, in stream order, from spaces_head on */
	size_t nspaces, spaces_head, spaces_cap;
	bool bad, eof;
	int read_errno;    /* set when reading failed */
	char bad_msg[96];
};

static bool printable(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0x7E) ||
	       cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	       (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The character that started with byte in->lead is not UTF-8. */
static void input_bad_utf8(struct input *in)
{
	in->bad = true;
	snprintf(in->bad_msg, sizeof in->bad_msg,
		 "invalid UTF-8 at byte 0x%02X; a YAML file must be UTF-8", in->lead);
}

static void input_bad_char(struct input *in, uint32_t cp)
{
	in->bad = true;
	snprintf(in->bad_msg, sizeof in->bad_msg,
		 "character U+%04X is not allowed in YAML (not printable)", (unsigned)cp);
}

/* Follow the escaped-space pattern over byte c (at buf[i]), which starts a
 * character; call before the position moves past it. */
static void track_escapes(struct input *in, unsigned c, size_t i)
{
	if (in->after_escaped_space) {
		if (c == ' ' || c == '\t')
			return;
		in->after_escaped_space = false;
		if (c == '\n' || c == '\r') {
			in->spaces = xgrow(in->spaces, &in->spaces_cap, in->nspaces + 1,
					   sizeof *in->spaces);
			in->spaces[in->nspaces++] = in->pending;
		}
	}
	if (c == '\\') {
		in->odd_backslashes = !in->odd_backslashes;
		in->pending.offset = in->base + i;
		in->pending.pos.line = in->line;
		in->pending.pos.col = in->col;
		return;
	}
	in->after_escaped_space = c == ' ' && in->odd_backslashes;
	in->odd_backslashes = false;
}

/* Whether an escaped space noted by the reader lies at a stream offset in
 * [from, to); *p is then its position. Forgets those before from: callers
 * ask in stream order. */
static bool input_escaped_space(struct input *in, size_t from, size_t to, struct pos *p)
{
	while (in->spaces_head < in->nspaces && in->spaces[in->spaces_head].offset < from)
		in->spaces_head++;
	if (in->spaces_head == in->nspaces) {
		in->spaces_head = in->nspaces = 0;
		return false;
	}
	if (in->spaces[in->spaces_head].offset >= to)
		return false;
	*p = in->spaces[in->spaces_head].pos;
	return true;
}

/* libfyaml 0.7.12 takes time quadratic in the length of a directive line
 * (a reserved one: "%FOO ..." of 64 KiB takes seconds, of 1 MiB hours). No
 * directive needs to be long, so a line starting with '%' is limited (the
 * limit also applies where such a line is not a directive: inside a
 * top-level multi-line scalar). */
#define DIRECTIVE_LINE_MAX 4096

/* Account for the next n bytes b[0..n) of the current line. */
static void track_directive(struct input *in, const unsigned char *b, size_t n)
{
	if (in->line_start)
		in->directive_len = b[0] == '%' ? n : 0;
	else if (in->directive_len)
		in->directive_len += n;
	in->line_start = false;
	if (in->directive_len > DIRECTIVE_LINE_MAX) {
		in->bad = true;
		in->start.line = in->line;
		in->start.col = 1;
		snprintf(in->bad_msg, sizeof in->bad_msg,
			 "a directive line longer than %d bytes (libfyaml 0.7.12 is too slow "
			 "on them)", DIRECTIVE_LINE_MAX);
	}
}

/* Start decoding the character whose first byte is c. */
static void input_lead(struct input *in, unsigned c)
{
	in->start.line = in->line;
	in->start.col = in->col;
	in->lead = c;
	if (c < 0x80) {
		input_bad_char(in, c);
	} else if (c >= 0xC2 && c <= 0xDF) {
		in->need = 1, in->cp = c & 0x1F, in->min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		in->need = 2, in->cp = c & 0x0F, in->min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		in->need = 3, in->cp = c & 0x07, in->min = 0x10000;
	} else {
		input_bad_utf8(in);
	}
}

/* Continue the character being decoded with byte c. */
static void input_continue(struct input *in, unsigned c)
{
	if ((c & 0xC0) != 0x80) {
		input_bad_utf8(in);
		return;
	}
	in->cp = in->cp << 6 | (c & 0x3F);
	if (--in->need)
		return;
	if (in->cp < in->min || (in->cp >= 0xD800 && in->cp <= 0xDFFF) || in->cp > 0x10FFFF)
		input_bad_utf8(in);
	else if (!printable(in->cp))
		input_bad_char(in, in->cp);
	else
		in->col++;
	if (in->cp == 0xFEFF && in->start.line == 1 && in->start.col == 1)
		in->line_start = true; /* a BOM: the first line starts after it */
}

/* Plain printable ASCII, the bytes that need no look at context. */
static bool quiet_ascii(unsigned c)
{
	return c >= 0x20 && c < 0x7F && c != '\\';
}

/* The end of the run of quiet_ascii() bytes starting at b[i], before n.
 * Eight bytes at a time: a word holds none of the other bytes when no byte
 * is below 0x20, none above 0x7E and none is '\\' (the usual "has a byte
 * less than / more than / equal to" bit tricks; they can only err towards
 * the byte loop, which then decides). */
static size_t quiet_run(const unsigned char *b, size_t i, size_t n)
{
	const uint64_t ones = ~(uint64_t)0 / 255, high = ones * 0x80;
	uint64_t w, x;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, sizeof w);
		x = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | (w + ones) | w | ((x - ones) & ~x)) & high)
			break;
	}
	while (i < n && quiet_ascii(b[i]))
		i++;
	return i;
}

/* Check buf[from, end), continuing the character the tail before from began.
 * Moves in->good to the end of the last complete character, stopping at the
 * first bad one. */
static void input_check(struct input *in, size_t from)
{
	const unsigned char *b = in->buf;
	size_t i, n = in->end;

	for (i = from; i < n && !in->bad; i++) {
		unsigned c = b[i];
		if (!in->need && quiet_ascii(c) && !in->odd_backslashes &&
		    !in->after_escaped_space) {
			/* the common case: a run of printable ASCII */
			size_t run = quiet_run(b, i + 1, n);
			in->col += (int)(run - i);
			track_directive(in, b + i, run - i);
			if (in->bad)
				break;
			i = run - 1;
			in->good = run;
			continue;
		}
		if (c == '\n' || (c == '\r' && !in->need)) {
			in->line_start = true;
			in->directive_len = 0;
		} else {
			track_directive(in, b + i, 1);
		}
		if (in->need) {
			input_continue(in, c);
		} else if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r') {
			track_escapes(in, c, i);
			in->col++;
		} else if (c == '\n') {
			track_escapes(in, c, i);
			in->line++;
			in->col = 1;
		} else {
			track_escapes(in, c, i);
			input_lead(in, c);
		}
		if (!in->need && !in->bad)
			in->good = i + 1;
	}
}

/* Read more input until some checked bytes are ready, or the input ends:
 * the end of the file (inside a character: bad), a bad character, or a read
 * error. */
static void input_fill(struct input *in)
{
	size_t n, tail;

	while (in->good == in->out && !in->bad && !in->eof && !in->read_errno) {
		tail = in->end - in->good; /* the start of a character, < 4 bytes */
		memmove(in->buf, in->buf + in->good, tail);
		in->base += in->good;
		in->out = in->good = 0;
		in->end = tail;
		n = fread(in->buf + tail, 1, YAML_READ_CHUNK - tail, in->f);
		if (!n && ferror(in->f)) {
			/* end the input (libfyaml would retry a -1 forever); the
			 * load then fails with this errno */
			in->read_errno = errno ? errno : EIO;
		} else if (!n) {
			in->eof = true;
			if (tail) {
				in->bad = true;
				snprintf(in->bad_msg, sizeof in->bad_msg,
					 "invalid UTF-8 (the file ends inside a character)");
			}
		} else {
			in->end += n;
			input_check(in, tail);
		}
	}
}

/* Refuse a double-quoted scalar that libfyaml 0.7.12 reads wrongly (see
 * struct escaped_space). Every scalar comes here, in stream order, so the
 * notes before it are forgotten as the load goes on. */
static int check_escaped_space(struct loader *ld, struct fy_token *value)
{
	struct input *in = ld->in;
	const struct fy_mark *start, *end;
	struct pos p;

	if (in->spaces_head == in->nspaces)
		return 0;
	start = fy_token_start_mark(value);
	end = fy_token_end_mark(value);
	if (!start || !end || !input_escaped_space(in, start->input_pos, end->input_pos, &p) ||
	    fy_token_scalar_style(value) != FYSS_DOUBLE_QUOTED)
		return 0;
	return fail_at(ld, p, "an escaped space (\\ ) right before a line break in a "
		       "double-quoted scalar: libfyaml 0.7.12 cannot read it correctly "
		       "(write \\x20 instead)");
}

static ssize_t input_read(void *user, void *buf, size_t count)
{
	struct input *in = user;
	size_t n;

	input_fill(in);
	n = in->good - in->out;
	if (n > count)
		n = count;
	memcpy(buf, in->buf + in->out, n);
	in->out += n;
	return (ssize_t)n;
}

/* --- libfyaml set-up and errors ------------------------------------------- */

#define DIAG_TEXT_MAX 512

/* libfyaml reports most errors as collected records with a position; a few
 * only as printed text. That text is kept (the first DIAG_TEXT_MAX bytes) so
 * the message can still say what was wrong; nothing reaches stderr. */
static void diag_capture(struct fy_diag *diag, void *user, const char *text, size_t len)
{
	struct buf *b = user;

	(void)diag;
	if (b->len < DIAG_TEXT_MAX)
		buf_append(b, text, len < DIAG_TEXT_MAX - b->len ? len : DIAG_TEXT_MAX - b->len);
}

/* A diagnostic object that collects errors instead of printing them. */
static struct fy_diag *quiet_diag(struct buf *printed)
{
	struct fy_diag_cfg cfg;
	struct fy_diag *diag;

	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.output_fn = diag_capture;
	cfg.user = printed;
	cfg.colorize = false;
	cfg.show_source = cfg.show_position = cfg.show_type = cfg.show_module = false;
	diag = fy_diag_create(&cfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* The first line of printed diagnostics, without a "[ERR]: "-style tag. */
static const char *printed_message(struct buf *printed)
{
	char *s = printed->data, *nl;

	if (!s)
		return NULL;
	if (s[0] == '[' && (nl = strstr(s, "]: ")))
		s = nl + 3;
	if ((nl = strchr(s, '\n')))
		*nl = '\0';
	return *s ? s : NULL;
}

static int syntax_error(struct loader *ld, struct fy_diag *diag, struct buf *printed)
{
	struct fy_diag_error *de;
	void *iter = NULL;
	struct pos p = last_pos(ld);
	const char *msg;

	while ((de = fy_diag_errors_iterate(diag, &iter)))
		if (de->type >= FYET_ERROR)
			break;
	if (!de) {
		msg = printed_message(printed);
		if (msg && strstr(msg, FYAML_BROKEN_AFTER))
			ld->parser_unsafe_to_destroy = true;
		return fail_at(ld, p, "%s", msg ? msg : "invalid YAML");
	}
	if (de->line > 0 && de->column > 0) {
		p.line = de->line;
		p.col = de->column;
	}
	if (de->msg && strstr(de->msg, FYAML_BROKEN_AFTER))
		ld->parser_unsafe_to_destroy = true;
	return fail_at(ld, p, "%s", de->msg && *de->msg ? de->msg : "invalid YAML");
}

/* Whether libfyaml 0.7.12 always gives event e an end mark: collections,
 * aliases and scalars with a token do; empty scalars and implicit document
 * boundaries may have none. */
static bool surely_marked(const struct fy_event *e)
{
	switch (e->type) {
	case FYET_MAPPING_START:
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_START:
	case FYET_SEQUENCE_END:
	case FYET_ALIAS:
		return true;
	case FYET_SCALAR:
		return e->scalar.value != NULL;
	default:
		return false;
	}
}

/* Event e has been handled. Errors with no node of their own are placed at
 * the end of the last event with a position; working that out for every
 * event costs more than a per cent of a load, so a surely marked event is
 * kept (as loader.prev) until the next one is handled, and asked only when
 * an error needs it. Any other event is asked at once. */
static void note_handled(struct loader *ld, struct fy_parser *fyp, struct fy_event *e)
{
	struct pos p;
	bool sure = surely_marked(e);

	if (ld->prev) {
		if (!sure && mark_pos(fy_event_end_mark(ld->prev), &p))
			ld->last = p;
		fy_parser_event_free(fyp, ld->prev);
		ld->prev = NULL;
	}
	if (sure) {
		ld->prev = e;
		return;
	}
	if (mark_pos(fy_event_end_mark(e), &p))
		ld->last = p;
	fy_parser_event_free(fyp, e);
}

static int parse_events(struct loader *ld, struct fy_parser *fyp, struct fy_diag *diag,
			struct buf *printed)
{
	struct fy_event *e;
	int rc = 0;

	while (!rc && !ld->done) {
		e = fy_parser_parse(fyp);
		if (!e) {
			if (fy_parser_get_stream_error(fyp) || fy_diag_got_error(diag))
				rc = syntax_error(ld, diag, printed);
			break;
		}
		ld->event = e;
		rc = on_event(ld, e);
		note_handled(ld, fyp, e);
	}
	ld->event = NULL;
	if (ld->prev)
		fy_parser_event_free(fyp, ld->prev);
	ld->prev = NULL;
	return rc;
}

static void loader_free(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->depth; i++) {
		value_free(ld->stack[i].node);
		free(ld->stack[i].anchor);
		free(ld->stack[i].index);
	}
	free(ld->stack);
	for (i = 0; i < ld->nowned; i++)
		value_free(ld->owned[i]);
	free(ld->owned);
	anchors_free(&ld->anchors);
	buf_free(&ld->keys);
	buf_free(&ld->number);
	buf_free(&ld->scratch);
}

int yaml_load(FILE *f, const char *filename, const struct yaml_options *opts,
	      struct value **out, struct err *err)
{
	struct loader ld;
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp = NULL;
	struct fy_diag *diag;
	struct buf printed = BUF_INIT;
	struct input in;
	int rc;

	*out = NULL;
	memset(&in, 0, sizeof in);
	in.f = f;
	in.buf = xmalloc(YAML_READ_CHUNK);
	in.line = in.col = 1;
	in.line_start = true;
	memset(&ld, 0, sizeof ld);
	ld.filename = filename;
	ld.opts = opts;
	ld.max_alias_nodes = opts && opts->max_alias_nodes ? opts->max_alias_nodes
							   : YAML_DEFAULT_MAX_ALIAS_NODES;
	ld.last.line = ld.last.col = 1;
	ld.err = err;
	ld.in = &in;
	memset(&cfg, 0, sizeof cfg);
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE;
	cfg.diag = diag = quiet_diag(&printed);
	if (diag)
		fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_input_callback(fyp, &in, input_read)) {
		rc = err_set(err, "%s: cannot set up the YAML parser", filename);
	} else {
		rc = parse_events(&ld, fyp, diag, &printed);
		/* A bad character ended the input early: whatever else went
		 * wrong may only be the effect of that. */
		if (in.bad)
			rc = fail_at(&ld, in.start, "%s", in.bad_msg);
		else if (in.read_errno)
			rc = err_set(err, "%s: %s", filename, strerror(in.read_errno));
	}
	if (fyp && !ld.parser_unsafe_to_destroy)
		fy_parser_destroy(fyp);
	if (diag)
		fy_diag_destroy(diag);
	buf_free(&printed);
	free(in.buf);
	free(in.spaces);
	if (!rc)
		*out = ld.have_root ? ld.root : value_new_null();
	else
		value_free(ld.root);
	loader_free(&ld);
	return rc;
}

int yaml_load_path(const char *path, const struct yaml_options *opts,
		   struct value **out, struct err *err)
{
	FILE *f = fileio_fopen_input(path, 0, err);
	int rc;

	*out = NULL;
	if (!f)
		return -1;
	rc = yaml_load(f, path, opts, out, err);
	fclose(f);
	return rc;
}
