#!/bin/sh
# install-deps.sh — install the Debian packages ccapply builds and tests with.
#
# Called by `make` when pkg-config or the jsmn header says something is missing,
# so that a fresh Debian machine needs only `make check` (zsh and fish: for the
# completion tests, t/7025). Uses apt-get, through
# sudo only when not already root. Safe to run twice: apt-get skips what is there.
set -eu

PACKAGES="build-essential pkg-config libfyaml-dev libjsmn-dev libb2-dev
libcurl4-openssl-dev libssl-dev libmicrohttpd-dev coreutils perl curl
ca-certificates zsh fish"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "install-deps: not root and no sudo; install these packages: $PACKAGES" >&2
	exit 1
fi

echo "install-deps: installing $(echo $PACKAGES | tr '\n' ' ')" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
