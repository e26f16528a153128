#!/bin/sh
# SPDX-License-Identifier: MIT
# lifecycle.sh: loading and unloading segctl (doc/contract.md §2), as TAP.  rmmod is
# refused while the device is open, and while a process maps a stack arena
# (until it exits); allowed with a process holding segments of the old
# layout, which keeps using its memory; load/unload cycles with programs
# using segments in between leak nothing.  Run last: it reloads the module.
ko=/lib/segctl.ko
P=/sys/module/segctl/parameters
n=0 fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}
note() { echo "# $*"; }
counters() { echo "$(cat $P/tables) $(cat $P/segments) $(cat $P/committed)"; }
# Counters drop when a process's mm goes; give its exit a moment.
zero() {
	i=0
	while [ "$(counters)" != "0 0 0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(counters)" = "0 0 0" ]
}

echo "TAP version 13"
echo "1..11"
lsmod | grep -q '^segctl ' || insmod $ko

# 1: refused while open.
exec 3</dev/segctl
rmmod segctl 2>/dev/null
r=$?
[ -d /sys/module/segctl ] && [ $r != 0 ]
ok $? rmmod_refused_while_open
exec 3<&-

# 2-4: refused while an arena is mapped, the device closed; fine once it exits.
rm -f /tmp/ready /tmp/go
/tests/kmod-holder arena /tmp/ready /tmp/go &
pid=$!
i=0
while [ ! -e /tmp/ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /tmp/ready ] && [ "$(cat $P/spans)" = 1 ] && [ "$(cat $P/arenas_alive)" = 1 ]
ok $? arena_holder_ready
rmmod segctl 2>/dev/null
r=$?
[ -d /sys/module/segctl ] && [ $r != 0 ]
ok $? rmmod_refused_with_arena
touch /tmp/go
wait $pid
r=$?
rmmod segctl && [ ! -d /sys/module/segctl ] && [ $r = 0 ]
ok $? rmmod_after_arena_holder_exits
insmod $ko

# 5, 6: allowed with a process holding segments; it keeps its memory.
rm -f /tmp/ready /tmp/go
/tests/kmod-holder hold /tmp/ready /tmp/go &
pid=$!
i=0
while [ ! -e /tmp/ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat $P/segments)" = 5 ] && [ "$(cat $P/committed)" = 4 ]
ok $? holder_has_segments
rmmod segctl && [ ! -d /sys/module/segctl ]
r=$?
ok $r rmmod_with_live_segments
touch /tmp/go
wait $pid
ok $? holder_keeps_memory_after_rmmod

# 7: load again: a clean start.
insmod $ko && zero
ok $? reload_clean

# 8, 9: cycles with programs using segments between.
cycles=0 bad=0
while [ $cycles -lt 20 ]; do
	lsmod | grep -q '^segctl ' || insmod $ko || { bad=1; note "insmod failed in cycle $cycles"; break; }
	/tests/kmod-holder use || { bad=1; note "holder use failed in cycle $cycles"; }
	zero || { bad=1; note "cycle $cycles: counters $(counters)"; }
	if [ $((cycles % 4)) = 3 ]; then
		# Unload under a live process this time.
		rm -f /tmp/ready /tmp/go
		/tests/kmod-holder hold /tmp/ready /tmp/go &
		pid=$!
		i=0
		while [ ! -e /tmp/ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
		rmmod segctl || { bad=1; note "rmmod failed in cycle $cycles"; }
		touch /tmp/go
		wait $pid || { bad=1; note "holder hold failed in cycle $cycles"; }
	else
		rmmod segctl || { bad=1; note "rmmod failed in cycle $cycles"; }
	fi
	cycles=$((cycles + 1))
done
ok $bad load_unload_cycles
insmod $ko && zero
ok $? counters_zero_after_cycles

# 10: the device works after all that.
/tests/kmod-holder use && zero
ok $? device_works_at_the_end

echo "# lifecycle: $((n - fails)) passed, $fails failed"
[ $fails = 0 ]
