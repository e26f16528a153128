#!/bin/sh
# SPDX-License-Identifier: MIT
# Install, with apt-get, everything segctl needs to build, test and benchmark
# on Debian 12.  Idempotent: when nothing is missing it prints nothing and
# touches nothing (no apt-get update).
#
#   scripts/deps.sh          what 'make check' needs
#   scripts/deps.sh debug    that, plus the kernel sources and tools that
#                            'make check-debug' builds its debug kernels with
#   scripts/deps.sh deb      that, plus Debian's packaging tools: what
#                            'make deb' and 'make check-deb' need
set -eu

PKGS="build-essential pkg-config
linux-image-cloud-amd64 linux-headers-cloud-amd64
linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64 dwarves
qemu-system-x86 busybox-static cpio gzip
liburing-dev check sparse gnuplot-nox man-db
dpkg-dev
golang-go libboost-context-dev g++"
case "${1:-}" in
debug)
	PKGS="$PKGS linux-source-6.1 linux-source-6.12 flex bison bc
libssl-dev libelf-dev xz-utils" ;;
deb)
	PKGS="$PKGS debhelper dh-dkms dkms lintian mmdebstrap" ;;
esac

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$s" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends $missing >/dev/null
echo "deps: done"
