#!/bin/bash
# make install / uninstall into a staging DESTDIR: the files land under PREFIX, the
# installed binaries run, man finds and renders the installed page, and the bash
# completion completes commands and options.
. "$(dirname "$0")/test-lib.sh"

STAGE="$TRASH/stage"
PREFIX=/opt/ccapply
ROOT="$STAGE$PREFIX"

command -v man >/dev/null && test_set_prereq MAN

# make in the repository, never rebuilding the binaries (other tests are using them;
# the suite runs after a build).
repo_make() {
	make -s -C "$REPO" -o bin/ccapply -o bin/ccapply-sim "$@"
}

# complete WORD... — what _ccapply offers for the command line WORD... (the last
# word is the one being completed), one candidate a line, sorted.
complete_words() {
	complete_bash "$COMPLETION" "$@"
}

test_expect_success 'make install puts everything under DESTDIR/PREFIX' '
	repo_make install DESTDIR="$STAGE" PREFIX="$PREFIX" &&
	test -x "$ROOT/bin/ccapply" &&
	test -x "$ROOT/bin/ccapply-sim" &&
	test -f "$ROOT/share/man/man1/ccapply.1" &&
	test -f "$ROOT/share/bash-completion/completions/ccapply" &&
	(cd "$STAGE" && find . -type f | sort) >files &&
	cat >expect <<-EOF &&
	.$PREFIX/bin/ccapply
	.$PREFIX/bin/ccapply-sim
	.$PREFIX/share/bash-completion/completions/ccapply
	.$PREFIX/share/fish/vendor_completions.d/ccapply.fish
	.$PREFIX/share/man/man1/ccapply-sim.1
	.$PREFIX/share/man/man1/ccapply.1
	.$PREFIX/share/zsh/site-functions/_ccapply
	EOF
	test_cmp expect files &&
	cmp "$REPO/docs/ccapply.1" "$ROOT/share/man/man1/ccapply.1" &&
	cmp "$REPO/docs/ccapply-sim.1" "$ROOT/share/man/man1/ccapply-sim.1"
'

test_expect_success 'the installed binaries run' '
	"$ROOT/bin/ccapply" version >out &&
	"$BIN/ccapply" version >expect &&
	test_cmp expect out &&
	test_grep "^ccapply [0-9]" out &&
	"$ROOT/bin/ccapply" help apply >out &&
	test_grep "^usage: ccapply apply" out &&
	"$ROOT/bin/ccapply-sim" --help >out &&
	test_grep "^usage: ccapply-sim" out
'

test_expect_success MAN 'man renders the installed page, by path and by name' '
	MANWIDTH=80 man --warnings -l "$ROOT/share/man/man1/ccapply.1" >page 2>warnings &&
	test_line_count = 0 warnings &&
	test_grep "^CCAPPLY(1)" page &&
	test_grep "^SYNOPSIS" page &&
	MANWIDTH=80 man -M "$ROOT/share/man" ccapply >by-name 2>/dev/null &&
	test_cmp page by-name
'

COMPLETION="$TRASH/stage$PREFIX/share/bash-completion/completions/ccapply"
export PATH="$ROOT/bin:$PATH"

test_expect_success 'sourcing the completion registers it for ccapply' '
	bash -c ". \"$COMPLETION\" && complete -p ccapply" >out &&
	test_grep "^complete -F _ccapply ccapply$" out
'

test_expect_success 'completing a command: ccapply ap -> apply' '
	complete_words ccapply ap >out &&
	echo apply >expect &&
	test_cmp expect out &&
	complete_words ccapply "" >all &&
	test_grep -x plan all && test_grep -x checksum all && test_grep -x help all &&
	complete_words ccapply -C /tmp pl >out &&
	echo plan >expect &&
	test_cmp expect out
'

test_expect_success 'completing options: global, then the command'"'"'s own' '
	complete_words ccapply --api >out &&
	echo --api-url >expect &&
	test_cmp expect out &&
	complete_words ccapply plan --d >out &&
	echo --detailed-exitcode >expect &&
	test_cmp expect out &&
	complete_words ccapply apply --a >out &&
	printf "%s\n" --ack --auto-approve >expect &&
	test_cmp expect out &&
	complete_words ccapply apply --ack "" >out &&
	echo all >expect &&
	test_cmp expect out &&
	complete_words ccapply help che >out &&
	echo checksum >expect &&
	test_cmp expect out
'

test_expect_success 'completing files and directories where they belong' '
	mkdir -p somedir && : >plan.out &&
	complete_words ccapply -C som >out &&
	echo somedir >expect &&
	test_cmp expect out &&
	complete_words ccapply show pla >out &&
	echo plan.out >expect &&
	test_cmp expect out
'

test_expect_success 'state: subcommands, then the names the state file records' '
	complete_words ccapply state "" >out &&
	printf "%s\n" list show sign verify >expect &&
	test_cmp expect out &&
	mkdir -p ws/.copy-connections &&
	test-tool state-example ws/.copy-connections/ccapply.lock >/dev/null &&
	complete_words ccapply -C ws state show p >out &&
	echo postgres_app >expect &&
	test_cmp expect out
'

test_expect_success 'without a runnable ccapply the built-in command list is used' '
	PATH=/usr/bin:/bin complete_words /nonexistent/ccapply ap >out &&
	echo apply >expect &&
	test_cmp expect out
'

test_expect_success 'make uninstall removes exactly what install put there' '
	repo_make uninstall DESTDIR="$STAGE" PREFIX="$PREFIX" &&
	(cd "$STAGE" && find . -type f) >left &&
	test_line_count = 0 left
'

test_done
