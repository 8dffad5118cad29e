#!/bin/sh
# run-bench.sh - `make bench`: run kefubench against kefud, Redis pub/sub
# and an IRC server (ngircd) with the same message pattern and print a table
# with ratios to kefud. Not part of `make check`; numbers go to RESULTS.md.
#
# Environment: KEFUD, KEFUBENCH (paths of the built binaries),
# BENCH_QUICK=1 for a short smoke run, BENCH_V / BENCH_A to change the
# connection counts, BENCH_PERF=prefix to `perf record` each server run,
# BENCH_STAT=events to `perf stat -e events` each server run and print the
# counts per delivered message (e.g. task-clock,syscalls:sys_enter_write),
# BENCH_CALLGRIND=prefix to run kefud under callgrind and print user-space
# instructions per message (deterministic; use a small -V/-A and a low rate),
# BENCH_PIN=0 not to pin server and generator to separate cores,
# BENCH_COMMIT_US to set kefud's store.commit_interval_us,
# BENCH_RUNS rounds of the kefud and Redis runs (default 3; medians shown),
# BENCH_MODES to pick the kefud/Redis runs (default "max 20k"),
# BENCH_SERVERS to pick servers (default "kefu redis irc"; "kefuws": kefud
# with its visitors over WebSocket, listen.http, and its agents over TCP).
# Everything runs on 127.0.0.1 in a temp dir.
set -u

KEFUD=${KEFUD:-server/kefud}
KEFUBENCH=${KEFUBENCH:-tests/bench/kefubench}
V=${BENCH_V:-10000}
A=${BENCH_A:-200}
DUR=${BENCH_DUR:-8}
RATE=${BENCH_RATE:-20000}	# the "20k" runs' offered msg/s
if [ "${BENCH_QUICK:-0}" = 1 ]; then V=${BENCH_V:-500}; A=${BENCH_A:-20}; DUR=2; fi
PW=benchpw
TMP=$(mktemp -d /tmp/kefubench.XXXXXX) || exit 1
PIDS=""
OUT="$TMP/results.txt"
: >"$OUT"

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" -lt $((V + A + 100)) ]; then
	echo "# open-file limit $(ulimit -n) is too low for $V+$A connections"
	exit 1
fi

