#!/bin/sh
# SPDX-License-Identifier: MIT
# stress-reload.sh [CYCLES]: insmod/rmmod /lib/segctl.ko CYCLES times (100)
# with processes using segments in between.  Each cycle: a client attaches
# (memory, shared, commit, guarded), forks a child that checks its copy,
# and exits; the counters must then be 0.  Every third cycle a process
# keeps segments (its descriptor closed) across the rmmod, which must
# still succeed and leave its memory as ordinary mappings; every tenth a
# process holding the descriptor open makes rmmod fail.  After each rmmod
# the kernel log must show no warning.  Ends with the module loaded.
# TAP output.
n=${1:-100}
ko=/lib/segctl.ko
p=/sys/module/segctl/parameters
bad='BUG|WARNING|Oops|Call Trace|KASAN|UBSAN|SLUB|general protection'
fails=0 i=1 held=0 busy=0
echo "TAP version 13"
echo "1..$n"

fail() { echo "# cycle $i: $*"; ok=0; }

wait_file() {
	t=0
	while [ ! -e "$1" ] && [ $t -lt 100 ]; do sleep 0.05; t=$((t + 1)); done
	[ -e "$1" ]
}

counters() { echo "$(cat $p/tables) $(cat $p/segments) $(cat $p/committed)"; }

lsmod | grep -q '^segctl ' || insmod $ko || { echo "Bail out! insmod"; exit 1; }
dmesg -c >/dev/null	# boot messages (e.g. "SLUB: HWalign") are not ours
start=$(date +%s)
while [ $i -le $n ]; do
	ok=1
	/tests/stress --reload-client || fail "client failed"
	c=0
	while [ "$(counters)" != "0 0 0" ] && [ $c -lt 50 ]; do sleep 0.02; c=$((c + 1)); done
	[ "$(counters)" = "0 0 0" ] || fail "counters before rmmod: $(counters)"
	hp=
	if [ $((i % 3)) -eq 0 ]; then
		rm -f /tmp/held
		/tests/stress --reload-hold /tmp/held &
		hp=$!
		wait_file /tmp/held || fail "holder did not start"
		[ "$(cat $p/tables)" -ge 1 ] || fail "holder has no table: $(counters)"
		held=$((held + 1))
	fi
	if [ $((i % 10)) -eq 0 ]; then
		rm -f /tmp/busy
		/tests/stress --reload-busy /tmp/busy &
		bp=$!
		wait_file /tmp/busy || fail "busy process did not start"
		rmmod segctl 2>/dev/null && fail "rmmod succeeded with the device open"
		kill -TERM $bp
		wait $bp || fail "busy process failed"
		busy=$((busy + 1))
	fi
	rmmod segctl || fail "rmmod failed"
	[ -e /sys/module/segctl ] && fail "module still there after rmmod"
	if [ -n "$hp" ]; then
		kill -TERM $hp
		wait $hp || fail "holder lost its memory across rmmod"
	fi
	log=$(dmesg -c)
	echo "$log" | grep -E "$bad" >/dev/null && { fail "kernel log:"; echo "$log" | grep -E -A5 "$bad" | head -20 | sed 's/^/# /'; }
	insmod $ko || { fail "insmod"; echo "not ok $i cycle $i"; echo "Bail out!"; exit 1; }
	if [ $ok = 1 ]; then echo "ok $i cycle $i"; else echo "not ok $i cycle $i"; fails=$((fails + 1)); fi
	i=$((i + 1))
done
echo "# reload: $n cycles in $(( $(date +%s) - start )) s, $held with live tables at rmmod, $busy refused while open"
[ $fails -eq 0 ]
