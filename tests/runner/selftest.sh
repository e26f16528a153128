#!/bin/bash
# SPDX-License-Identifier: MIT
# The VM runner's own test (TAP): it must pass a passing guest, and fail on
# a failing command, a kernel WARNING in the guest log, a hung guest and a
# kernel it does not know, each with a line that says what happened.
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
