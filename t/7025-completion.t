#!/bin/bash
# Shell completion comes from the same option tables as --help: the scripts
# in contrib/ are exactly what `ccapply completion SHELL` writes (so they
# cannot drift from the declarations), each parses in its shell, every
# command and option of `ccapply help` is in each, and bash and fish complete
# commands, options, their values and state names from them. (t/7020 tests
# the installed bash script the same way.)
. "$(dirname "$0")/test-lib.sh"

for sh in zsh fish; do
	if command -v $sh >/dev/null; then
		test_set_prereq "$(echo $sh | tr a-z A-Z)"
	elif [ "${CI:-}" = true ]; then
		echo "not ok 1 - $sh is required when CI=true (scripts/install-deps.sh installs it)"
		echo "1..1"
		exit 1
	fi
done

test_expect_success 'contrib/ holds what ccapply completion writes' '
	ccapply completion bash >bash.out &&
	test_cmp bash.out "$REPO/contrib/ccapply.bash-completion" &&
	ccapply completion zsh >zsh.out &&
	test_cmp zsh.out "$REPO/contrib/_ccapply" &&
	ccapply completion fish >fish.out &&
	test_cmp fish.out "$REPO/contrib/ccapply.fish"
'

test_expect_success 'an unknown shell is a usage error' '
	test_expect_code 64 ccapply completion tcsh 2>err &&
	test_grep "bash, zsh or fish" err
'

test_expect_success 'each script parses in its shell' '
	bash -n bash.out
'
test_expect_success ZSH 'the zsh script parses' 'zsh -n zsh.out'
test_expect_success FISH 'the fish script parses' 'fish -n fish.out'

# Every command, and every option its help lists, appears in each script.
test_expect_success 'every command and option of the help is in every script' '
	ccapply help | awk "/^Commands:/ { on = 1; next } on && /^\$/ { exit } on { print \$1 }" \
		>commands &&
	test_grep -x validate commands &&
	for c in $(cat commands); do
		ccapply help $c | { grep -oE "^ +(-[a-zA-Z], )?--?[a-zA-Z][-a-zA-Z]*" || :; } |
			{ grep -oE -- "--?[a-zA-Z][-a-zA-Z]*" || :; } >>options
	done &&
	test_grep -x -- --create-rate options &&
	(
		for f in bash.out zsh.out fish.out; do
			for w in $(cat commands) $(sort -u options); do
				case $f:$w in
				fish.out:--*) w="-l ${w#--}" ;;
				fish.out:-*) w="-s ${w#-}" ;;
				esac
				grep -q -- "$w" $f || { echo "$f lacks $w"; exit 1; }
			done
		done
	)
'

# complete_fish LINE: what fish offers for LINE, candidates only.
complete_fish() {
	fish -c "source '$REPO/contrib/ccapply.fish'; complete -C '$1'" | cut -f1 | sort
}

test_expect_success 'bash: a new command and its options complete' '
	complete_bash "$REPO/contrib/ccapply.bash-completion" ccapply val >out &&
	echo validate >expect &&
	test_cmp expect out &&
	complete_bash "$REPO/contrib/ccapply.bash-completion" ccapply validate -- >out &&
	printf "%s\n" --help --json >expect &&
	test_cmp expect out &&
	complete_bash "$REPO/contrib/ccapply.bash-completion" ccapply completion "" >out &&
	printf "%s\n" bash fish zsh >expect &&
	test_cmp expect out &&
	complete_bash "$REPO/contrib/ccapply.bash-completion" ccapply apply --create-rate "" >out &&
	echo 20/60 >expect &&
	test_cmp expect out
'

test_expect_success FISH 'fish: commands, options, values, subcommands, state names' '
	complete_fish "ccapply ap" >out &&
	echo apply >expect &&
	test_cmp expect out &&
	complete_fish "ccapply -C /tmp pl" >out &&
	echo plan >expect &&
	test_cmp expect out &&
	complete_fish "ccapply plan --d" >out &&
	echo --detailed-exitcode >expect &&
	test_cmp expect out &&
	complete_fish "ccapply apply --ack " >out &&
	echo all >expect &&
	test_cmp expect out &&
	complete_fish "ccapply state " >out &&
	printf "%s\n" list show sign verify >expect &&
	test_cmp expect out &&
	mkdir -p ws/.copy-connections &&
	test-tool state-example ws/.copy-connections/ccapply.lock >/dev/null &&
	complete_fish "ccapply -C ws state show p" >out &&
	echo postgres_app >expect &&
	test_cmp expect out
'

test_done
