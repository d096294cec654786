/*
 * completion.c — `ccapply completion bash|zsh|fish`: shell completion
 * scripts written from the option tables of options.h, so a command or an
 * option completes as soon as it is declared. contrib/ holds their output
 * (installed by make install); t/7025 checks that it is current and that
 * each shell completes from it.
 *
 * An option's help becomes its description on one line, without the
 * characters a shell would read as syntax.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "lib/buf.h"

/* ---- shared ---------------------------------------------------------------- */

/* Text on one line, without quotes, brackets or colons: safe inside single
 * quotes, zsh's [...] and _describe's NAME:DESCRIPTION. */
static const char *describe(const char *text)
{
	static char out[400];
	size_t i = 0;

	for (; text && *text && i < sizeof out - 1; text++)
		if (*text == '\n')
			out[i++] = ' ';
		else if (!strchr("'[]:\\`$\"", *text))
			out[i++] = *text;
	out[i] = '\0';
	return out;
}

/* "-C --api-url ..." of the options, aliases first, or only those that take
 * a value. */
static void option_words(struct buf *b, const struct opt_spec *o, bool with_value_only)
{
	for (; o && o->name; o++) {
		if (o->kind == OPT_POSITIONAL || (with_value_only && !o->value))
			continue;
		if (o->alias)
			buf_printf(b, "%s%s", b->len ? " " : "", o->alias);
		buf_printf(b, "%s%s", b->len ? " " : "", o->name);
	}
}

static const struct opt_spec *positional(const struct command_spec *c)
{
	const struct opt_spec *o;

	for (o = c->options; o && o->name; o++)
		if (o->kind == OPT_POSITIONAL)
			return o;
	return NULL;
}

/* Every (command, subcommand) pair, subcommand NULL for a plain command. */
typedef void (*visit_fn)(FILE *out, const struct command_spec *c, const struct command_spec *sub);

static void each_command(FILE *out, visit_fn fn)
{
	size_t i, j;

	for (i = 0; cmd_commands[i]; i++) {
		if (!cmd_commands[i]->subcommands) {
			fn(out, cmd_commands[i], NULL);
			continue;
		}
		for (j = 0; cmd_commands[i]->subcommands[j]; j++)
			fn(out, cmd_commands[i], cmd_commands[i]->subcommands[j]);
	}
}

/* Each option with a value, once, whatever command declares it. */
typedef void (*value_fn)(FILE *out, const struct opt_spec *o);

static void each_value_option(FILE *out, value_fn fn)
{
	const struct opt_spec *tables[64], *o;
	struct buf done = BUF_INIT;
	size_t i, j, n = 0;

	tables[n++] = cmd_global_options;
	for (i = 0; cmd_commands[i] && n < 62; i++) {
		if (cmd_commands[i]->options)
			tables[n++] = cmd_commands[i]->options;
		for (j = 0; cmd_commands[i]->subcommands && cmd_commands[i]->subcommands[j] &&
			    n < 62; j++)
			tables[n++] = cmd_commands[i]->subcommands[j]->options;
	}
	buf_puts(&done, " ");
	for (i = 0; i < n; i++) {
		for (o = tables[i]; o && o->name; o++) {
			char key[64];
			if (o->kind == OPT_POSITIONAL || !o->value)
				continue;
			snprintf(key, sizeof key, " %s ", o->name);
			if (strstr(done.data, key))
				continue;
			buf_printf(&done, "%s ", o->name);
			fn(out, o);
		}
	}
	buf_free(&done);
}

/* ---- bash ------------------------------------------------------------------ */

static void bash_value_case(FILE *out, const struct opt_spec *o)
{
	fprintf(out, "\t%s%s%s)\n\t\t", o->alias ? o->alias : "", o->alias ? " | " : "", o->name);
	switch (o->complete) {
	case COMPLETE_FILE:
		fputs("mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")", out);
		break;
	case COMPLETE_DIR:
		fputs("mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")", out);
		break;
	case COMPLETE_WORDS:
		fprintf(out, "_ccapply_reply '%s'", o->words);
		break;
	default:
		fputs(":", out);
		break;
	}
	fputs("\n\t\t;;\n", out);
}

