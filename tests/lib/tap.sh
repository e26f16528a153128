# SPDX-License-Identifier: MIT
# tap.sh: TAP output for the shell tests; source it, call check for each
# assertion, end with tap_end (the plan comes last, as TAP allows).
#
#	run CMD [ARG...]	run CMD with a hang guard; sets rc, out, err
#	check NAME COND...	"ok N NAME" if the command COND succeeds, else
#				"not ok N NAME" and what run last saw (unless
#				rc is empty)

tap_n=0 tap_failed=0
tap_tmp=$(mktemp -d)
trap 'rm -rf "$tap_tmp"' EXIT
echo "TAP version 13"

run() {
	# The guard (tap_timeout seconds, 60 unless a script sets it) only
	# turns a hang into a failure; nothing is timed.
	timeout -k 5 "${tap_timeout:-60}" "$@" >"$tap_tmp/out" 2>"$tap_tmp/err"
	rc=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}

check() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n $name"
	else
		echo "not ok $tap_n $name"
		if [ -n "${rc-}" ]; then
			printf '#   exit %s\n' "$rc"
			printf '%s\n' "$out" | sed -n '1,5s/^/#   stdout: /p'
			printf '%s\n' "$err" | sed -n '1,5s/^/#   stderr: /p'
		fi
		tap_failed=$((tap_failed + 1))
	fi
}

tap_end() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
