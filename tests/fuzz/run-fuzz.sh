#!/bin/sh
# run-fuzz.sh [SECONDS] - build kefu's libFuzzer targets with clang and run
# each for SECONDS (default 60) on a scratch copy of its seed corpus.
#
# Why a script and not automake: libFuzzer needs clang and
# -fsanitize=fuzzer, which the normal (gcc) build does not; the same harness
# code is still compiled and replayed by `make check` (tests/fuzz/replay.c).
#
# Needs the Debian packages clang (clang-14) and libclang-rt-14-dev (the
# libFuzzer/ASan/UBSan runtimes; a Recommends of clang, so install it
# explicitly when using --no-install-recommends), plus libyaml-dev,
# libwslay-dev, libhttp-parser-dev and libssl-dev.
#
# Prints one summary line per target; exits non-zero if a target does not
# build, or finds a crash, a leak, a timeout or a broken invariant. The
# scratch directory (logs, grown corpus, crash inputs) is removed on success
# and kept, with its path printed, on failure. CLANG= picks the compiler,
# KEEP=1 keeps the scratch directory anyway, FUZZ_TARGETS="fuzz_proto"
# runs only the targets named.
set -u

secs=${1:-60}
case $secs in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cc=${CLANG:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/kefu-fuzz.XXXXXX") || exit 2
failed=0

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz: $cc not found: apt-get install clang libclang-rt-14-dev" >&2
	exit 2
fi
yaml_cflags=$(pkg-config --cflags yaml-0.1 2>/dev/null) || yaml_cflags=
yaml_libs=$(pkg-config --libs yaml-0.1 2>/dev/null) || yaml_libs=-lyaml

flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
 -fno-omit-frame-pointer -D_GNU_SOURCE -I$top/proto -I$top/server -I$top"

build() { # name sources... [-- extra flags]
	name=$1
	shift
	# shellcheck disable=SC2086
	if ! "$cc" $flags "$@" -o "$work/$name" >"$work/$name.build.log" 2>&1; then
		echo "run-fuzz: $name: build failed (log: $work/$name.build.log)" >&2
		sed 's/^/  /' "$work/$name.build.log" | head -20 >&2
		if grep -q 'libclang_rt.fuzzer\|cannot find.*fuzzer' "$work/$name.build.log"; then
			echo "run-fuzz: libFuzzer runtime missing: apt-get install libclang-rt-14-dev" >&2
		fi
		return 1
	fi
}

stat_of() { # log key
	sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

run() { # name corpus-subdir dict
	name=$1
	mkdir -p "$work/$name.corpus" "$work/$name.crashes"
	cp "$top/tests/fuzz/corpus/$2"/* "$work/$name.corpus/" 2>/dev/null
	seeds=$(find "$work/$name.corpus" -type f | wc -l)
	start=$(date +%s)
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$work/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -dict="$top/tests/fuzz/$3" \
	    -artifact_prefix="$work/$name.crashes/" \
	    "$work/$name.corpus" >"$work/$name.log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(stat_of "$work/$name.log" number_of_executed_units)
	rate=$(stat_of "$work/$name.log" average_exec_per_sec)
	cov=$(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -n 1)
	now=$(find "$work/$name.corpus" -type f | wc -l)
	crashes=$(find "$work/$name.crashes" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		verdict=OK
	else
		verdict=FAIL
		failed=1
	fi
	echo "$name: $verdict execs=${execs:-?} time=$((end - start))s" \
	    "exec/s=${rate:-?} ${cov:-cov: ?} corpus=$seeds->$now crashes=$crashes"
	if [ "$verdict" = FAIL ]; then
		grep -E 'ERROR|SUMMARY|invariant broken|runtime error|Test unit written' \
		    "$work/$name.log" | head -10 | sed 's/^/  /'
	fi
}

build fuzz_proto "$top/tests/fuzz/fuzz_proto.c" "$top"/proto/*.c || failed=1
# shellcheck disable=SC2086
build fuzz_config $yaml_cflags "$top/tests/fuzz/fuzz_config.c" \
    "$top/server/config.c" "$top/server/config_group.c" "$top/server/config_region.c" "$top/server/netaddr.c" "$top/server/hours.c" "$top/server/wrapup.c" "$top"/proto/*.c $yaml_libs || failed=1
# shellcheck disable=SC2086
build fuzz_http $yaml_cflags "$top/tests/fuzz/fuzz_http.c" \
    "$top/server/http_req.c" "$top/server/wsframe.c" "$top/server/config.c" "$top/server/config_group.c" "$top/server/config_region.c" "$top/server/netaddr.c" "$top/server/hours.c" "$top/server/wrapup.c" \
    "$top"/proto/*.c $yaml_libs -lwslay -lhttp_parser -lcrypto || failed=1
[ "$failed" -eq 0 ] || { echo "run-fuzz: kept $work" >&2; exit 1; }

for t in ${FUZZ_TARGETS:-fuzz_proto fuzz_config fuzz_http}; do
	case $t in
	fuzz_proto) run fuzz_proto proto proto.dict ;;
	fuzz_config) run fuzz_config config config.dict ;;
	fuzz_http) run fuzz_http http http.dict ;;
	*) echo "run-fuzz: unknown target $t" >&2; failed=1 ;;
	esac
done

if [ "$failed" -ne 0 ] || [ "${KEEP:-0}" = 1 ]; then
	echo "run-fuzz: logs, corpora and crash inputs kept in $work"
else
	rm -rf "$work"
fi
exit "$failed"
