/*
 * options.c — parsing, help and "did you mean" from the option tables of
 * options.h. Nothing here knows a particular command: the tables say it all.
 */
#include "cmd/options.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/buf.h"

#define WRAP 79

const struct command_spec *cmd_find(const struct command_spec *const *table, const char *name)
{
	size_t i;

	for (i = 0; table && table[i]; i++)
		if (!strcmp(table[i]->name, name))
			return table[i];
	return NULL;
}

/* ---- did you mean ----------------------------------------------------- */

/* Optimal string alignment distance: edits, with a swap of two neighbours
 * counting as one ("plna" is one edit from "plan"). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *row = xcalloc((la + 1) * (lb + 1), sizeof *row);
#define AT(i, j) row[(i) * (lb + 1) + (j)]

	for (i = 0; i <= la; i++)
		AT(i, 0) = i;
	for (j = 0; j <= lb; j++)
		AT(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = AT(i - 1, j) + 1;
			if (AT(i, j - 1) + 1 < best)
				best = AT(i, j - 1) + 1;
			if (AT(i - 1, j - 1) + cost < best)
				best = AT(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    AT(i - 2, j - 2) + 1 < best)
				best = AT(i - 2, j - 2) + 1;
			AT(i, j) = best;
		}
	}
	d = AT(la, lb);
#undef AT
	free(row);
	return d;
}

const char *cmd_nearest_word(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word), i, best = (size_t)-1, prefixed = 0;
	size_t allowed = len < 6 ? 1 : len < 10 ? 2 : 3;
	const char *found = NULL, *prefix_of = NULL;

	for (i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);
		if (d < best) {
			best = d;
			found = candidates[i];
		}
		if (len >= 2 && !strncmp(candidates[i], word, len)) {
			prefixed++;
			prefix_of = candidates[i];
		}
	}
	if (found && best <= allowed)
		return found;
	return prefixed == 1 ? prefix_of : NULL;
}

/* ---- parsing ------------------------------------------------------------ */

