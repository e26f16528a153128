#!/bin/bash
# SPDX-License-Identifier: MIT
# The VM runner's own test (TAP): it must pass a passing guest, and fail on
# a failing command, a kernel WARNING in the guest log, a hung guest and a
# kernel it does not know, each with a line that says what happened.
#
#   tests/runner/selftest.sh [--debug TREE]
#
# --debug TREE tests the debug-kernel rules instead, on that kernel build
# tree (scripts/debug-kernel), with the module built with its planted bugs
# (scripts/kbuild --selftest TREE): a clean run passes, and a leak or an
# inverted lock order fails it with kmemleak's or lockdep's report, which
# is shown here too.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/scripts/vm
out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=0 fails=0

# t NAME WANT-RC GREP-PATTERN VM-ARGS...: run the runner, check its status
# and (if a pattern is given) its diagnostics.
t() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	n=$((n + 1))
	"$vm" --quiet "$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$pat" ] || grep -qE "$pat" "$out"; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# want exit $want and /$pat/, got exit $rc:"
		sed 's/^/#   /' "$out" | tail -n 5
		fails=$((fails + 1))
	fi
}

# report: the kernel report the runner quoted, as TAP comments.
report() { grep '^  | ' "$out" | head -n 40 | sed 's/^/#/'; }

if [ "${1:-}" = --debug ]; then
	tree=$2
	. "$top/scripts/kernels.sh"
	rel=$(kernel_tree_release "$tree") || { echo "Bail out! $tree is no kernel tree"; exit 1; }
	planted=$top/build/kmod/$rel-selftest/segctl.ko
	run=(--kernel "$tree" --timeout 600 --timeout-scale 2 --module "$planted")
	# Each open of /dev/segctl runs the planted code once.
	open='cat /dev/segctl >/dev/null'
	echo "TAP version 13"
	echo "1..4"
	n=$((n + 1))
	if modinfo -p "$top/build/kmod/$rel/segctl.ko" | grep -q selftest; then
		echo "not ok $n production_module_has_no_planted_bugs"
		fails=$((fails + 1))
	else
		echo "ok $n production_module_has_no_planted_bugs"
	fi
	t planted_module_clean 0 'done in' "${run[@]}" --run "$open"
	t planted_leak 1 'unreferenced object' "${run[@]}" \
		--module-args selftest_leak=1 --run "$open"
	report
	t planted_lock_order 1 'possible circular locking' "${run[@]}" \
		--module-args selftest_lockorder=1 --run "$open"
	report
	echo "# debug self-test: $((n - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
fi

echo "TAP version 13"
echo "1..7"
t passing_command 0 'done in' --run true
t failing_command 1 "'false' exited 1" --run false
t status_propagates 3 '' --run 'exit 3'
t warning_in_log 1 'kernel report.*WARNING: runner self-test' \
	--run 'echo "<4>WARNING: runner self-test" > /dev/kmsg'
t hung_guest 124 'timed out after 20 s.*running sleep 600' --timeout 20 --run 'sleep 600'
t unknown_kernel 2 "unknown kernel '5.10'" --kernel 5.10 --run true
t no_module_flag 0 '' --no-module --run '! test -e /dev/segctl'
echo "# runner self-test: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