# Server and load generator on separate cores (BENCH_PIN=0 to share them):
# otherwise the scheduler's placement of the two busy processes decides
# much of the run-to-run spread and of the latency tail.
PIN_SRV=""; PIN_GEN=""
if [ "${BENCH_PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 &&
    [ "$(nproc)" -ge 2 ]; then
	PIN_SRV="taskset -c 1"; PIN_GEN="taskset -c 0"
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {	# port pid: up to 20 s
	i=0
	while [ $i -lt 200 ]; do
		if ! kill -0 "$2" 2>/dev/null; then return 1; fi
		if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2).close()" 2>/dev/null; then
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# one run: label mode port pid extra-args...
run() {
	label=$1; mode=$2; port=$3; pid=$4; shift 4
	echo "## $label" >&2
	if [ -n "${BENCH_PERF:-}" ]; then	# profile the server once set up
		rm -f "$TMP/ready"
		(
			while [ ! -e "$TMP/ready" ]; do sleep 0.1; done
			exec perf record -q ${BENCH_PERF_ARGS:--g} -p "$pid" -o "$BENCH_PERF.$label" -- sleep "$DUR"
		) >/dev/null 2>&1 &
		PERFPID=$!
	elif [ -n "${BENCH_CALLGRIND:-}" ] && [ "$mode" = kefu ]; then
		rm -f "$TMP/ready"
		(
			while [ ! -e "$TMP/ready" ]; do sleep 0.1; done
			callgrind_control -i on "$pid"
		) >/dev/null 2>&1 &
		PERFPID=$!
	elif [ -n "${BENCH_STAT:-}" ]; then	# perf stat -e BENCH_STAT, once set up
		rm -f "$TMP/ready"
		(
			while [ ! -e "$TMP/ready" ]; do sleep 0.1; done
			exec perf stat -e "$BENCH_STAT" -p "$pid" -o "$TMP/stat.$label" -- sleep "$DUR"
		) >/dev/null 2>&1 &
		PERFPID=$!
	fi
	line=$(KEFUBENCH_READY="$TMP/ready" $PIN_GEN "$KEFUBENCH" -m "$mode" -p "$port" -S "$pid" -V "$V" -A "$A" \
	    -d "$DUR" -P "$PW" "$@" | grep '^RESULT')
	echo "$label $line dur=$DUR" >>"$OUT"
	if [ -n "${BENCH_PERF:-}${BENCH_STAT:-}${BENCH_CALLGRIND:-}" ]; then wait "$PERFPID"; fi
	if [ -n "${BENCH_CALLGRIND:-}" ] && [ "$mode" = kefu ]; then
		callgrind_control -d "$pid" >/dev/null 2>&1
		thr=$(echo "$line" | sed -n 's/.* thr=\([0-9]*\).*/\1/p')
		sleep 1
		ir=$(cat "$BENCH_CALLGRIND.$pid"* 2>/dev/null | sed -n 's/^summary: *//p' | awk '{ s += $1 } END { print s + 0 }')
		echo "# $label callgrind: $ir instructions (user space, kefud only) for $((${thr:-0} * DUR)) messages: $(awk -v i="$ir" -v n="$((${thr:-0} * DUR))" 'BEGIN { printf "%.0f", n ? i / n : 0 }') per message" >>"$TMP/stats.txt"
	fi
	if [ -n "${BENCH_STAT:-}" ]; then	# counts per delivered message
		thr=$(echo "$line" | sed -n 's/.* thr=\([0-9]*\).*/\1/p')
		awk -v n="$((${thr:-0} * DUR))" -v l="$label" '
		    $1 ~ /^[0-9.,]+$/ { gsub(",", "", $1); c = $1 + 0;
			printf "# %-10s %-32s %14.0f  %8.3f per msg\n", l, $2, c, n ? c / n : 0 }' \
		    "$TMP/stat.$label" >>"$TMP/stats.txt"
	fi
}

# ---- kefud ----
start_kefud() {	# [ws]: with the web door on $HPORT
	KPORT=$(free_port)
	HPORT=$(free_port)
	hash=$(openssl passwd -6 -salt benchsalt "$PW") || exit 1
	{
		echo "listen:"
		echo "  tcp: \"127.0.0.1:$KPORT\""
		echo "  unix: \"\""
		if [ "${1:-}" = ws ]; then
			echo "  http: \"127.0.0.1:$HPORT\""
			echo "http:"		# 10,000 visitors from 127.0.0.1
			echo "  max_per_addr: 20000"
		else
			echo "  http: \"\""
		fi
		echo "database: \"$TMP/kefu.db\""
		echo "log_level: warn"
		echo "limits:"
		echo "  max_clients: 20000"
		echo "  per_addr_max: 0"
		echo "  msg_rate: 1000000"
		echo "  msg_burst: 100000"
		if [ -n "${BENCH_COMMIT_US:-}" ]; then
			echo "store:"
			echo "  commit_interval_us: $BENCH_COMMIT_US"
		fi
		echo "auth:"		# 200 agents log in at once from 127.0.0.1:
		echo "  max_failures: 1000"	# pending checks count toward it
		echo "visitor:"		# every bench visitor is 127.0.0.1
		echo "  hello_rate: 0"
		echo "  per_addr_max: 0"
		echo "routing:"
		echo "  default_group: sales"
		echo "  answer_timeout: 3600"
		echo "groups:"
		echo "  - name: sales"
		echo "    mode: auto"
		echo "users:"
		i=0
		while [ $i -lt "$A" ]; do
			echo "  - name: bench$i"
			echo "    role: agent"
			echo "    password_hash: \"$hash\""
			echo "    groups: sales"
			echo "    max_chats: 100"
			i=$((i + 1))
		done
	} >"$TMP/kefu.yml"
	rm -f "$TMP"/kefu.db*
	if [ -n "${BENCH_CALLGRIND:-}" ]; then	# instructions counted once set up
		$PIN_SRV valgrind -q --tool=callgrind --instr-atstart=no \
		    --callgrind-out-file="$BENCH_CALLGRIND.%p" \
		    "$KEFUD" -c "$TMP/kefu.yml" >"$TMP/kefud.log" 2>&1 &
	else
		$PIN_SRV "$KEFUD" -c "$TMP/kefu.yml" >"$TMP/kefud.log" 2>&1 &
	fi
	KPID=$!
	PIDS="$PIDS $KPID"
	wait_port "$KPORT" "$KPID" || { cat "$TMP/kefud.log"; exit 1; }
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

SERVERS=${BENCH_SERVERS:-kefu redis irc}
want() { case " $SERVERS " in *" $1 "*) return 0;; esac; return 1; }

RUNS=${BENCH_RUNS:-3}
if [ "${BENCH_QUICK:-0}" = 1 ]; then RUNS=${BENCH_RUNS:-1}; fi

MODES=${BENCH_MODES:-max 20k}
mode_on() { case " $MODES " in *" $1 "*) return 0;; esac; return 1; }
kefu_round() {
	if mode_on max; then
		start_kefud; run "kefu-max" kefu "$KPORT" "$KPID" -r 0 -w 1; stop "$KPID"
	fi
	if mode_on 20k; then
		start_kefud; run "kefu-20k" kefu "$KPORT" "$KPID" -r "$RATE"; stop "$KPID"
	fi
}
kefuws_round() {	# visitors over WebSocket, agents over TCP
	if mode_on max; then
		start_kefud ws; run "kefuws-max" kefu "$KPORT" "$KPID" -H "$HPORT" -r 0 -w 1; stop "$KPID"
	fi
	if mode_on 20k; then
		start_kefud ws; run "kefuws-20k" kefu "$KPORT" "$KPID" -H "$HPORT" -r "$RATE"; stop "$KPID"
	fi
}
redis_round() {
	if mode_on max; then run "redis-max" redis "$RPORT" "$RPID" -r 0 -w 1; fi
	if mode_on 20k; then run "redis-20k" redis "$RPORT" "$RPID" -r "$RATE"; fi
}

