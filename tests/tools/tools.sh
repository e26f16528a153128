#!/bin/bash
# SPDX-License-Identifier: MIT
# The small programs behave (TAP): -h and --help print usage on standard
# output and exit 0; bad arguments print usage on standard error and exit
# non-zero, at once; segls fails, with a message, when it cannot write -o.
set -u
top=$(cd "$(dirname "$0")" && while [ ! -x scripts/check ] && [ "$PWD" != / ]; do cd ..; done && pwd)
. "$top/tests/lib/tap.sh"
b=$top/build

asked() { [ "$rc" -eq 0 ] && [[ $out == usage:* ]] && [ -z "$err" ]; }
refused() { [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ -z "$out" ] && [[ $err == *usage:* ]]; }

for p in bin/segls examples/sieve examples/altdemo; do
	name=$(basename "$p")
	for h in -h --help; do
		run "$b/$p" "$h"
		check "$name $h: usage on stdout, exit 0" asked
	done
done

run "$b/bin/segls"
check "segls with no command: usage on stderr, exit 2" eval '[ "$rc" -eq 2 ] && refused'
run "$b/bin/segls" -x true
check "segls -x: usage on stderr" refused
run "$b/bin/segls" -p abc
check "segls -p abc: usage on stderr" refused

missing=$tap_tmp/no/such/dir/table
run "$b/bin/segls" -o "$missing" true
check "segls -o into a missing directory: exit 1 with a message" \
	eval '[ "$rc" -eq 1 ] && [[ $err == *"$missing"*"No such file"* ]]'
run "$b/bin/segls" -o "$tap_tmp/table" true
check "segls -o FILE true: exit 0, FILE made" eval '[ "$rc" -eq 0 ] && [ -f "$tap_tmp/table" ]'
mkdir "$tap_tmp/elsewhere"
run bash -c "cd '$tap_tmp' && '$b/bin/segls' -o rel bash -c 'cd elsewhere; exit 0'"
check "segls -o RELATIVE: written where segls ran, though the command moves" \
	eval '[ "$rc" -eq 0 ] && [ -f "$tap_tmp/rel" ] && [ ! -e "$tap_tmp/elsewhere/rel" ]'
run "$b/bin/segls" false
check "segls passes on the command's status" eval '[ "$rc" -eq 1 ]'

for a in abc -1 12x 99999999999999999999999; do
	run "$b/examples/sieve" "$a"
	check "sieve $a: usage on stderr, exit non-zero" refused
done
run "$b/examples/sieve" 10 20
check "sieve 10 20: usage on stderr" refused
run "$b/examples/sieve" 20
check "sieve 20: the primes below 20" eval '[ "$rc" -eq 0 ] && [ "$(echo $out)" = "2 3 5 7 11 13 17 19" ]'
run "$b/examples/sieve" -p 12
check "sieve -p 12: the primes below 12, over procs" eval '[ "$rc" -eq 0 ] && [ "$(echo $out)" = "2 3 5 7 11" ]'

# A count the ticker never reaches made altdemo run (and spin) for ever.
for a in abc 0 -3 2x; do
	run "$b/examples/altdemo" "$a"
	check "altdemo $a: usage on stderr, exit non-zero" refused
done
run "$b/examples/altdemo" 1 2
check "altdemo 1 2: usage on stderr" refused
run "$b/examples/altdemo" 2
check "altdemo 2: two ticks, then the closed channel" \
	eval '[ "$rc" -eq 0 ] && [[ $out == "tick 1:"*"tick 2:"*"count: channel was closed" ]]'

tap_end