static size_t count_options(const struct opt_spec *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

static void full_name(struct buf *b, const struct command_spec *c,
		      const struct command_spec *parent)
{
	if (parent)
		buf_printf(b, "%s ", parent->name);
	buf_puts(b, c->name);
}

/* A usage error: the message, then the command's usage lines, on stderr. */
static int usage_error(const struct command_spec *c, const struct command_spec *parent,
		       const char *fmt, const char *a, const char *b)
{
	struct buf name = BUF_INIT, msg = BUF_INIT;

	full_name(&name, c, parent);
	buf_printf(&msg, fmt, a, b);
	cmd_fail("usage", "%s: %s", name.data, msg.data);
	cmd_help_usage_lines(stderr, c, parent);
	buf_free(&name);
	buf_free(&msg);
	return EXIT_USAGE;
}

static int unknown_option(const struct command_spec *c, const struct command_spec *parent,
			  const char *arg, size_t len)
{
	size_t n = count_options(c->options), i, k = 0;
	const char **names = xcalloc(2 * n + 2, sizeof *names);
	char *given = xstrndup(arg, len);
	const char *near;
	int rc;

	for (i = 0; i < n; i++) {
		if (c->options[i].kind == OPT_POSITIONAL)
			continue;
		names[k++] = c->options[i].name;
		if (c->options[i].alias)
			names[k++] = c->options[i].alias;
	}
	names[k++] = "--help";
	near = cmd_nearest_word(given, names, k);
	rc = near ? usage_error(c, parent, "unknown option '%s'; did you mean '%s'?", given, near) :
		    usage_error(c, parent, "unknown option '%s'%s", given, "");
	free(given);
	free(names);
	return rc;
}

static const struct opt_spec *find_option(const struct opt_spec *o, const char *arg, size_t len)
{
	for (; o->name; o++) {
		if (o->kind == OPT_POSITIONAL)
			continue;
		if ((strlen(o->name) == len && !strncmp(o->name, arg, len)) ||
		    (o->alias && strlen(o->alias) == len && !strncmp(o->alias, arg, len)))
			return o;
	}
	return NULL;
}

/* A path as the user meant it: relative ones inside -C DIR, as git -C does. */
static char *resolve(const struct opt_spec *o, const char *value, const struct global_options *g)
{
	struct buf b = BUF_INIT;

	if (o->path && value[0] != '/' && g && g->dir && strcmp(g->dir, "."))
		buf_printf(&b, "%s/%s", g->dir, value);
	else
		buf_puts(&b, value);
	return buf_detach(&b);
}

static void add_value(struct opt_value *v, const struct opt_spec *o, const char *value,
		      const struct global_options *g)
{
	const char *p = value;

	v->count++;
	if (o->kind != OPT_LIST) {
		v->values = xrealloc(v->values, (v->n + 1) * sizeof *v->values);
		v->values[v->n++] = resolve(o, value, g);
		return;
	}
	while (*p) { /* CODE,CODE: each item once, empty ones dropped */
		size_t len = strcspn(p, ",");
		if (len) {
			char *item = xstrndup(p, len);
			v->values = xrealloc(v->values, (v->n + 1) * sizeof *v->values);
			v->values[v->n++] = resolve(o, item, g);
			free(item);
		}
		p += len + (p[len] == ',');
	}
}

static int take_positional(struct cmd_args *out, const char *arg, const struct global_options *g)
{
	const struct opt_spec *o = out->cmd->options;
	size_t i;

	for (i = 0; o && o[i].name; i++)
		if (o[i].kind == OPT_POSITIONAL && !out->v[i].n) {
			add_value(&out->v[i], &o[i], arg, g);
			return 0;
		}
	return usage_error(out->cmd, out->parent, "unexpected argument '%s'%s", arg, "");
}

static int parse_one(struct cmd_args *out, int argc, char **argv, int *i,
		     const struct global_options *g)
{
	const char *arg = argv[*i], *eq = arg[1] == '-' ? strchr(arg, '=') : NULL, *value;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct opt_spec *o = find_option(out->cmd->options, arg, len);
	struct opt_value *v;

	if (!o)
		return unknown_option(out->cmd, out->parent, arg, len);
	v = &out->v[o - out->cmd->options];
	if (o->kind == OPT_FLAG) {
		if (eq)
			return usage_error(out->cmd, out->parent, "option '%s' takes no value%s",
					   o->name, "");
		v->count++;
		return 0;
	}
	value = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
	if (!value)
		return usage_error(out->cmd, out->parent, "option '%s' needs a value (%s)",
				   o->name, o->value);
	add_value(v, o, value, g);
	return 0;
}

int args_parse(const struct command_spec *c, const struct command_spec *parent, int argc,
	       char **argv, const struct global_options *g, struct cmd_args *out)
{
	size_t n = count_options(c->options), k;
	bool only_positional = false;
	int i, rc;

	out->cmd = c;
	out->parent = parent;
	out->v = xcalloc(n + 1, sizeof *out->v);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!only_positional && !strcmp(arg, "--")) {
			only_positional = true;
			continue;
		}
		if (!only_positional && (!strcmp(arg, "-h") || !strcmp(arg, "--help"))) {
			cmd_help_command(stdout, c, parent);
			args_free(out);
			return 1;
		}
		rc = !only_positional && arg[0] == '-' && arg[1] ? parse_one(out, argc, argv, &i, g) :
		     take_positional(out, arg, g);
		if (rc) {
			args_free(out);
			return rc;
		}
	}
	for (k = 0; k < n; k++)
		if (c->options[k].required && !out->v[k].n) {
			rc = usage_error(c, parent, "%s is required%s", c->options[k].name, "");
			args_free(out);
			return rc;
		}
	return 0;
}

void args_free(struct cmd_args *a)
{
	size_t i, j, n = a->cmd ? count_options(a->cmd->options) : 0;

	for (i = 0; a->v && i < n; i++) {
		for (j = 0; j < a->v[i].n; j++)
			free(a->v[i].values[j]);
		free(a->v[i].values);
	}
	free(a->v);
	a->v = NULL;
}

