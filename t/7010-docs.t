#!/bin/bash
# The documentation tells the truth: docs/ccapply.1 renders without warnings,
# names exactly the options that `ccapply --help` and `ccapply COMMAND --help`
# name (and the reverse), covers every command, environment variable and exit
# code the code has, and README.md links only to files that exist.
. "$(dirname "$0")/test-lib.sh"

MAN="$REPO/docs/ccapply.1"

command -v man >/dev/null && test_set_prereq MAN
command -v groff >/dev/null && test_set_prereq GROFF

# Option names (-x, --long) in text on stdin, one a line, sorted, unique.
option_names() {
	grep -oE '(^|[^-a-zA-Z0-9])--?[a-zA-Z][-a-zA-Z]*' | sed 's/^[^-]*//' | sort -u
}

# The options a help text names: in its usage line(s) (up to the first blank
# line) and at the start of the lines of its "Options:" or "Global options" section.
help_options() {
	awk 'NR == 1 || (u && !/^$/) { u = 1; print; next } { u = 0 }
	     /^(Options:|Global options)/ { on = 1; next } on && /^$/ { on = 0 }
	     on && /^ +-/ { sub(/   .*/, ""); print }' | option_names
}

# The man page's source, with \- as -.
man_source() { sed 's/\\-/-/g' "$MAN"; }

# The options the man page names in the section of COMMAND: its .SS line and
# the tag line after each .TP, up to the next .SS or .SH.
man_command_options() {
	man_source | awk -v cmd="$1" '
		/^\.S[SH] / { on = ($1 == ".SS" && ($2 == cmd || $2 == "\"" cmd)) }
		on && /^\.SS/ { print; next }
		on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' | option_names
}

