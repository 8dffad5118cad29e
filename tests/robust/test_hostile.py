"""test_hostile - hostile clients must not hurt the others.

A "good" chat (one visitor, one agent) measures its message latency (SAY to
the agent's * MSG) before and during each attack: slow readers, slowloris
writers, a flood of connections, a flood of messages from one visitor
(which must get ERR FLOOD), a 10 MB line (ERR TOOLONG, connection usable),
half-closed sockets, a password-guessing burst (simultaneous wrong LOGINs,
over-long passwords, names with escaped newlines: at most auth.max_failures
get ERR AUTH, the rest ERR THROTTLE/ERR ARGS, and no forged log line). Each attack passes if kefud is alive, the attack got
the documented answer, and the good chat's worst latency stays under
LAT_MAX seconds. Run from tests/robust/run-robust.sh and `make check`.

LAT_MAX is generous (1 s; HOSTILE_LAT_MAX to change it): a loop that an
attack blocks shows as seconds or a lost message, while a busy 2-core
machine's scheduling delays stay well below it. Each probe starts once
kefud holds the attack's connections (counted in /proc), not after a sleep.
"""
import os
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests", "scenarios"))
from kefutest import Server, Tap, latency_probe as probe, raw_recv  # noqa: E402

LAT_MAX = float(os.environ.get("HOSTILE_LAT_MAX", "1.0"))


def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


def wait_accepted(srv, base, n, timeout=60):
    """Until kefud holds n more descriptors than base (the attack's
    connections have been accepted)."""
    deadline = time.time() + timeout
    while open_fds(srv.proc.pid) < base + n and time.time() < deadline:
        time.sleep(0.05)
    return open_fds(srv.proc.pid) >= base + n


def raw(port):
    s = socket.create_connection(("127.0.0.1", port), 30)
    s.settimeout(30)
    return s