static void bash_options_case(FILE *out, const struct command_spec *c,
			      const struct command_spec *sub)
{
	struct buf words = BUF_INIT;

	option_words(&words, (sub ? sub : c)->options, false);
	buf_printf(&words, "%s--help", words.len ? " " : "");
	if (sub)
		fprintf(out, "\t'%s %s') echo '%s' ;;\n", c->name, sub->name, words.data);
	else
		fprintf(out, "\t%s) echo '%s' ;;\n", c->name, words.data);
	buf_free(&words);
}

static void bash_positional_case(FILE *out, const struct command_spec *c,
				 const struct command_spec *sub)
{
	const struct opt_spec *p = positional(sub ? sub : c);
	const char *action = NULL;
	char words[256];

	if (!p)
		return;
	switch (p->complete) {
	case COMPLETE_FILE:
		action = "mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")";
		break;
	case COMPLETE_DIR:
		action = "mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")";
		break;
	case COMPLETE_COMMAND:
		action = "_ccapply_reply \"$_ccapply_commands\"";
		break;
	case COMPLETE_WORDS:
		snprintf(words, sizeof words, "_ccapply_reply '%s'", p->words);
		action = words;
		break;
	case COMPLETE_STATE_NAME:
		action = "_ccapply_reply \"$(_ccapply_state_names \"$prog\" \"$dir\")\"";
		break;
	default:
		return;
	}
	if (sub)
		fprintf(out, "\t'%s %s') %s ;;\n", c->name, sub->name, action);
	else
		fprintf(out, "\t%s) %s ;;\n", c->name, action);
}

static void bash_subcommands_case(FILE *out)
{
	size_t i, j;

	for (i = 0; cmd_commands[i]; i++) {
		if (!cmd_commands[i]->subcommands)
			continue;
		fprintf(out, "\t%s) echo '", cmd_commands[i]->name);
		for (j = 0; cmd_commands[i]->subcommands[j]; j++)
			fprintf(out, "%s%s", j ? " " : "", cmd_commands[i]->subcommands[j]->name);
		fputs("' ;;\n", out);
	}
}