# The same for GLOBAL OPTIONS (the .TP tags of that .SH).
man_global_options() {
	man_source | awk '
		/^\.SH / { on = ($0 ~ /^\.SH "?GLOBAL OPTIONS/) }
		on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' | option_names
}

# The code in a Markdown file: fenced blocks, indented blocks and `spans`.
code_in_markdown() {
	awk '/^```/ { fence = !fence; next } fence || /^    / { print; next }
	     { while (match($0, /`[^`]+`/)) { print substr($0, RSTART + 1, RLENGTH - 2);
	                                      $0 = substr($0, RSTART + RLENGTH) } }' "$1"
}

commands() {
	ccapply help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

test_expect_success MAN 'man -l renders the page without warnings' '
	MANWIDTH=80 man --warnings -l "$MAN" >rendered 2>warnings &&
	test_line_count = 0 warnings &&
	test_grep "^EXIT STATUS" rendered &&
	test_grep "^ENVIRONMENT" rendered
'

test_expect_success GROFF 'groff finds nothing to warn about either' '
	groff -ww -z -man "$MAN" 2>warnings &&
	test_line_count = 0 warnings
'

test_expect_success 'the global options of ccapply --help and of the man page agree' '
	ccapply --help | help_options >help.opts &&
	man_global_options >man.opts &&
	test_grep -x -- "-C" help.opts &&
	test_grep -x -- "--api-url" help.opts &&
	test_cmp help.opts man.opts
'

test_expect_success 'ccapply help, ccapply --help and the man page list the commands' '
	commands >commands &&
	test_grep -x plan commands &&
	test_grep -x apply commands &&
	ccapply help >a && ccapply --help >b && test_cmp a b &&
	(
		for c in $(cat commands); do
			man_source | grep -E "^\.SS \"?$c( |\"|\$)" >/dev/null ||
			{ echo "no .SS section for $c in docs/ccapply.1"; exit 1; }
		done
	)
'

# One point per command, so a failure names it. A command whose help does not
# exist yet (it answers --help with a usage error) is skipped, not failed.
for c in $(commands); do
	if ! ccapply help "$c" >/dev/null 2>&1; then
		test_skip "ccapply help $c and the man page name the same options" \
			"ccapply help $c does not work yet"
		continue
	fi
	test_expect_success "ccapply help $c, $c --help and the man page name the same options" '
		ccapply help '"$c"' >help.txt &&
		ccapply '"$c"' --help >dash-help.txt &&
		test_cmp help.txt dash-help.txt &&
		head -1 help.txt | grep "^usage: ccapply '"$c"'" &&
		help_options <help.txt >help.opts &&
		man_command_options '"$c"' >man.opts &&
		test_cmp help.opts man.opts
	'
done

test_expect_success 'the comparison can fail: an option missing from the man page is caught' '
	sed "/^\.B \\\\-\\\\-auto\\\\-approve\$/d; s/\[\\\\-\\\\-auto\\\\-approve\] //" \
		"$MAN" >broken.1 &&
	! cmp -s "$MAN" broken.1 &&
	MAN=broken.1 &&
	man_command_options apply >man.opts &&
	MAN="$REPO/docs/ccapply.1" &&
	test_grep ! -x -- "--auto-approve" man.opts &&
	ccapply help apply | help_options >help.opts &&
	! test_cmp help.opts man.opts
'

test_expect_success 'help for an unknown command is a usage error' '
	test_expect_code 64 ccapply help no-such-command 2>err &&
	test_grep "not a ccapply command" err
'

# Every FIVETRAN_/CCAPPLY_ string literal is taken for a variable, except
# FIVETRAN_NAMING: a value of the API's destination_schema_names.
test_expect_success 'every environment variable the code reads is in ENVIRONMENT' '
	grep -rhoE "\"(FIVETRAN|CCAPPLY)_[A-Z_]+\"|\"NO_COLOR\"" "$REPO"/cmd "$REPO"/client \
		"$REPO"/applier "$REPO"/state "$REPO"/planner "$REPO"/differ "$REPO"/lib |
		tr -d "\"" | grep -vx FIVETRAN_NAMING | sort -u >vars &&
	test_grep FIVETRAN_APIKEY vars &&
	man_source | awk "/^\.SH ENVIRONMENT/ { on = 1; next } /^\.SH/ { on = 0 } on" >env &&
	(
		for v in $(cat vars); do
			grep -q -- "$v" env || { echo "$v is not in ENVIRONMENT"; exit 1; }
		done
	)
'

test_expect_success 'every exit code in cmd/cmd.h is in EXIT STATUS' '
	sed -n "s/^[[:space:]]*EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p" "$REPO/cmd/cmd.h" >codes &&
	test_line_count -ge 6 codes &&
	man_source | awk "/^\.SH EXIT STATUS/ { on = 1; next } /^\.SH/ { on = 0 }
		on && tag { print; tag = 0 } on && /^\.TP/ { tag = 1 }" >tags &&
	(
		for n in $(cat codes); do
			grep -qx "\.B $n" tags ||
			{ echo "exit code $n is not in EXIT STATUS"; exit 1; }
		done
	)
'

# The simulator's page, docs/ccapply-sim.1: the .TP tags of its section NAME (OPTIONS, FAULTS),
# one a line, macros and quotes dropped ("delay: S" as the help writes it, "delay:S").
sim_man_tags() {
	sed 's/\\-/-/g' "$SIM_MAN" | awk -v sec="$1" '
		/^\.SH / { on = ($2 == sec) }
		on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' |
	sed -E 's/^\.B[IR]? //; s/"//g; s/: S$/:S/'
}

# The fault actions of ccapply-sim --help: after "ACTION is one of:", up to "e.g.", the lines
# indented as the first one is (the others continue a description).
sim_help_actions() {
	ccapply-sim --help | awk '/e\.g\./ { on = 0 }
		on && match($0, /^ +/) { if (!ind) ind = RLENGTH
			if (RLENGTH == ind) { sub(/^ +/, ""); sub(/  .*/, ""); print } }
		/ACTION is one of:/ { on = 1 }'
}

SIM_MAN="$REPO/docs/ccapply-sim.1"

test_expect_success MAN 'ccapply-sim.1 renders without warnings, for man and groff' '
	MANWIDTH=80 man --warnings -l "$SIM_MAN" >rendered 2>warnings &&
	groff -ww -z -man "$SIM_MAN" 2>>warnings &&
	test_line_count = 0 warnings &&
	test_grep "^EXIT STATUS" rendered
'

test_expect_success 'ccapply-sim --help and its man page name the same options' '
	ccapply-sim --help | help_options >help.opts &&
	sim_man_tags OPTIONS | option_names >man.opts &&
	test_grep -x -- "--create-limit" help.opts &&
	test_grep -x -- "--fault" help.opts &&
	test_cmp help.opts man.opts
'

test_expect_success 'ccapply-sim --help and its man page name the same fault actions' '
	sim_help_actions | sort >help.actions &&
	sim_man_tags FAULTS | sort >man.actions &&
	test_grep -x "reset-after-commit" help.actions &&
	test_grep -x "delay:S" help.actions &&
	test_cmp help.actions man.actions
'

test_expect_success 'ccapply.1 and ccapply-sim.1 point at each other' '
	test_grep "^\.BR ccapply (1)" "$SIM_MAN" &&
	test_grep "^\.BR ccapply.-sim (1)" "$MAN"
'

test_expect_success 'README.md and docs/*.md link only to files that exist' '
	(
		for f in "$REPO"/README.md "$REPO"/docs/*.md; do
			grep -oE "\]\([^)#:]+\)" "$f" | sed "s/^](//; s/)\$//" >links
			while read -r target; do
				[ -e "$(dirname "$f")/$target" ] ||
				{ echo "$f links to $target, which does not exist"; exit 1; }
			done <links
		done
	)
'

test_expect_success 'the ccapply commands README.md shows are real commands' '
	code_in_markdown "$REPO/README.md" |
		grep -oE "(^|[ (])ccapply( -C [^ ]+| --api-url[ =][^ ]+| --[a-z-]+| -v)* [a-z]+" |
		awk "{ print \$NF }" | sort -u >used &&
	test_grep -x plan used &&
	test_grep -x apply used &&
	commands >commands &&
	(
		for c in $(cat used); do
			grep -qx "$c" commands || { echo "README.md uses ccapply $c"; exit 1; }
		done
	)
'

test_done