def attack_slow_readers(srv):
    socks = []
    for _ in range(20):
        s = raw(srv.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        socks.append(s)
    req = b"HELP\n" * 2000
    for _ in range(10):
        for s in socks:
            try:
                s.setblocking(False)
                s.send(req)
            except OSError:
                pass
    return socks, "slow readers (20 conns requesting HELP, never reading)"


def attack_slowloris(srv):
    socks = [raw(srv.port) for _ in range(200)]
    for s in socks:
        s.sendall(b"PIN")
    stop = threading.Event()

    def drip():
        while not stop.is_set():
            for s in socks:
                try:
                    s.send(b"G")
                except OSError:
                    pass
            stop.wait(0.1)
    th = threading.Thread(target=drip, daemon=True)
    th.start()
    return (socks, stop, th), "slowloris (200 conns dripping one byte per 100 ms)"


def nofile_raise():
    """Raise our (and the kefud we start) open-file limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError):
            pass
    return soft


FLOOD = 2000


def attack_conn_flood(srv):
    socks = []
    for _ in range(FLOOD):
        try:
            socks.append(socket.create_connection(("127.0.0.1", srv.port), 30))
        except OSError:
            break
    return socks, "connection flood (%d idle connections)" % len(socks)


GUESSERS = 100


def attack_login_guessing(srv):
    """GUESSERS connections at once, each with three wrong LOGINs: a plain
    guess, a 300-byte password, a name with an escaped newline that would
    forge a log line if written raw."""
    socks = [raw(srv.port) for _ in range(GUESSERS)]
    for i, s in enumerate(socks):
        s.sendall(("@g LOGIN carol :guess-%d\n@g LOGIN carol :%s\n"
                   "@g LOGIN x\\nFORGED\\skefud[info]\\sadmin :y\n@p PING end\n"
                   % (i, "p" * 300)).encode())
    return socks, "password guessing (%d conns x 3 wrong LOGINs at once)" % GUESSERS


def login_answers(socks):
    """The @g replies of the guessing connections, read up to each one's
    closing PING."""
    out = []
    for s in socks:
        got = raw_recv(s, b"@p OK PONG end")
        out += [l for l in got.decode(errors="replace").splitlines() if l.startswith("@g ")]
    return out


def cleanup(res):
    if isinstance(res, tuple):
        socks, stop, th = res
        stop.set()
        th.join(2)
    else:
        socks = res
    for s in socks:
        s.close()


def main():
    global FLOOD
    t = Tap()
    # the flood must leave room for our own sockets and the others' (~300)
    FLOOD = max(100, min(FLOOD, nofile_raise() - 400))
    # (per_addr_max 0: the attacks' connections stand for many clients;
    # test_idle_flood.py attacks with the caps on)
    srv = Server(extra={"log_level": "warn",
                        "limits": {"msg_rate": 10, "msg_burst": 30,
                                   "max_clients": 5000, "per_addr_max": 0}})
    srv.start_for(t)
    try:
        agent, vis, chat = srv.served_chat(group="sales", accept=False)
        chat = int(chat)
        # the probe itself must stay under the rate limit: 20 msgs, burst 30
        base = probe(vis, agent, chat, 10)
        t.ok(base is not None and base < LAT_MAX,
             "baseline latency %.1f ms" % (1000 * (base or 0)))

        for attack in (attack_slow_readers, attack_slowloris, attack_conn_flood):
            base = open_fds(srv.proc.pid)
            res, what = attack(srv)
            socks = res[0] if isinstance(res, tuple) else res
            if attack is not attack_slow_readers:   # (those may be dropped)
                t.ok(wait_accepted(srv, base, len(socks)),
                     "%s: kefud holds all %d" % (what, len(socks)))
            vis = srv.client()   # fresh visitor token bucket per probe
            chat = int(vis.hello("name=good group=sales :hi")["chat"])
            agent.expect_event("ASSIGN %d" % chat, 30)
            lat = probe(vis, agent, chat, 10)
            t.ok(srv.alive() and lat is not None and lat < LAT_MAX,
                 "%s: others served, worst latency %.1f ms" % (what, 1000 * (lat or 0)))
            cleanup(res)
            vis.cmd("END")

        # one visitor floods messages: ERR FLOOD with a clear text
        flooder = srv.client()
        flooder.hello("name=flood group=sales :x")
        flooder.send_raw("".join("@f%d SAY :spam %d\n" % (i, i) for i in range(500)))
        floods = 0
        for _ in range(500):
            line = flooder.readline(30)
            if line is None:
                break
            if line.startswith("@f") and " ERR FLOOD " in line:
                floods += 1
        t.ok(floods > 0, "message flood from one visitor gets ERR FLOOD (%d times)" % floods)
        vis = srv.client()
        chat = int(vis.hello("name=good group=sales :hi")["chat"])
        agent.expect_event("ASSIGN %d" % chat, 30)
        lat = probe(vis, agent, chat, 10)
        t.ok(lat is not None and lat < LAT_MAX,
             "after the flood, others served, worst latency %.1f ms" % (1000 * (lat or 0)))

        # a 10 MB line: ERR TOOLONG, then the connection still works
        s = raw(srv.port)
        chunk = b"x" * 65536
        t0 = time.time()
        try:
            for _ in range(160):
                s.sendall(chunk)
            s.sendall(b"\nPING after\n")
            got = raw_recv(s, b"PONG after")
        except OSError as e:
            got = str(e).encode()
        t.ok(b"ERR TOOLONG" in got and b"OK PONG after" in got,
             "10 MB line: ERR TOOLONG and the connection still works (%.2fs)"
             % (time.time() - t0), got[:200])
        s.close()

        # half-closed sockets: the reply still arrives, then EOF
        s = raw(srv.port)
        s.sendall(b"PING half\n")
        s.shutdown(socket.SHUT_WR)
        got = raw_recv(s)      # up to EOF
        t.ok(b"OK PONG half" in got, "half-closed socket still gets its reply", got)
        s.close()
        hs = []
        for _ in range(50):
            h = raw(srv.port)
            h.shutdown(socket.SHUT_WR)
            hs.append(h)
        lat = probe(vis, agent, chat, 10)
        t.ok(srv.alive() and lat is not None and lat < LAT_MAX,
             "50 half-closed sockets: others served, worst latency %.1f ms" % (1000 * (lat or 0)))
        for h in hs:
            h.close()

        # password guessing: the throttle holds with checks in flight
        socks, what = attack_login_guessing(srv)
        lat = probe(vis, agent, chat, 10)
        answers = login_answers(socks)
        auth = sum(1 for a in answers if a.startswith("@g ERR AUTH "))
        thr = sum(1 for a in answers if a.startswith("@g ERR THROTTLE "))
        long_pw = sum(1 for a in answers
                      if a == "@g ERR ARGS password too long (at most 256 bytes)")
        t.ok(len(answers) == 3 * GUESSERS and auth <= 5 and auth + thr + long_pw == len(answers)
             and long_pw == GUESSERS,
             "%s: %d answers, %d ERR AUTH (max 5), %d ERR THROTTLE, %d too long"
             % (what, len(answers), auth, thr, long_pw))
        t.ok(srv.alive() and lat is not None and lat < LAT_MAX,
             "%s: others served, worst latency %.1f ms" % (what, 1000 * (lat or 0)))
        forged = [l for l in srv.log().splitlines() if l.startswith("FORGED")]
        t.ok(not forged, "no log line starts with a client's text", forged[:2])
        cleanup(socks)
    finally:
        srv.cleanup()
    t.done()


main()