static void bash_script(FILE *out)
{
	struct buf globals = BUF_INIT, global_values = BUF_INIT;
	size_t i;

	option_words(&globals, cmd_global_options, false);
	for (i = 0; cmd_global_options[i].name; i++) /* -C: its value is remembered */
		if (cmd_global_options[i].value && strcmp(cmd_global_options[i].name, "-C"))
			buf_printf(&global_values, "%s%s", global_values.len ? " | " : "",
				   cmd_global_options[i].name);
	fputs("# ccapply.bash-completion — bash completion for ccapply(1).\n"
	      "#\n"
	      "# Generated by `ccapply completion bash` from ccapply's option tables (cmd/options.h);\n"
	      "# do not edit: t/7025 checks that it is current. Installed by `make install` as\n"
	      "# share/bash-completion/completions/ccapply, or source it from ~/.bashrc. It needs\n"
	      "# nothing but bash: no _init_completion.\n\n", out);
	fputs("_ccapply_commands='", out);
	for (i = 0; cmd_commands[i]; i++)
		fprintf(out, "%s%s", i ? " " : "", cmd_commands[i]->name);
	fprintf(out, "'\n_ccapply_globals='%s'\n\n", globals.data);
	fputs("# COMPREPLY := the words of $1 that start with the word being completed ($cur).\n"
	      "_ccapply_reply() {\n"
	      "\tmapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n"
	      "}\n\n"
	      "# The resource names `ccapply -C DIR state list` prints (its second column).\n"
	      "_ccapply_state_names() {\n"
	      "\t\"$1\" -C \"$2\" state list 2>/dev/null | awk '{ print $2 }'\n"
	      "}\n\n"
	      "# The subcommands of COMMAND, if it has any.\n"
	      "_ccapply_subcommands() {\n"
	      "\tcase \"$1\" in\n", out);
	bash_subcommands_case(out);
	fputs("\tesac\n}\n\n"
	      "# The options of COMMAND [SUBCOMMAND].\n"
	      "_ccapply_options() {\n"
	      "\tcase \"$1${2:+ $2}\" in\n", out);
	each_command(out, bash_options_case);
	fputs("\tesac\n}\n\n"
	      "# Complete the value of the option $prev; fails when it takes none.\n"
	      "_ccapply_value() {\n"
	      "\tcase \"$prev\" in\n", out);
	each_value_option(out, bash_value_case);
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n"
	      "# Complete the argument of COMMAND [SUBCOMMAND] that is not an option.\n"
	      "_ccapply_positional() {\n"
	      "\tcase \"$1${2:+ $2}\" in\n", out);
	each_command(out, bash_positional_case);
	fputs("\tesac\n}\n\n", out);
	fputs("_ccapply() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
	      "\tlocal prog=${COMP_WORDS[0]} command='' sub='' dir=. i word\n\n"
	      "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tCOMPREPLY=()\n\n"
	      "\t# The command (the first word that is not a global option or its value),\n"
	      "\t# then its subcommand, if it has them.\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tword=${COMP_WORDS[i]}\n"
	      "\t\tif [ -z \"$command\" ]; then\n"
	      "\t\t\tcase \"$word\" in\n"
	      "\t\t\t-C)\n"
	      "\t\t\t\ti=$((i + 1))\n"
	      "\t\t\t\tdir=${COMP_WORDS[i]}\n"
	      "\t\t\t\t;;\n", out);
	fprintf(out, "\t\t\t%s) i=$((i + 1)) ;;\n", global_values.data);
	fputs("\t\t\t-*) ;;\n"
	      "\t\t\t*) command=$word ;;\n"
	      "\t\t\tesac\n"
	      "\t\telif [ -z \"$sub\" ] && [ -n \"$(_ccapply_subcommands \"$command\")\" ]; then\n"
	      "\t\t\tcase \"$word\" in -*) ;; *) sub=$word ;; esac\n"
	      "\t\tfi\n"
	      "\tdone\n\n"
	      "\t_ccapply_value && return 0\n"
	      "\tif [ -z \"$command\" ]; then\n"
	      "\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\t_ccapply_reply \"$_ccapply_globals\"\n"
	      "\t\telse\n"
	      "\t\t\t_ccapply_reply \"$_ccapply_commands\"\n"
	      "\t\tfi\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tif [ -z \"$sub\" ] && [ -n \"$(_ccapply_subcommands \"$command\")\" ]; then\n"
	      "\t\t_ccapply_reply \"$(_ccapply_subcommands \"$command\")\"\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\t_ccapply_reply \"$(_ccapply_options \"$command\" \"$sub\")\"\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\t_ccapply_positional \"$command\" \"$sub\"\n"
	      "\treturn 0\n"
	      "}\n\n"
	      "complete -F _ccapply ccapply\n", out);
	buf_free(&globals);
	buf_free(&global_values);
}

/* ---- zsh ------------------------------------------------------------------- */

static const char *zsh_action(const struct opt_spec *o)
{
	static char words[256];

	switch (o->complete) {
	case COMPLETE_FILE:
		return "_files";
	case COMPLETE_DIR:
		return "_files -/";
	case COMPLETE_WORDS:
		snprintf(words, sizeof words, "(%s)", o->words);
		return words;
	case COMPLETE_COMMAND:
		return "_ccapply_commands";
	case COMPLETE_STATE_NAME:
		return "_ccapply_state_names";
	case COMPLETE_NONE:
		break;
	}
	return " ";
}