# ---- redis ----
have() { command -v "$1" >/dev/null 2>&1; }
want_pkg() {	# binary package
	have "$1" && return 0
	if [ "$(id -u)" = 0 ] && have apt-get; then
		echo "# installing $2 with apt-get" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1
	fi
	have "$1"
}
RPID=""
if ! want redis; then
	:
elif want_pkg redis-server redis-server; then
	RPORT=$(free_port)
	$PIN_SRV redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
	    --maxclients 20000 --dir "$TMP" >"$TMP/redis.log" 2>&1 &
	RPID=$!; PIDS="$PIDS $RPID"
	if ! wait_port "$RPORT" "$RPID"; then
		echo "# SKIP redis: redis-server did not start"
		stop "$RPID"; RPID=""
	fi
else
	echo "# SKIP redis: redis-server not installed and apt-get not possible"
fi

# kefud and Redis take turns, BENCH_RUNS rounds: the table shows medians
LOAD0=$(uptime)
nround=0	# (start_kefud uses $i)
while [ $nround -lt "$RUNS" ]; do
	if want kefu; then kefu_round; fi
	if want kefuws; then kefuws_round; fi
	if [ -n "$RPID" ]; then redis_round; fi
	nround=$((nround + 1))
done
if [ -n "$RPID" ]; then stop "$RPID"; fi

# ---- ngircd ----
if ! want irc; then
	:
elif PATH="$PATH:/usr/sbin" want_pkg ngircd ngircd; then
	NGIRCD=$(PATH="$PATH:/usr/sbin" command -v ngircd)
	IPORT=$(free_port)
	cat >"$TMP/ngircd.conf" <<EOF