static const struct opt_value *lookup(const struct cmd_args *a, const char *name)
{
	const struct opt_spec *o = a->cmd->options;
	size_t i;

	for (i = 0; o && o[i].name; i++)
		if (!strcmp(o[i].name, name))
			return &a->v[i];
	/* Asking for an option the table does not declare is a bug. */
	fprintf(stderr, "ccapply: BUG: %s has no option %s\n", a->cmd->name, name);
	abort();
}

bool args_flag(const struct cmd_args *a, const char *name)
{
	return lookup(a, name)->count > 0;
}

const char *args_value(const struct cmd_args *a, const char *name)
{
	const struct opt_value *v = lookup(a, name);

	return v->n ? v->values[v->n - 1] : NULL;
}

size_t args_list(const struct cmd_args *a, const char *name, char *const **values)
{
	const struct opt_value *v = lookup(a, name);

	*values = v->values;
	return v->n;
}

/* ---- help ---------------------------------------------------------------- */

static void usage_token(struct buf *b, const struct opt_spec *o)
{
	if (o->kind == OPT_POSITIONAL) {
		buf_printf(b, o->required ? "%s" : "[%s]", o->name);
		return;
	}
	buf_putc(b, '[');
	if (o->alias)
		buf_printf(b, "%s|", o->alias);
	buf_puts(b, o->name);
	if (o->value)
		buf_printf(b, " %s", o->value);
	buf_putc(b, ']');
}

/* "PREFIX tokens..." wrapped at WRAP columns, continuation lines aligned
 * after PREFIX; positionals first, as they are usually written. */
static void usage_line(FILE *out, const char *prefix, const struct opt_spec *opts,
		       const char *tail)
{
	struct buf line = BUF_INIT, tok = BUF_INIT;
	size_t indent = strlen(prefix), pass, i;

	buf_puts(&line, prefix);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; opts && opts[i].name; i++) {
			const struct opt_spec *o = &opts[i];
			if ((o->kind == OPT_POSITIONAL) != (pass == 0) || o->hidden_in_usage)
				continue;
			buf_reset(&tok);
			usage_token(&tok, o);
			if (line.len + 1 + tok.len > WRAP && line.len > indent) {
				fprintf(out, "%s\n", line.data);
				buf_reset(&line);
				buf_printf(&line, "%*s", (int)indent, "");
			}
			buf_printf(&line, " %s", tok.data);
		}
	}
	if (tail && line.len + 1 + strlen(tail) > WRAP) {
		fprintf(out, "%s\n", line.data);
		buf_reset(&line);
		buf_printf(&line, "%*s", (int)indent, "");
	}
	if (tail)
		buf_printf(&line, " %s", tail);
	fprintf(out, "%s\n", line.data);
	buf_free(&line);
	buf_free(&tok);
}

void cmd_help_usage_lines(FILE *out, const struct command_spec *c,
			  const struct command_spec *parent)
{
	struct buf prefix = BUF_INIT;
	size_t i;

	if (c->subcommands) {
		for (i = 0; c->subcommands[i]; i++) {
			buf_reset(&prefix);
			buf_printf(&prefix, "%s ccapply %s %s", i ? "      " : "usage:", c->name,
				   c->subcommands[i]->name);
			usage_line(out, prefix.data, c->subcommands[i]->options, NULL);
		}
	} else {
		buf_puts(&prefix, "usage: ccapply ");
		full_name(&prefix, c, parent);
		usage_line(out, prefix.data, c->options, NULL);
	}
	buf_free(&prefix);
}

static void option_label(struct buf *b, const struct opt_spec *o)
{
	if (o->alias)
		buf_printf(b, "%s, ", o->alias);
	buf_puts(b, o->name);
	if (o->value)
		buf_printf(b, " %s", o->value);
}

/* "  LABEL  help", the help's continuation lines aligned under it. */
static void item_line(FILE *out, const char *label, int width, const char *help)
{
	const char *p = help ? help : "";
	size_t n = strcspn(p, "\n");

	fprintf(out, "  %-*s  %.*s\n", width, label, (int)n, p);
	for (p += n; *p == '\n'; p += n) {
		p++;
		n = strcspn(p, "\n");
		fprintf(out, "  %-*s  %.*s\n", width, "", (int)n, p);
	}
}

