#!/bin/sh
# run-robust.sh - the longer robustness runs for .ci/run: the SIGKILL
# durability test with many rounds and several seeds, and the hostile-client
# test. Prints TAP (one line per sub-run) and exits non-zero on a failure.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir
export KEFUD=${KEFUD:-$top_srcdir/server/kefud}
ulimit -n 20000 2>/dev/null || true
n=0
fail=0
sub() {	# description, command...
	d=$1; shift
	n=$((n + 1))
	out=$(timeout 300 "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d (exit $rc)"
		printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/#   /'
		fail=1
	fi
}
for seed in 1 2 3; do
	sub "kill -9 durability, 12 rounds, seed $seed" \
	    env KILL9_ROUNDS=12 KILL9_SEED=$seed python3 "$top_srcdir/tests/robust/test_kill9.py"
done
sub "hostile clients" python3 "$top_srcdir/tests/robust/test_hostile.py"
sub "idle-connection flood" python3 "$top_srcdir/tests/robust/test_idle_flood.py"
sub "HELLO flood from one address" python3 "$top_srcdir/tests/robust/test_hello_flood.py"
sub "poison transcript" python3 "$top_srcdir/tests/robust/test_poison.py"
sub "pre-auth SSH flood" env KEFUD_SSH="${KEFUD_SSH:-$top_srcdir/server/kefud-ssh}" \
    python3 "$top_srcdir/tests/robust/test_ssh_flood.py"
echo "1..$n"
exit $fail
