#!/bin/sh
# SPDX-License-Identifier: MIT
# check.sh: the Plan 9-style programs of tests/plan9, built against
# plan9port's lib9 (Debian's 9base), run for their output and exit status,
# as TAP.  The programs are p9-* beside this script, or in ../vm (the
# native copy of this script runs the VM build's static programs).
dir=$(dirname "$0")
[ -x "$dir/p9-sieve" ] || dir=$dir/../vm
out=${TMPDIR:-/tmp}/plan9-check.$$
n=0 fails=0
trap 'rm -f "$out" "$out.err"' EXIT

# t NAME STATUS EXPECTED-STDOUT EXPECTED-STDERR-PART CMD...: CMD must exit
# STATUS, print exactly EXPECTED-STDOUT and, unless that is empty, have
# EXPECTED-STDERR-PART in its standard error.
t() {
	name=$1 want=$2 wantout=$3 wanterr=$4
	shift 4
	"$@" >"$out" 2>"$out.err" </dev/null
	rc=$?
	n=$((n + 1))
	why=
	[ "$rc" = "$want" ] || why="exit status $rc, not $want"
	[ "$(cat "$out")" = "$wantout" ] || why="$why${why:+; }stdout differs"
	if [ -n "$wanterr" ] && ! grep -qF -- "$wanterr" "$out.err"; then
		why="$why${why:+; }stderr lacks '$wanterr'"
	fi
	if [ -z "$why" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name: $why"
		sed 's/^/# stdout: /' "$out"
		sed 's/^/# stderr: /' "$out.err"
		fails=$((fails + 1))
	fi
}

primes="2
3
5
7
11
13
17
19
23
29"
locks="one proc: qlock blocks the thread only
procs: counter 2400 of 2400
rwlock: readers share, the writer waits"

echo "TAP version 13"
echo "1..22"
t "sieve: threads print the primes" 0 "$primes" "" "$dir/p9-sieve" -n 30
t "sieve: procs print the primes" 0 "$primes" "" "$dir/p9-sieve" -p -n 30
t "sieve: a bad flag is lib9's sysfatal with argv0" 1 "" "p9-sieve: usage:" "$dir/p9-sieve" -x
t "fatal: sysfatal %r names the open's error" 1 "" "p9-fatal: open /nonexistent/file: No such file or directory" \
	"$dir/p9-fatal" /nonexistent/file
t "fatal: sysfatal %r after werrstr" 1 "" "p9-fatal: x: the error string" "$dir/p9-fatal" -w "the error string" x
t "fatal: no error, no sysfatal" 0 "opened /dev/null" "" "$dir/p9-fatal" /dev/null
t "args: ARGBEGIN flags, EARGF and the rest" 0 "flag a
flag b
flag o word
flag c
argv0 $dir/p9-args
arg one
arg two" "" "$dir/p9-args" -ab -o word -c one two
t "args: EARGF's usage on a missing value" 1 "" "usage: $dir/p9-args" "$dir/p9-args" -o
t "relay: ioproc reader, channel, ioproc writer" 0 "LINE 0
LINE 1
LINE 2
LINE 3
LINE 4" "" "$dir/p9-relay"
t "locks: lib9's calls, libthread9 first in the link" 0 "$locks" "" "$dir/p9-locks"
t "locks: lib9's calls, lib9 first in the link" 0 "$locks" "" "$dir/p9-locks-lib9first"
t "lockonly: lib9's main runs the program's, libthread9 first" 0 "lockonly: $dir/p9-lockonly" "" "$dir/p9-lockonly"
t "lockonly: lib9's main runs the program's, lib9 first" 0 "lockonly: $dir/p9-lockonly-lib9first" "" \
	"$dir/p9-lockonly-lib9first"
t "nohooks: a qlock without thread-library hooks stops the program" 1 "" \
	"qlock: the qlock linked is not libthread9's and its library has no thread-library hooks" \
	"$dir/p9-nohooks"
t "lockmain: no lib9, own main, lock(2) only" 0 "lockmain: own main" "" "$dir/p9-lockmain"
t "spawn: threadspawn, threadspawnl, threadexecl" 0 "spawn: spawn read spawned
spawn: spawn wait pid 'exit 3'
spawn: missing program fails, descriptors kept
spawn: exec read xexec ran
spawn: exec wait pid ''" "" "$dir/p9-spawn"
t "daemon: threaddaemonize lets the waiting parent exit 0" 0 "" "" "$dir/p9-daemon" -d
t "daemon: the parent ends with the program's status" 1 "" "" "$dir/p9-daemon"
t "daemon: and dies of the program's signal" 137 "" "" "$dir/p9-daemon" -k
t "sockso: a shared library's send and recv are the socket calls" 0 "sockso: thread ok
sockso: proc ok" "" env LD_LIBRARY_PATH="$dir" "$dir/p9-sockso"
t "cxx: thread.h after the socket headers, in C++" 0 "cxx: nil, channels, a socketpair" "" "$dir/p9-cxx"
t "ebadarg: the program's globals are its own" 0 "ebadarg: the program's own Ebadarg, segfind 2, procs 7" "" "$dir/p9-ebadarg"
[ "$fails" -eq 0 ]