[Global]
	Name = bench.irc
	Info = kefu bench
	Listen = 127.0.0.1
	Ports = $IPORT
	PidFile = $TMP/ngircd.pid
	MotdPhrase = bench
[Limits]
	MaxConnections = 0
	MaxConnectionsIP = 0
	MaxJoins = 0
	MaxNickLength = 16
	MaxPenaltyTime = 0
	PingTimeout = 600
	PongTimeout = 600
[Options]
	DNS = no
	Ident = no
	PAM = no
	RequireAuthPing = no
EOF
	$PIN_SRV "$NGIRCD" -n -f "$TMP/ngircd.conf" >"$TMP/ngircd.log" 2>&1 &
	IPID=$!; PIDS="$PIDS $IPID"
	if wait_port "$IPORT" "$IPID"; then
		run "irc-max" irc "$IPORT" "$IPID" -T 30 -r 0 -w 1
		run "irc-20k" irc "$IPORT" "$IPID" -T 30 -r 20000
	else
		echo "# SKIP irc: ngircd did not start:"; sed 's/^/#   /' "$TMP/ngircd.log"
	fi
	stop "$IPID"
else
	echo "# SKIP irc: ngircd not installed and apt-get not possible"
fi

# ---- table ----
echo "# load before: ${LOAD0:-?}"
if [ -s "$TMP/stats.txt" ]; then cat "$TMP/stats.txt"; fi
echo "# load after:  $(uptime)"
python3 - "$OUT" "$V" "$A" <<'EOF'
import sys
import statistics
runs = {}
order = []
for line in open(sys.argv[1]):
    label, rest = line.split(" ", 1)
    kv = dict(w.split("=", 1) for w in rest.split()[1:])
    if label not in runs:
        runs[label] = []
        order.append(label)
    runs[label].append(kv)
# each number is the median over the runs of that label
rows = []
for label in order:
    rs = runs[label]
    med = {}
    for k in rs[0]:
        try:
            med[k] = "%g" % statistics.median(float(r[k]) for r in rs)
        except ValueError:
            med[k] = rs[0][k]
    rows.append((label, med))
base = {l.split("-")[1]: kv for l, kv in rows if l.startswith("kefu-")}
print("# %s visitors + %s agents, same pattern for every server" % (sys.argv[2], sys.argv[3]))
hdr = "%-10s %6s %9s %8s %8s %8s %7s %7s %9s %9s %6s %8s %7s" % (
    "run", "held", "msg/s", "p50 ms", "p99 ms", "p99.9", "cpu s", "gen s", "rss MB",
    "peak MB", "B/msg", "x kefu", "us/msg")
print(hdr)
for label, kv in rows:
    b = base.get(label.split("-")[1])
    ratio = float(kv["thr"]) / float(b["thr"]) if b and float(b["thr"]) > 0 else 0
    # server CPU microseconds per delivered message: less sensitive to
    # other load on the machine than msg/s (no PMU here for instructions)
    delivered = float(kv["thr"]) * float(kv.get("dur", 8))
    usm = float(kv["cpu"]) * 1e6 / delivered if delivered > 0 else 0
    print("%-10s %6s %9s %8s %8s %8s %7s %7s %9.1f %9.1f %6s %8.2f %7.2f" % (
        label, kv["held"], kv["thr"], kv["p50"], kv["p99"], kv["p999"], kv["cpu"],
        kv["gen_cpu"],
        int(kv["rss_setup_kb"]) / 1024, int(kv["hwm_kb"]) / 1024,
        kv["bytes_per_msg"], ratio, usm))
print("# kefud stores every message in SQLite before delivering it; redis and ngircd do not persist.")
if any(len(runs[l]) > 1 for l in order):
    print("# medians of %d runs; each run's msg/s and p99 ms:" % max(len(r) for r in runs.values()))
    for label in order:
        print("#   %-10s %s" % (label, "  ".join("%s/%s" % (r["thr"], r["p99"]) for r in runs[label])))
EOF