/* One _arguments spec per option (both spellings when it has an alias). */
static void zsh_option_specs(FILE *out, const struct opt_spec *o, const char *indent)
{
	for (; o && o->name; o++) {
		const char *desc = describe(o->help);
		if (o->kind == OPT_POSITIONAL) {
			fprintf(out, " \\\n%s'1:%s%s:%s'", indent, o->required ? "" : ":", o->name,
				zsh_action(o));
			continue;
		}
		if (o->alias)
			fprintf(out, " \\\n%s'(%s %s)'{%s,%s}'[%s]", indent, o->alias, o->name, o->alias,
				o->name, desc);
		else
			fprintf(out, " \\\n%s'%s%s[%s]", indent, o->kind == OPT_LIST ? "*" : "",
				o->name, desc);
		if (o->value)
			fprintf(out, ":%s:%s", o->value, zsh_action(o));
		fputc('\'', out);
	}
}

static void zsh_describe_commands(FILE *out, const char *var,
				  const struct command_spec *const *table)
{
	size_t i;

	fprintf(out, "\t\tlocal -a %s\n\t\t%s=(\n", var, var);
	for (i = 0; table[i]; i++)
		fprintf(out, "\t\t\t'%s:%s'\n", table[i]->name, describe(table[i]->summary));
	fputs("\t\t)\n", out);
}

static void zsh_command_case(FILE *out, const struct command_spec *c)
{
	size_t j;

	fprintf(out, "\t\t%s)\n", c->name);
	if (!c->subcommands) {
		fputs("\t\t\t_arguments -s", out);
		zsh_option_specs(out, c->options, "\t\t\t\t");
		fputs(" \\\n\t\t\t\t'(- *)--help[show the help]'\n\t\t\t;;\n", out);
		return;
	}
	fputs("\t\t\tif (( CURRENT == 2 )); then\n", out);
	zsh_describe_commands(out, "subcommands", c->subcommands);
	fprintf(out, "\t\t\t\t_describe -t subcommands '%s subcommand' subcommands\n"
		"\t\t\t\treturn\n\t\t\tfi\n\t\t\tshift words\n\t\t\t(( CURRENT-- ))\n"
		"\t\t\tcase $words[1] in\n", c->name);
	for (j = 0; c->subcommands[j]; j++) {
		fprintf(out, "\t\t\t%s)\n\t\t\t\t_arguments -s", c->subcommands[j]->name);
		zsh_option_specs(out, c->subcommands[j]->options, "\t\t\t\t\t");
		fputs(" \\\n\t\t\t\t\t'(- *)--help[show the help]'\n\t\t\t\t;;\n", out);
	}
	fputs("\t\t\tesac\n\t\t\t;;\n", out);
}

static void zsh_script(FILE *out)
{
	size_t i;

	fputs("#compdef ccapply\n"
	      "# _ccapply — zsh completion for ccapply(1).\n"
	      "#\n"
	      "# Generated by `ccapply completion zsh` from ccapply's option tables (cmd/options.h);\n"
	      "# do not edit: t/7025 checks that it is current. Installed by `make install` as\n"
	      "# share/zsh/site-functions/_ccapply (on zsh's $fpath).\n\n"
	      "_ccapply_commands() {\n", out);
	zsh_describe_commands(out, "commands", cmd_commands);
	fputs("\t\t_describe -t commands 'ccapply command' commands\n}\n\n"
	      "_ccapply_state_names() {\n"
	      "\tlocal dir=${opt_args[-C]:-.}\n"
	      "\tlocal -a names\n"
	      "\tnames=(${(f)\"$(_call_program names ccapply -C ${(q)dir} state list 2>/dev/null |"
	      " awk '{ print $2 }')\"})\n"
	      "\tcompadd -a names\n"
	      "}\n\n"
	      "_ccapply() {\n"
	      "\tlocal curcontext=$curcontext state line\n"
	      "\ttypeset -A opt_args\n\n"
	      "\t_arguments -C", out);
	zsh_option_specs(out, cmd_global_options, "\t\t");
	fputs(" \\\n\t\t'1:command:_ccapply_commands' \\\n\t\t'*::argument:->command'\n\n"
	      "\tcase $state in\n\tcommand)\n\t\tcase $words[1] in\n", out);
	for (i = 0; cmd_commands[i]; i++)
		zsh_command_case(out, cmd_commands[i]);
	fputs("\t\tesac\n\t\t;;\n\tesac\n}\n\n_ccapply \"$@\"\n", out);
}

