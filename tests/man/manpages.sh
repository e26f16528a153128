#!/bin/bash
# SPDX-License-Identifier: MIT
#
# manpages.sh BUILD VERSION: every public name has a manual page (TAP).
# The pages are staged as 'make install' stages them (scripts/install-man)
# into BUILD/stage/man; then every name the shared libraries export and
# every macro of their headers must reach, with 'man -M', a page whose NAME
# section names it; every page must format without a warning and every
# .TH line carry VERSION.
set -u
[ $# -eq 2 ] || { echo "usage: manpages.sh build-dir version" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
build=$1 version=$2
stage=$build/stage/man
libs="$build/lib/libseg.so $build/lib/libthread9.so"
headers="$top/include/seg.h $top/include/seglist.h $top/include/thread.h"

rm -rf "$stage"
run "$top/scripts/install-man" "$top/man" "$stage" "$version"
check "install-man stages the pages" eval '[ "$rc" -eq 0 ]'

# Exported symbols, less what the linker makes (and version nodes, type
# A).  main and p9main (its name when plan9port's libc.h renames main) are
# the C entry point that runs threadmain: thread(3) describes it there.
symbols() {
	nm -D --defined-only $libs | awk 'NF == 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
		grep -vxE '_init|_fini|_edata|_end|__bss_start|main|p9main'
}

# Macros of the public headers, less each header's include guard and the
# header's own helpers (THREAD9_*).
macros() {
	awk 'FNR == 1 { guard = "" }
	     /^#[ \t]*ifndef/ && guard == "" { guard = $2 }
	     /^#[ \t]*define/ { sub(/\(.*/, "", $2); if ($2 != guard && $2 !~ /^THREAD9_/) print $2 }' $headers
}

# The page man finds for NAME, and whether its NAME section names NAME.
page_of() { man -M "$stage" -w "$1" 2>/dev/null | head -n 1; }
names_it() {
	local f=$1 name=$2 so
	so=$(sed -n 's/^\.so //p' "$f")
	[ -n "$so" ] && f=$stage/$so
	[ -f "$f" ] && sed -n '/^\.SH NAME/,/^\.SH /p' "$f" | sed '1d;$d' |
		tr ',' '\n' | sed 's/ *\\-.*//; s/^ *//; s/ *$//' | grep -qxF "$name"
}
has_page() {
	local f
	f=$(page_of "$1")
	[ -n "$f" ] || { echo "#   man -M $stage: no page for $1"; return 1; }
	names_it "$f" "$1" || { echo "#   $f: NAME does not name $1"; return 1; }
}

# One assertion per rule; the diagnostics name every name or page that
# breaks it.
names=$( { symbols; macros; } | sort -u)
rc= out= err=
check "the libraries export names ($(echo "$names" | wc -l))" eval '[ "$(echo "$names" | wc -l)" -gt 50 ]'
every_name() {
	local n bad=0
	for n in $names; do
		has_page "$n" || bad=1
	done
	return $bad
}
check "every exported name and header macro has a page naming it" every_name
# The check above must be able to fail.
check "no page for a name with none" eval '! has_page segctl_no_such_name >/dev/null'

cd "$stage" || exit 1
every_page() {
	local f msg bad=0
	for f in man*/*; do
		msg=$(man --warnings -l "$f" 2>&1 >/dev/null) || msg="$msg (exit $?)"
		[ -z "$msg" ] && continue
		printf '#   %s: %s\n' "$f" "$msg"
		bad=1
	done
	return $bad
}
check "every page ($(ls man*/* | wc -l)) formats without warnings" every_page
run grep -L "^\.TH .*\"segctl $version\"" $(grep -l '^\.TH ' man*/*)
check ".TH lines carry version $version" eval '[ -z "$out" ]'

tap_end
