#!/bin/bash
# Packagers' conventions: CPPFLAGS, CFLAGS and LDFLAGS, from the command line or
# the environment, reach every compile and link after ccapply's own flags;
# -Werror only with WERROR=1 (which `make check` sets), never in a plain `make`.
# Dry runs (make -n) read the commands; one real relink, in a scratch copy of the
# tree and its objects, shows `make LDFLAGS=-Wl,-z,now` gives a BIND_NOW binary.
. "$(dirname "$0")/test-lib.sh"

# make in the repository, from a clean slate: no MAKEFLAGS or flags of the make
# that runs this suite (it may be `make check WERROR=1 SANITIZE=1`).
clean_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u CPPFLAGS -u LDFLAGS -u WERROR \
		make --no-print-directory "$@"
}
dry() {
	clean_make -n -B -C "$REPO" "$@"
}
compiles() { grep -E "^cc .* -c -o build/cmd/ccapply\.o cmd/ccapply\.c$"; }
link_of() { grep -E "^cc .* -o bin/ccapply "; }

test_expect_success 'command-line CPPFLAGS and CFLAGS reach the compile, LDFLAGS and CFLAGS the link' '
	dry bin/ccapply CPPFLAGS=-DPROBE_CPP CFLAGS="-O1 -DPROBE_C" LDFLAGS=-Wl,-z,now >cmds &&
	compiles <cmds >cc && test_line_count = 1 cc &&
	test_grep -- " -DPROBE_CPP " cc && test_grep -- " -O1 -DPROBE_C " cc &&
	test_grep ! -- "-O2" cc &&
	link_of <cmds >ld && test_line_count = 1 ld &&
	test_grep -- " -O1 -DPROBE_C -Wl,-z,now " ld
'

test_expect_success 'the same from the environment' '
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR \
		CPPFLAGS=-DPROBE_CPP CFLAGS="-O1 -DPROBE_C" LDFLAGS=-Wl,-z,relro \
		make --no-print-directory -n -B -C "$REPO" bin/ccapply >cmds &&
	compiles <cmds >cc && test_grep -- " -DPROBE_CPP " cc && test_grep -- " -O1 -DPROBE_C " cc &&
	link_of <cmds >ld && test_grep -- "-Wl,-z,relro" ld
'

test_expect_success 'the user'"'"'s flags come after ccapply'"'"'s own, so they can override them' '
	dry bin/ccapply CFLAGS=-Wno-shadow >cmds &&
	compiles <cmds >cc &&
	sed "s/ -Wshadow .* -Wno-shadow / OK /" cc >fixed &&
	test_grep " OK " fixed
'

test_expect_success 'without CFLAGS: -O2 -g' '
	dry bin/ccapply >cmds &&
	compiles <cmds >cc && test_grep -- " -O2 -g " cc
'

test_expect_success 'plain make: no -Werror; WERROR=1 and make check: -Werror on every compile' '
	dry all >cmds && test_grep -c -- " -c -o " cmds >n &&
	test_grep ! -- "-Werror" cmds &&
	dry all WERROR=1 >cmds && grep -c -- " -c -o .*" cmds >n-all &&
	grep -- " -c -o " cmds | grep -c -- " -Werror " >n-werror &&
	test_cmp n-all n-werror &&
	dry check >cmds && grep -- " -c -o " cmds >cc && test_line_count -gt 10 cc &&
	test_grep ! -v -- " -Werror " cc &&
	dry check WERROR=0 >cmds && test_grep ! -- "-Werror" cmds
'

# A scratch copy of the sources and of build/ (the objects this suite was built
# with), so that only the link runs again, and the repository is not touched.
test_expect_success 'make LDFLAGS=-Wl,-z,now links a binary with BIND_NOW; without it, none' '
	mkdir tree &&
	tar -C "$REPO" --exclude=./.git --exclude=./bin --exclude="./t/trash.*" \
		--exclude=./t/contract/node_modules --exclude=./build/deb -cf - . | tar -C tree -xf - &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u LDFLAGS \
		make --no-print-directory -C tree bin/ccapply LDFLAGS=-Wl,-z,now >make.out 2>&1 &&
	readelf -d tree/bin/ccapply >dyn &&
	test_grep -E "\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|Flags: .*NOW" dyn &&
	tree/bin/ccapply version >out && test_grep "^ccapply [0-9]" out &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u LDFLAGS \
		make --no-print-directory -C tree bin/ccapply >make2.out 2>&1 &&
	test_grep "^cc .* -o bin/ccapply " make2.out &&
	test_grep ! -- " -c -o " make2.out &&
	readelf -d tree/bin/ccapply >dyn &&
	test_grep ! -E "BIND_NOW|Flags: .*NOW" dyn
'

test_done
