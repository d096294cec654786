/*
 * yaml.h — load one YAML document into a value tree, streaming.
 *
 * Built on libfyaml's event parser (fy_parser_parse), never its document tree:
 * memory is what the kept value tree needs, not a multiple of the file size.
 * Scalars are resolved with the YAML 1.2 core schema exactly as SPEC §1 says:
 * plain null/Null/NULL/~/empty → null; true/false (and True/TRUE, ...) →
 * boolean; decimal, 0o octal and 0x hex integers and core-schema floats →
 * numbers (canonical JSON text); yes/no/on/off and everything else → strings;
 * quoted scalars are always strings. The core tags !!str !!int !!float !!bool
 * !!null !!map !!seq are honoured (a value that does not fit its tag is an
 * error); any other tag is ignored. Aliases are resolved by copying the
 * anchored node, with a bound on the total number of nodes expansion may make
 * (so an alias bomb is an error). Errors: a non-scalar mapping key, a
 * duplicate key, .inf/.nan, more than one document, nesting deeper than
 * YAML_MAX_DEPTH, and every syntax error libfyaml reports.
 *
 * Mapping keys must be scalars; a key becomes the member name its value has as
 * JSON text (a string its text, null "null", booleans "true"/"false", numbers
 * their canonical text), and two keys with the same name are duplicates. The
 * non-specific tag "!" makes a scalar a string. Input must be UTF-8 made of
 * YAML's printable characters (a BOM is fine); a NUL, a control character or
 * invalid UTF-8 is an error at its position (also one cut off by the end of
 * the file); libfyaml never sees any byte of such a character.
 *
 * A limitation of libfyaml 0.7.12: in a double-quoted scalar, an escaped space
 * ("\ ") followed by nothing but spaces or tabs up to a line break is read
 * wrongly (the escaped space and the line fold vanish, and the reported length
 * counts bytes never written). Such a scalar is an error at the backslash
 * saying so; "\x20" (or an escaped tab) in its place reads correctly.
 * Another: it takes time quadratic in a directive line's length, so a line
 * starting with '%' longer than 4096 bytes is an error. A third: after the
 * error "cannot use tab for indentation of block entry" (e.g. "? a:<TAB>:")
 * its fy_parser_destroy() crashes, so that parser is abandoned: about 3 KB
 * leaked, once, on the way to refusing the file (t/valgrind.supp).
 *
 * Errors read "FILE:LINE:COL: message" (1-based; columns count characters),
 * with the position of the offending node.
 *
 * A caller may ask for some subtrees to be checked but not kept: options.discard
 * is asked for each mapping key; when it returns true the value under that key
 * is parsed and checked as strictly as the rest (syntax, duplicate keys, .inf,
 * tags) but no nodes are kept and the member is left out of the result, so
 * memory does not grow with it. The plan loader uses this for schema_config.
 * The one exception: a node with an anchor is always built (an alias in the
 * kept part may copy it), so anchored content inside a discarded value costs
 * memory until the load ends.
 *
 * Discarded values can still be checked for shape: options.discard_shape
 * (struct yaml_shape) says what every discarded value must look like, and the
 * loader checks it while streaming, building nothing. A shape is a kind
 * (mapping, sequence, string, boolean, or a string from a fixed list), plus
 * the shapes of a mapping's known members and of a sequence's items.
 * The rules:
 *  - Types are the core schema's: a quoted "true" is a string, not a
 *    boolean; a plain 12 is a number, not a string.
 *  - null is accepted as the value of a mapping member (it means "not set",
 *    as an absent key does) and as the discarded value itself, never as a
 *    sequence item.
 *  - Members a mapping shape does not list are allowed and unchecked
 *    (forward compatibility: a newer writer may add fields); listed members
 *    may be absent. YAML_SHAPE_ANY checks nothing below it.
 *  - An alias is checked by what it stands for.
 *  - An error names the path from the document's root and what was found:
 *    "FILE:LINE:COL: connections[0].schema_config.tables[3].sync_mode:
 *    expected one of SOFT_DELETE, HISTORY, LIVE, found "FOO"".
 *
 * Numbers: a core-schema float whose magnitude overflows a double (1e400,
 * -1e400, also !!float 1000...0 of 400 digits) is an error like .inf, in kept
 * and discarded values alike; one that underflows (1e-400) loads as written.
 * Integers (decimal, 0o, 0x) are kept as exact decimal text of any length, so
 * ids longer than a double's precision survive.
 *
 * Who may call: planner/ (the two input files), and tools/, fuzz/ and the
 * unit tests. Ownership: *out belongs to the caller (value_free()).
 */
#ifndef CCAPPLY_YAML_H
#define CCAPPLY_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "lib/value.h"

#define YAML_MAX_DEPTH 500 /* below JSON_MAX_DEPTH: what is loaded can be written and read back */
#define YAML_DEFAULT_MAX_ALIAS_NODES 1000000
/* The input is read and checked in chunks of this many bytes (tests place
 * multi-byte characters across their boundaries). */
#define YAML_READ_CHUNK 65536

/* What a discarded value must look like (see the file comment). */
enum yaml_shape_kind {
	YAML_SHAPE_ANY,      /* anything: nothing checked */
	YAML_SHAPE_MAPPING,
	YAML_SHAPE_SEQUENCE,
	YAML_SHAPE_STRING,
	YAML_SHAPE_BOOL,
	YAML_SHAPE_ENUM,     /* a string equal to one of allowed */
};

struct yaml_shape {
	/* In a children list: the member this entry describes. The list ends
	 * with an entry whose key is NULL. Unused for the top shape and items. */
	const char *key;
	enum yaml_shape_kind kind;
	const char *const *allowed;         /* ENUM: NULL-terminated list */
	const struct yaml_shape *children;  /* MAPPING: known members, or NULL */
	const struct yaml_shape *items;     /* SEQUENCE: each item, or NULL: unchecked */
};

struct yaml_options {
	/* key: the mapping key (its scalar text); depth: how many collections
	 * (mappings AND sequences) enclose the mapping holding the key: 0 for
	 * the root mapping, 2 for `connections[i]` in {connections: [{...}]}.
	 * NULL: keep all. */
	bool (*discard)(const char *key, size_t depth, void *ctx);
	void *ctx;
	/* Most nodes alias expansion may create in the whole document;
	 * 0 means YAML_DEFAULT_MAX_ALIAS_NODES. A scalar or key counts one
	 * extra node per 64 bytes of text, so long strings cannot multiply
	 * memory unnoticed. */
	size_t max_alias_nodes;
	/* The shape every discarded value must have; NULL: unchecked. */
	const struct yaml_shape *discard_shape;
};

/* Load the single document in f. filename is used in messages only. An empty
 * stream loads as null. opts may be NULL. */
int yaml_load(FILE *f, const char *filename, const struct yaml_options *opts,
	      struct value **out, struct err *err);

/* Open path and yaml_load() it; a missing file is an error naming the path. */
int yaml_load_path(const char *path, const struct yaml_options *opts,
		   struct value **out, struct err *err);

#endif