/* ---- fish ------------------------------------------------------------------ */

static void fish_option(FILE *out, const char *condition, const struct opt_spec *o)
{
	const char *desc = describe(o->help);
	const char *name = o->name;

	fprintf(out, "complete -c ccapply -n '%s'", condition);
	if (name[1] != '-')
		fprintf(out, " -s %s", name + 1);
	else
		fprintf(out, " -l %s", name + 2);
	if (o->alias)
		fprintf(out, " -s %s", o->alias + 1);
	if (o->value) {
		switch (o->complete) {
		case COMPLETE_FILE:
			fputs(" -r -F", out);
			break;
		case COMPLETE_DIR:
			fputs(" -x -a '(__fish_complete_directories)'", out);
			break;
		case COMPLETE_WORDS:
			fprintf(out, " -x -a '%s'", o->words);
			break;
		default:
			fputs(" -x", out);
			break;
		}
	}
	fprintf(out, " -d '%s'\n", desc);
}

static void fish_positional(FILE *out, const char *condition, const struct opt_spec *p)
{
	switch (p->complete) {
	case COMPLETE_FILE:
		fprintf(out, "complete -c ccapply -n '%s' -F\n", condition);
		break;
	case COMPLETE_COMMAND:
		fprintf(out, "complete -c ccapply -n '%s' -a '$__ccapply_commands'\n", condition);
		break;
	case COMPLETE_WORDS:
		fprintf(out, "complete -c ccapply -n '%s' -a '%s'\n", condition, p->words);
		break;
	case COMPLETE_STATE_NAME:
		fprintf(out, "complete -c ccapply -n '%s' -a '(__ccapply_state_names)'\n",
			condition);
		break;
	default:
		break;
	}
}

static void fish_command(FILE *out, const struct command_spec *c, const struct command_spec *sub)
{
	char cond[256];
	const struct command_spec *s = sub ? sub : c;
	const struct opt_spec *o;

	if (sub)
		snprintf(cond, sizeof cond, "__ccapply_using %s %s", c->name, sub->name);
	else
		snprintf(cond, sizeof cond, "__ccapply_using %s", c->name);
	for (o = s->options; o && o->name; o++) {
		if (o->kind == OPT_POSITIONAL)
			fish_positional(out, cond, o);
		else
			fish_option(out, cond, o);
	}
}

