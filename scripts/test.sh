#!/bin/sh
# test.sh - build kefu and run every test: the unit, protocol, console and
# SSH suites (make check) in a normal -Werror build, the same suites again
# under AddressSanitizer + UBSan, a short fuzzing run, the scenario suite
# under valgrind, and the long robustness checks. Ends with one line
# "N passed, N failed, N skipped".
#
# KEFU_QUICK=1 skips the sanitizer, fuzz, valgrind and robustness stages.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/deps.sh --test || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }
jobs=$(nproc)
status=0
results="$top/build-results"
rm -rf "$results"; mkdir -p "$results"
touch "$results/all.trs"

stage() { echo; echo "=== $*"; }

build_and_check() {	# dir configure-args...
	d=$1; shift
	rm -rf "$d"; mkdir -p "$d"
	if ! ( cd "$d" && "$top/configure" -q "$@" && make -s -j"$jobs" ) \
	    >"$results/$d-build.log" 2>&1; then
		echo "build in $d failed:"; tail -40 "$results/$d-build.log"
		echo ":test-result: FAIL" >>"$results/all.trs"
		status=1
		return 1
	fi
	if ! ( cd "$d" && make -s -j"$jobs" check ) >"$results/$d-check.log" 2>&1; then
		status=1
		# a build error in the tests leaves no .trs behind: count it
		grep -q "^\(FAIL\|ERROR\):" "$results/$d-check.log" || {
			echo ":test-result: FAIL" >>"$results/all.trs"
			echo "make check in $d failed:"; tail -30 "$results/$d-check.log"; }
	fi
	grep -E "^(# |(FAIL|XPASS|ERROR|SKIP):)" "$results/$d-check.log" || true
	trs=$(find "$d" -name '*.trs')
	[ -n "$trs" ] && cat $trs >>"$results/all.trs"
	for f in $(grep -l ":test-result: \(FAIL\|ERROR\)" $trs /dev/null); do
		echo "--- ${f%.trs}.log"; grep -v "^ok " "${f%.trs}.log" | tail -30
	done
}

stage "build (-Werror) and make check"
build_and_check build --enable-werror

if [ "${KEFU_QUICK:-0}" != 1 ]; then
	stage "AddressSanitizer + UBSan build and make check"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build_and_check build-asan --enable-werror --enable-sanitizers

	for extra in tests/fuzz/run-fuzz.sh tests/robust/valgrind-scenarios.sh \
	    tests/robust/run-robust.sh; do
		[ -f "$extra" ] || continue
		stage "$extra"
		name=$(basename "$extra" .sh)
		out="$results/$name.tap"
		KEFUD="$top/build/server/kefud" KEFU="$top/build/tui/kefu" \
		KEFUD_SSH="$top/build/server/kefud-ssh" top_builddir="$top/build" \
		top_srcdir="$top" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
			sh "$extra" >"$out" 2>"$results/$name.err"
		rc=$?
		grep -v "^ok " "$out" | tail -40
		grep -c "^ok " "$out" | sed 's/$/ ok/'
		grep '^ok ' "$out" | sed 's/.*/:test-result: PASS/' >>"$results/all.trs"
		grep '^not ok ' "$out" | grep -v '# TODO' | sed 's/.*/:test-result: FAIL/' >>"$results/all.trs"
		if [ $rc -eq 0 ] && ! grep -q "^\(not \)\?ok " "$out"; then
			echo ":test-result: PASS" >>"$results/all.trs"	# no TAP: its exit status
		fi
		if [ $rc -ne 0 ]; then
			echo ":test-result: FAIL" >>"$results/all.trs"
			echo "$extra exited $rc"; tail -20 "$results/$name.err"
			status=1
		fi
	done
fi

passed=$(grep -c "^:test-result: \(PASS\|XFAIL\)" "$results/all.trs")
failed=$(grep -c "^:test-result: \(FAIL\|XPASS\|ERROR\)" "$results/all.trs")
skipped=$(grep -c "^:test-result: SKIP" "$results/all.trs")
[ "$failed" -gt 0 ] && status=1
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
