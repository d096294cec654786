#!/bin/sh
# toolchain.sh — make sure CC can build a libFuzzer target with ASan and UBSan.
#
#   fuzz/toolchain.sh [CC]      (default clang)
#
# Called once by `make fuzz` (stamp build/fuzz/.toolchain-ok). Compiles and
# links a trivial fuzz target; when that fails, installs clang and its
# compiler-rt (libFuzzer, sanitizer runtimes) with apt-get, in the style of
# scripts/install-deps.sh: through sudo only when not already root. Fuzzing is
# not part of `make check`, so these packages are not in install-deps.sh.
set -eu

CC=${1:-clang}
PACKAGES="clang libclang-rt-dev"
probe_dir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-probe.XXXXXX")
trap 'rm -rf "$probe_dir"' EXIT

probe() {
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' \
		>"$probe_dir/probe.c"
	"$CC" -fsanitize=fuzzer,address,undefined -o "$probe_dir/probe" "$probe_dir/probe.c" \
		>"$probe_dir/log" 2>&1
}

if probe; then
	exit 0
fi
echo "fuzz: '$CC -fsanitize=fuzzer,address,undefined' does not link:" >&2
sed 's/^/  /' "$probe_dir/log" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "fuzz: not root and no sudo; install these packages: $PACKAGES" >&2
	exit 1
fi
echo "fuzz: installing $PACKAGES" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
if ! probe; then
	echo "fuzz: '$CC' still cannot build a libFuzzer target:" >&2
	sed 's/^/  /' "$probe_dir/log" >&2
	exit 1
fi
