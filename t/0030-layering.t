#!/bin/bash
# The include matrix of docs/architecture.md holds: no module includes one its
# row does not allow (no upward or sideways include), and every directory of C
# sources is a declared module. scripts/check-layering.pl does the work; the
# later points prove it fails on each kind of breach, on a copy of the table.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the repository keeps the include matrix of docs/architecture.md' '
	"$REPO/scripts/check-layering.pl" "$REPO" >out &&
	test_line_count = 0 out
'

# fake_tree: a scratch root with the real table and one module file per argument pair.
fake_tree() {
	rm -rf fake && mkdir -p fake/docs &&
	cp "$REPO/docs/architecture.md" fake/docs/ &&
	while [ $# -gt 0 ]; do
		mkdir -p "fake/$(dirname "$1")" && printf "%b" "$2" >"fake/$1" && shift 2
	done
}

test_expect_success 'an upward include (lib/ reaching into cmd/) fails, naming file and line' '
	fake_tree lib/x.c "#include <stdio.h>\n#include \"lib/err.h\"\n#include \"cmd/cmd.h\"\n" &&
	test_expect_code 1 "$REPO/scripts/check-layering.pl" fake >out &&
	test_grep "^lib/x.c:3: lib may not include cmd" out
'

test_expect_success 'a sideways include (the simulator using the client) fails' '
	fake_tree sim/y.c "#include \"client/client.h\"\n" &&
	test_expect_code 1 "$REPO/scripts/check-layering.pl" fake >out &&
	test_grep "^sim/y.c:1: sim may not include client (it may include: catalog, lib)" out
'

test_expect_success 'a pure module reaching the network fails (differ/ using client/)' '
	fake_tree differ/z.h "  #  include \"client/client.h\"\n" &&
	test_expect_code 1 "$REPO/scripts/check-layering.pl" fake >out &&
	test_grep "^differ/z.h:1: differ may not include client" out
'

test_expect_success 'a directory of C sources with no row is refused' '
	fake_tree newmod/a.c "int a;\n" &&
	test_expect_code 1 "$REPO/scripts/check-layering.pl" fake >out &&
	test_grep "^newmod: holds C sources but is not a row" out
'

test_expect_success 'allowed includes and system headers pass' '
	fake_tree cmd/w.c "#include <curl/curl.h>\n#include \"applier/applier.h\"\n#include \"cmd/cmd.h\"\n" &&
	"$REPO/scripts/check-layering.pl" fake >out &&
	test_line_count = 0 out
'

test_expect_success 'a document without the table is an error, not a pass' '
	fake_tree lib/x.c "int x;\n" &&
	echo "# Architecture" >fake/docs/architecture.md &&
	test_expect_code 255 "$REPO/scripts/check-layering.pl" fake 2>err &&
	test_grep "no include matrix" err
'

test_done
