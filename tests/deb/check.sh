#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check.sh DEBDIR ROOT_TAR VERSION: try the Debian packages of DEBDIR
# ('make deb') as a user would, in a fresh Debian 12 root (ROOT_TAR,
# scripts/deb-root), unpacked for this run and removed after it.  TAP,
# then "N passed, N failed".  VERSION (the Makefile's) must be everywhere:
# NEWS, debian/changelog, the packages, the .pc files, the module.
# Installs the packages with dpkg (DKMS builds the module for the root's
# cloud kernel headers), builds an outside program with pkg-config (shared
# and static), runs it and segls on it, purges them, and runs lintian on
# the host, on the source and binary packages (no errors; warnings are
# listed).  Root only: the root is entered with chroot, in a mount
# namespace of its own, so that its /proc goes with it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
debs=$1 tarball=$2 version=$3
. "$top/tests/lib/tap.sh"

# long CMD...: tap.sh's run, with a guard of 15 minutes instead of one.
long() {
	tap_timeout=900
	run "$@"
	tap_timeout=60
}

# inroot CMD: CMD (a shell command line) in the root, /proc mounted.
inroot() {
	long unshare --pid --fork --kill-child --mount-proc="$root/proc" chroot "$root" \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		/bin/sh -c "$1"
}

finish() {
	# The namespace died with its last process, taking its mounts; never
	# remove a tree something is still mounted in.
	if [ -n "${root:-}" ] && [ -d "$root" ]; then
		if findmnt -rn -o TARGET | grep -qF "$root"; then
			echo "# $root: still mounted, left in place" >&2
		else
			rm -rf "$root"
		fi
	fi
	rm -rf "$tap_tmp"
}
trap finish EXIT

summary() {
	tap_end
	local r=$?
	echo "$((tap_n - tap_failed)) passed, $tap_failed failed"
	exit $r
}

pkgs=$(ls "$debs"/*.deb 2>/dev/null | grep -v -- '-dbgsym_')
rc=
check "NEWS: the newest entry is version $version" \
	[ "$(sed -n 's/^Version \([^ ]*\).*/\1/p' "$top/NEWS" | head -n 1)" = "$version" ]
check "debian/changelog: version $version" \
	[ "$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)" = "$version" ]
check "make deb made the packages" [ -n "$pkgs" ]
check "running as root (chroot, mount namespace)" [ "$(id -u)" -eq 0 ]
check "the Debian 12 root $tarball is there" [ -s "$tarball" ]
[ "$tap_failed" -eq 0 ] || summary

root=$(mktemp -d "$top/build/deb-test.XXXXXX")
run tar -xf "$tarball" -C "$root"
check "the root unpacks" eval '[ "$rc" -eq 0 ]'
mkdir -p "$root/tmp/debs"
cp $pkgs "$root/tmp/debs/"
cp "$top/tests/deb/prog.c" "$root/tmp/prog.c"
rel=$(ls "$root/lib/modules" | head -n 1)
check "the root has kernel headers ($rel)" [ -f "$root/lib/modules/$rel/build/Makefile" ]

inroot 'dpkg -i /tmp/debs/*.deb'
check "dpkg -i installs $(echo "$pkgs" | wc -l) packages" eval '[ "$rc" -eq 0 ]'
inroot '{ dpkg-query -W -f "\${Version}\n" $(for d in /tmp/debs/*.deb; do dpkg-deb -f "$d" Package; done); pkg-config --modversion libseg libthread9; } | sort -u'
check "the packages and the .pc files are version $version" eval '[ "$out" = "$version" ]'
inroot 'dkms status segctl'
check "dkms status: segctl/$version installed for $rel" eval '[[ "$out" == *"segctl/$version, $rel, "*": installed"* ]]'
ko=$(ls "$root/lib/modules/$rel/updates/dkms/segctl.ko"* 2>/dev/null | head -n 1)
check "the module is in /lib/modules/$rel/updates/dkms" [ -n "$ko" ]
inroot "modinfo -F version /lib/modules/$rel/updates/dkms/${ko##*/}"
check "modinfo: version $version" eval '[ "$out" = "$version" ]'

want="round trip 42, segment, segctl API 1"
inroot 'cc -Wall -o /tmp/prog /tmp/prog.c $(pkg-config --cflags --libs libthread9 libseg) && /tmp/prog'
check "pkg-config libthread9: a program compiles and runs" eval '[ "$rc" -eq 0 ] && [ "$out" = "$want" ]'
inroot 'cc -static -o /tmp/prog-static /tmp/prog.c $(pkg-config --cflags libthread9) $(pkg-config --static --libs libthread9) && /tmp/prog-static'
check "pkg-config --static libthread9: linked statically, runs" eval '[ "$rc" -eq 0 ] && [ "$out" = "$want" ]'
inroot 'segls /tmp/prog'
check "segls finds its installed helper and prints the table" \
	eval '[ "$rc" -eq 0 ] && printf "%s\n" "$err" | grep -q "^memory "'

inroot 'dpkg --purge $(for d in /tmp/debs/*.deb; do dpkg-deb -f "$d" Package; done)'
check "dpkg --purge removes them" eval '[ "$rc" -eq 0 ]'
check "purged: no source, no module, no headers left" \
	eval '[ ! -e "$root/usr/src/segctl-"* ] && [ ! -e "$ko" ] && [ ! -e "$root/usr/include/segctl" ]'

long lintian --fail-on error $(ls "$debs"/*.changes)
check "lintian: no errors" eval '[ "$rc" -eq 0 ]'
printf '%s\n' "$out" | grep -v '^$' | sed 's/^/# lintian: /'
summary