/* Has an earlier subcommand already listed this option? */
static bool listed_before(const struct command_spec *const *subs, size_t upto, const char *name)
{
	size_t i, j;

	for (i = 0; i < upto; i++)
		for (j = 0; subs[i]->options && subs[i]->options[j].name; j++)
			if (!strcmp(subs[i]->options[j].name, name))
				return true;
	return false;
}

/* The "Options:" section: the command's options (for one with subcommands,
 * each option of any of them once), positionals included when they have
 * help. Nothing when there are none. */
static void options_section(FILE *out, const struct command_spec *c, const char *title)
{
	const struct command_spec *single[2] = { c, NULL };
	const struct command_spec *const *subs = c->subcommands ? c->subcommands : single;
	struct buf label = BUF_INIT;
	int width = 0, pass;
	size_t i, j;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; subs[i]; i++) {
			for (j = 0; subs[i]->options && subs[i]->options[j].name; j++) {
				const struct opt_spec *o = &subs[i]->options[j];
				if (!o->help || listed_before(subs, i, o->name))
					continue;
				buf_reset(&label);
				option_label(&label, o);
				if (pass == 0 && (int)label.len > width)
					width = (int)label.len;
				if (pass == 1)
					item_line(out, label.data, width, o->help);
			}
		}
		if (pass == 0 && !width)
			break;
		if (pass == 0)
			fprintf(out, "\n%s\n", title);
	}
	buf_free(&label);
}

static void subcommands_section(FILE *out, const struct command_spec *c)
{
	struct buf label = BUF_INIT;
	int width = 0, pass;
	size_t i, j;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; c->subcommands[i]; i++) {
			const struct command_spec *s = c->subcommands[i];
			buf_reset(&label);
			buf_puts(&label, s->name);
			for (j = 0; s->options && s->options[j].name; j++)
				if (s->options[j].kind == OPT_POSITIONAL)
					buf_printf(&label, " %s", s->options[j].name);
			if (pass == 0 && (int)label.len > width)
				width = (int)label.len;
			if (pass == 1)
				item_line(out, label.data, width, s->summary);
		}
		if (pass == 0)
			fputc('\n', out);
	}
	buf_free(&label);
}

void cmd_help_command(FILE *out, const struct command_spec *c, const struct command_spec *parent)
{
	cmd_help_usage_lines(out, c, parent);
	fprintf(out, "\n%s\n", parent && !c->description ? c->summary : c->description);
	if (c->subcommands)
		subcommands_section(out, c);
	options_section(out, c, "Options:");
	if (c->after)
		fprintf(out, "\n%s\n", c->after);
}

void cmd_help_global_usage(FILE *out)
{
	usage_line(out, "usage: ccapply", cmd_global_options, "COMMAND [options]");
}

void cmd_help_global(FILE *out)
{
	struct buf label = BUF_INIT;
	int width = 0;
	size_t i;

	cmd_help_global_usage(out);
	fputs("\nCommands:\n", out);
	for (i = 0; cmd_commands[i]; i++)
		if ((int)strlen(cmd_commands[i]->name) > width)
			width = (int)strlen(cmd_commands[i]->name);
	for (i = 0; cmd_commands[i]; i++)
		item_line(out, cmd_commands[i]->name, width, cmd_commands[i]->summary);
	width = 0;
	for (i = 0; cmd_global_options[i].name; i++) {
		buf_reset(&label);
		option_label(&label, &cmd_global_options[i]);
		if ((int)label.len > width)
			width = (int)label.len;
	}
	fputs("\nGlobal options (before COMMAND):\n", out);
	for (i = 0; cmd_global_options[i].name; i++) {
		buf_reset(&label);
		option_label(&label, &cmd_global_options[i]);
		item_line(out, label.data, width, cmd_global_options[i].help);
	}
	fputs("\nRun 'ccapply help COMMAND' for a command's options; 'man ccapply' for more.\n",
	      out);
	buf_free(&label);
}