static void fish_script(FILE *out)
{
	size_t i, j;

	fputs("# ccapply.fish — fish completion for ccapply(1).\n"
	      "#\n"
	      "# Generated by `ccapply completion fish` from ccapply's option tables (cmd/options.h);\n"
	      "# do not edit: t/7025 checks that it is current. Installed by `make install` as\n"
	      "# share/fish/vendor_completions.d/ccapply.fish.\n\n"
	      "set -g __ccapply_commands", out);
	for (i = 0; cmd_commands[i]; i++)
		fprintf(out, " %s", cmd_commands[i]->name);
	fputs("\n\n"
	      "# The words after the global options: the command, then its arguments.\n"
	      "function __ccapply_words\n"
	      "\tset -l words (commandline -opc)\n"
	      "\tset -e words[1]\n"
	      "\twhile set -q words[1]\n"
	      "\t\tswitch $words[1]\n"
	      "\t\t\tcase", out);
	for (i = 0; cmd_global_options[i].name; i++)
		if (cmd_global_options[i].value)
			fprintf(out, " %s", cmd_global_options[i].name);
	fputs("\n"
	      "\t\t\t\tset -e words[1]\n"
	      "\t\t\t\tset -q words[1]; and set -e words[1]\n"
	      "\t\t\tcase '-*'\n"
	      "\t\t\t\tset -e words[1]\n"
	      "\t\t\tcase '*'\n"
	      "\t\t\t\tbreak\n"
	      "\t\tend\n"
	      "\tend\n"
	      "\tstring join \\n -- $words\n"
	      "end\n\n"
	      "# __ccapply_using COMMAND [SUBCOMMAND]: the command line is in it.\n"
	      "function __ccapply_using\n"
	      "\tset -l words (__ccapply_words)\n"
	      "\tset -q words[1]; and test \"$words[1]\" = $argv[1]; or return 1\n"
	      "\tset -q argv[2]; or return 0\n"
	      "\tset -q words[2]; and test \"$words[2]\" = $argv[2]\n"
	      "end\n\n"
	      "# No command yet.\n"
	      "function __ccapply_needs_command\n"
	      "\ttest (count (__ccapply_words)) -eq 0\n"
	      "end\n\n"
	      "# COMMAND is given, its subcommand not yet.\n"
	      "function __ccapply_needs_subcommand\n"
	      "\tset -l words (__ccapply_words)\n"
	      "\ttest (count $words) -eq 1; and test \"$words[1]\" = $argv[1]\n"
	      "end\n\n"
	      "function __ccapply_state_names\n"
	      "\tset -l dir .\n"
	      "\tset -l words (commandline -opc)\n"
	      "\tset -l i (contains -i -- -C $words)\n"
	      "\tand set dir $words[(math $i + 1)]\n"
	      "\tccapply -C $dir state list 2>/dev/null | string replace -r '^\\S+\\s+(\\S+).*' '$1'\n"
	      "end\n\n"
	      "complete -c ccapply -f\n", out);
	for (i = 0; cmd_commands[i]; i++)
		fprintf(out, "complete -c ccapply -n __ccapply_needs_command -a %s -d '%s'\n",
			cmd_commands[i]->name, describe(cmd_commands[i]->summary));
	for (i = 0; cmd_global_options[i].name; i++)
		fish_option(out, "__ccapply_needs_command", &cmd_global_options[i]);
	for (i = 0; cmd_commands[i]; i++) {
		const struct command_spec *c = cmd_commands[i];
		for (j = 0; c->subcommands && c->subcommands[j]; j++)
			fprintf(out, "complete -c ccapply -n '__ccapply_needs_subcommand %s' -a %s "
				"-d '%s'\n", c->name, c->subcommands[j]->name,
				describe(c->subcommands[j]->summary));
	}
	each_command(out, fish_command);
}

/* ---- the command ------------------------------------------------------------- */

int cmd_completion_print(FILE *out, const char *shell)
{
	if (!strcmp(shell, "bash"))
		bash_script(out);
	else if (!strcmp(shell, "zsh"))
		zsh_script(out);
	else if (!strcmp(shell, "fish"))
		fish_script(out);
	else
		return -1;
	return 0;
}

static int run_completion(const struct cmd_args *a, const struct global_options *g)
{
	const char *shell = args_value(a, "SHELL");

	(void)g;
	if (cmd_completion_print(stdout, shell)) {
		cmd_fail("usage", "completion: no completion for '%s': bash, zsh or fish", shell);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const struct opt_spec completion_options[] = {
	{ .name = "SHELL", .kind = OPT_POSITIONAL, .required = true, .complete = COMPLETE_WORDS,
	  .words = "bash zsh fish" },
	{ 0 },
};

const struct command_spec cmd_completion_spec = {
	.name = "completion",
	.summary = "print the bash, zsh or fish completion script",
	.description =
		"Print the completion script for SHELL (bash, zsh or fish), written from the\n"
		"same declarations as this help. make install installs all three; to load\n"
		"one by hand: source <(ccapply completion bash).",
	.options = completion_options,
	.run = run_completion,
};
