#!/bin/bash
# make deb: dpkg-buildpackage builds ccapply_VERSION_ARCH.deb from debian/ with
# dpkg-buildflags' hardening reaching the link, lintian finds no error, and the
# package, unpacked into a scratch root with dpkg-deb -x, holds the binaries, the
# man page, the completions and the docs, and runs. Slow (a full -O2 build and
# lintian, a few minutes); `make deb` installs the packaging tools if missing.
. "$(dirname "$0")/test-lib.sh"

DEB_DIR="$TRASH/deb"
VERSION=$(ccapply version | sed -n 's/^ccapply //p')
ARCH=$(dpkg --print-architecture 2>/dev/null)
DEB="$DEB_DIR/ccapply_${VERSION}_${ARCH}.deb"
ROOT="$TRASH/root"

test_expect_success 'make deb builds ccapply_VERSION_ARCH.deb; lintian reports no error, no page missing' '
	test -n "$VERSION" && test -n "$ARCH" &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make --no-print-directory -C "$REPO" deb DEB_DIR="$DEB_DIR" >deb.log 2>&1 ||
	{ cat deb.log; false; } &&
	test -f "$DEB" &&
	test_grep "^make deb: $DEB$" deb.log &&
	test_grep "^lintian --fail-on error" deb.log &&
	test_grep ! "^E: " deb.log &&
	test_grep ! "no-manual-page" deb.log
'

test_expect_success 'its control data: the package, version, architecture and libraries' '
	dpkg-deb -f "$DEB" Package Version Architecture Depends >control &&
	test_grep -x "Package: ccapply" control &&
	test_grep -x "Version: $VERSION" control &&
	test_grep -x "Architecture: $ARCH" control &&
	test_grep "^Depends: .*libcurl4" control &&
	test_grep "^Depends: .*libfyaml0" control
'

test_expect_success 'it holds the binaries, the man page, the completion and the docs' '
	dpkg-deb -c "$DEB" | awk "{ print \$6 }" | sed "s,^\./,/," >contents &&
	for f in /usr/bin/ccapply /usr/bin/ccapply-sim /usr/share/man/man1/ccapply.1.gz \
		/usr/share/man/man1/ccapply-sim.1.gz \
		/usr/share/bash-completion/completions/ccapply /usr/share/doc/ccapply/copyright \
		/usr/share/doc/ccapply/README.md.gz /usr/share/doc/ccapply/gitops.md.gz; do
		test_grep -x "$f" contents || return 1
	done &&
	for f in "$REPO"/contrib/_ccapply "$REPO"/contrib/ccapply.fish; do
		[ ! -e "$f" ] || test_grep "/$(basename "$f")\$" contents || return 1
	done &&
	test_grep ! "^/usr/local" contents &&
	test_grep ! "test-tool" contents
'

test_expect_success 'dpkg-deb -x into a scratch root: ccapply and ccapply-sim run from there' '
	dpkg-deb -x "$DEB" "$ROOT" &&
	"$ROOT/usr/bin/ccapply" version >out &&
	echo "ccapply $VERSION" >expect &&
	test_cmp expect out &&
	"$ROOT/usr/bin/ccapply" help plan >out &&
	test_grep "^usage: ccapply plan" out &&
	"$ROOT/usr/bin/ccapply-sim" --help >out &&
	test_grep "^usage: ccapply-sim" out &&
	gzip -dc "$ROOT/usr/share/man/man1/ccapply.1.gz" >page &&
	cmp "$REPO/docs/ccapply.1" page
'

test_expect_success 'the hardening flags reached the build: bind-now, relro, PIE, fortify, stack protector' '
	for b in ccapply ccapply-sim; do
		readelf -dW "$ROOT/usr/bin/$b" >dyn &&
		test_grep -E "\(FLAGS\) +BIND_NOW" dyn &&
		test_grep -E "Flags: .*PIE" dyn &&
		readelf -lW "$ROOT/usr/bin/$b" >segments &&
		test_grep GNU_RELRO segments &&
		readelf --dyn-syms -W "$ROOT/usr/bin/$b" >syms &&
		test_grep "__stack_chk_fail" syms || return 1
	done &&
	readelf --dyn-syms -W "$ROOT/usr/bin/ccapply" >syms &&
	test_grep -E "__[a-z]+_chk" syms
'

test_done
