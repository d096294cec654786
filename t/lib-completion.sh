# lib-completion.sh — run the bash completion function the way bash would.
#
#   complete_bash SCRIPT WORD...   source SCRIPT, complete the command line WORD... (the last
#                                  word is the one being completed) with _ccapply, and print
#                                  what it offers, one candidate a line, sorted

complete_bash() {
	bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ccapply
		printf "%s\n" "${COMPREPLY[@]}"
	' complete-words "$@" | sort
}
