#!/bin/sh
# valgrind-scenarios.sh - run the protocol scenario suite (tests/scenarios/
# test_*.py) with KEFUD pointing at a wrapper that runs kefud under valgrind,
# then check every valgrind log for errors and definite leaks. Prints TAP;
# exits non-zero if a scenario fails or valgrind reports anything.
# Run from .ci/run (too slow for `make check`).
#
# Environment: KEFUD (the real kefud; default server/kefud), top_srcdir.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
REAL=${KEFUD:-$top_srcdir/server/kefud}
case $REAL in /*) ;; *) REAL=$(pwd)/$REAL ;; esac
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
if [ ! -x "$REAL" ]; then
	echo "Bail out! no kefud at $REAL"
	exit 1
fi
TMP=$(mktemp -d /tmp/kefu-vg.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

cat >"$TMP/kefud-vg" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite \\
    --errors-for-leak-kinds=definite \\
    --error-exitcode=99 --log-file="$TMP/vg.%p.log" "$REAL" "\$@"
WRAP
chmod +x "$TMP/kefud-vg"

n=0
fail=0
for t in "$top_srcdir"/tests/scenarios/test_*.py; do
	[ -f "$t" ] || continue
	name=$(basename "$t")
	n=$((n + 1))
	if KEFUD="$TMP/kefud-vg" top_srcdir="$top_srcdir" LANG=C.UTF-8 \
	    timeout 600 python3 "$t" >"$TMP/$name.out" 2>&1 &&
	    ! grep -q '^not ok' "$TMP/$name.out"; then
		echo "ok $n - $name passes with kefud under valgrind"
	else
		echo "not ok $n - $name passes with kefud under valgrind"
		grep '^not ok' "$TMP/$name.out" | sed 's/^/#   /'
		tail -5 "$TMP/$name.out" | sed 's/^/#   /'
		fail=1
	fi
done

# Each kefud run left a log; valgrind -q writes only when it finds something.
# One thing is not a finding: valgrind 3.19 does not know epoll_pwait2 (441),
# answers ENOSYS and says so; kefud then uses epoll_wait (ae.c).
known_warning() {
	grep -v -e 'unhandled amd64-linux syscall: 441$' \
	    -e 'You may be able to write your own handler\.$' \
	    -e 'Read the file README_MISSING_SYSCALL_OR_IOCTL\.$' \
	    -e 'Nevertheless we consider this a bug\.  Please report$' \
	    -e 'it at http://valgrind.org/support/bug_reports.html\.$' "$1"
}
logs=0
bad=0
for f in "$TMP"/vg.*.log; do
	[ -f "$f" ] || continue
	logs=$((logs + 1))
	if known_warning "$f" | grep -q .; then
		bad=$((bad + 1))
		echo "# valgrind report from $(basename "$f"):"
		sed -n '1,60p' "$f" | sed 's/^/#   /'
	fi
done
n=$((n + 1))
if [ "$logs" -gt 0 ] && [ "$bad" -eq 0 ]; then
	echo "ok $n - valgrind: no errors or definite leaks in $logs kefud runs"
else
	echo "not ok $n - valgrind: $bad of $logs kefud runs reported errors or leaks"
	fail=1
fi
echo "1..$n"
exit $fail
