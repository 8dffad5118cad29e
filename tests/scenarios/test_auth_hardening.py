"""Logins under attack (issue 9 defect 2; issue 15 items 3, 6, 8, 9, 11, 12):
checks still in the password worker count toward auth.max_failures; a
success clears only that account's failures on that address; ERR THROTTLE
says how long to wait; over-long passwords are refused before the hasher;
a killed password worker comes back; a forged log line stays one line;
the gateway's AUTHPASS/AUTHKEY take addr= only from its own position and
only as an IP address, and refuse user names that are no account names;
tickets are single-use, unix-socket only and throttled; PASSWD of one's own
account needs the old password and revokes the rest; USERDEL takes the
account's SSH keys with it."""
import os, re, signal, sqlite3, stat, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, child_pids, kv, text, wait_for

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkLQy7ZpW8m4XcT5Xw0F2vQ1tQe0vT2wz9j7pKkQ1 "
       "bob@laptop")
THROTTLE_RE = re.compile(r"^ERR THROTTLE too many failed logins; retry in (\d+) s$")

t = Tap()
servers = []


def start(extra=None, gateway=False):
    s = Server(extra=extra)
    if gateway:
        s.fake_gateway()
    servers.append(s)
    return s.start()


def gateway_client(s):
    g, final = s.gateway_client()
    t.ok(final == "OK", "the gateway logs in with its secret", final)
    return g


def gone_or_zombie(pid):
    """True once pid has exited (reaped, or a zombie not yet reaped); the
    process may be reaped between any two reads, so a vanished file is
    an answer, not an error."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(") ", 1)[1][0] == "Z"
    except (OSError, IndexError):
        return True


def authd_pids(s):
    out = []
    for pid in child_pids(s.proc.pid):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "kefud-authd":
                    out.append(pid)
        except OSError:
            pass
    return out


try:
    # ------------------------------------------------------------------
    s1 = start({"auth": {"max_failures": 5, "window": 60}})

    # -- over-long passwords never reach the hasher (item 8)
    c = s1.client()
    final, _ = c.cmd("LOGIN bob :" + "x" * 300)
    t.eq(final, "ERR ARGS password too long (at most 256 bytes)",
         "LOGIN with a 300-byte password: ERR ARGS before any check")
    final, _ = c.cmd("LOGIN bob :" + "x" * 256)
    t.ok(final.startswith("ERR AUTH"), "a 256-byte password is still checked", final)
    adm = s1.client(unix=True)
    adm.login("admin")
    final, _ = adm.cmd("USERADD zed agent :" + "y" * 257)
    t.ok(final.startswith("ERR ARGS password too long"), "USERADD with 257 bytes: ERR ARGS", final)
    final, _ = adm.cmd("PASSWD bob :" + "y" * 400)
    t.ok(final.startswith("ERR ARGS password too long"), "PASSWD with 400 bytes: ERR ARGS", final)

    # -- a forged log line stays one line (item 12): a second failure on TCP
    before = s1.log()
    final, _ = c.cmd("LOGIN evil\\n2026-01-01\\s00:00:00\\skefud[info]\\sadmin\\slogged\\sin :x")
    t.ok(final.startswith("ERR AUTH"), "a name with an escaped newline: ERR AUTH", final)
    line = wait_for(lambda: [l for l in s1.log()[len(before):].splitlines() if "evil" in l])
    forged = [l for l in s1.log()[len(before):].splitlines() if "admin logged in" in l]
    t.ok(line and len(line) == 1 and "failed login for 'evil\\n2026" in line[0]
         and len(forged) == 1 and forged[0] == line[0],
         "the failed login is one log line, the newline written as \\n", line)

    # -- ten simultaneous wrong LOGINs: the pending checks count (defect 2a)
    many = [s1.client() for _ in range(10)]
    for i, m in enumerate(many):
        m.send("LOGIN carol :wrong-%d" % i)
    answers = [m.readline(10) for m in many]
    auth = [a for a in answers if a and a.startswith("ERR AUTH")]
    thr = [a for a in answers if a and THROTTLE_RE.match(a)]
    t.ok(len(auth) == 3 and len(thr) == 7,
         "10 simultaneous wrong logins with 2 failures before and max 5: 3 ERR AUTH, 7 ERR THROTTLE",
         answers)
    final, _ = c.cmd("LOGIN carol :carol123")
    mt = THROTTLE_RE.match(final or "")
    t.ok(mt is not None and 1 <= int(mt.group(1)) <= 60,
         "ERR THROTTLE says how many seconds to wait (1..60): " + repr(final))
    for m in many:
        m.close()

    # -- a success clears only that account's failures (defect 2b), unix socket
    u = s1.client(unix=True)
    for i in range(4):
        final, _ = u.cmd("LOGIN carol :guess-%d" % i)
        t.ok(final.startswith("ERR AUTH"), "guess %d at carol: ERR AUTH" % i, final)
    ok = s1.client(unix=True)
    final, _ = ok.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("OK name=bob"), "bob logs in from the same address", final)
    final, _ = u.cmd("LOGIN carol :guess-4")
    t.ok(final.startswith("ERR AUTH"), "a fifth guess at carol: ERR AUTH", final)
    final, _ = u.cmd("LOGIN carol :carol123")
    t.ok(THROTTLE_RE.match(final or ""),
         "bob's success did not wipe carol's failures: even her right password is throttled", final)
    final, _ = ok.cmd("PING")
    t.eq(final, "OK PONG", "bob's session is unaffected")

    # ------------------------------------------------------------------
    s2 = start({"auth": {"max_failures": 3, "window": 60}}, gateway=True)
    g = gateway_client(s2)

    # -- AUTHPASS/AUTHKEY arguments (issue 15 item 3)
    final, _ = g.cmd("AUTHPASS addr=local :wrong")
    t.ok(final.startswith("ERR ARGS bad user name"),
         "AUTHPASS with the user name 'addr=local': ERR ARGS, no lookup", final)
    for bad in ("bob addr=local", "bob addr=1.2.3.4.5", "bob addr=", "bob x=1.2.3.4"):
        final, _ = g.cmd("AUTHPASS %s :wrong" % bad)
        t.ok(final.startswith("ERR ARGS"), "AUTHPASS %s: ERR ARGS" % bad, final)
    final, _ = g.cmd("AUTHKEY b\\so addr=10.0.0.1 :" + KEY)
    t.ok(final.startswith("ERR ARGS bad user name"), "AUTHKEY with a space in the name: ERR ARGS", final)
    for i in range(3):
        final, _ = g.cmd("AUTHPASS bob addr=10.0.0.1 :wrong-%d" % i)
        t.ok(final.startswith("ERR AUTH"), "AUTHPASS wrong %d from 10.0.0.1: ERR AUTH" % i, final)
    final, _ = g.cmd("AUTHPASS bob addr=10.0.0.1 :bob123")
    t.ok(THROTTLE_RE.match(final or ""), "then 10.0.0.1 is throttled, with the wait", final)
    final, _ = g.cmd("AUTHPASS bob addr=2001:db8::1 :bob123")
    t.eq(final, "OK role=agent", "an IPv6 addr is accepted and not throttled")
    # an IPv6 client counts with its /64 (limits.ipv6_prefix): three
    # failures spread over three addresses of one /64 throttle all of it
    for i in range(3):
        final, _ = g.cmd("AUTHPASS bob addr=2001:db8:5:6::%x :wrong-%d" % (i + 1, i))
        t.ok(final.startswith("ERR AUTH"), "a wrong password from 2001:db8:5:6::%x" % (i + 1), final)
    final, _ = g.cmd("AUTHPASS bob addr=2001:db8:5:6:ffff:1:2:3 :bob123")
    t.ok(THROTTLE_RE.match(final or ""),
         "a fourth address of the same /64 is throttled with the others", final)
    final, _ = g.cmd("AUTHPASS bob addr=2001:db8:5:7::1 :bob123")
    t.eq(final, "OK role=agent", "the next /64 is not")
    final, _ = g.cmd("AUTHPASS bob addr=::ffff:10.0.0.1 :bob123")
    t.ok(THROTTLE_RE.match(final or ""),
         "an IPv4-mapped IPv6 address counts as its IPv4 address (throttled)", final)
    final, _ = g.cmd("AUTHPASS bob addr=unknown :bob123")
    t.eq(final, "OK role=agent", "the gateway's literal 'unknown' is accepted")
    v = s2.client(unix=True)
    final, _ = v.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("OK name=bob"), "the unix socket's own address is not throttled", final)
    v.close()
    # per-account success through the gateway
    for i in range(2):
        g.cmd("AUTHPASS carol addr=10.0.0.3 :wrong-%d" % i)
    final, _ = g.cmd("AUTHPASS bob addr=10.0.0.3 :bob123")
    t.eq(final, "OK role=agent", "bob via SSH from 10.0.0.3")
    final, _ = g.cmd("AUTHPASS carol addr=10.0.0.3 :wrong-2")
    t.ok(final.startswith("ERR AUTH"), "third guess at carol", final)
    final, _ = g.cmd("AUTHPASS carol addr=10.0.0.3 :carol123")
    t.ok(THROTTLE_RE.match(final or ""), "bob's SSH login did not clear carol's failures", final)

    # -- tickets (item 9)
    final, _ = g.cmd("MKTICKET bob")
    tok = kv(final).get("token")
    t.ok(final.startswith("OK token=") and tok, "MKTICKET bob", final)
    tcp = s2.client()
    final, _ = tcp.cmd("TICKET bob " + tok)
    t.ok(final.startswith("ERR DENIED"), "TICKET over TCP: ERR DENIED", final)
    k1 = s2.client(unix=True)
    final, _ = k1.cmd("TICKET bob " + tok)
    nxt = kv(final).get("ticket")
    t.ok(final.startswith("OK name=bob") and nxt and nxt != tok,
         "TICKET on the unix socket logs in and hands over the next ticket", final)
    k1.close()
    k2 = s2.client(unix=True)
    final, _ = k2.cmd("TICKET bob " + tok)
    t.ok(final.startswith("ERR AUTH"), "the same ticket a second time: ERR AUTH (single use)", final)
    final, _ = k2.cmd("TICKET bob " + nxt)
    t.ok(final.startswith("OK name=bob"), "the handed-over ticket works once", final)
    k2.close()

    # -- PASSWD: own needs the old one; a change revokes tickets, kicks (item 11)
    final, _ = g.cmd("MKTICKET carol")
    ctok = kv(final).get("token")
    cs = s2.client()
    final, _ = cs.cmd("LOGIN carol :carol123")
    t.ok(final.startswith("OK name=carol"), "carol logs in over TCP", final)
    final, _ = cs.cmd("PASSWD carol :carol-new-1")
    t.ok(final.startswith("ERR ARGS"), "her own PASSWD without old=: ERR ARGS", final)
    final, _ = cs.cmd("PASSWD carol old=not-it :carol-new-1")
    t.eq(final, "ERR AUTH wrong current password", "a wrong old password: ERR AUTH")
    final, _ = cs.cmd("PASSWD carol old=carol123 :carol-new-1")
    t.eq(final, "OK", "the right old password: OK")
    final, _ = cs.cmd("PING")
    t.eq(final, "OK PONG", "her own connection stays")
    k3 = s2.client(unix=True)
    final, _ = k3.cmd("TICKET carol " + ctok)
    t.ok(final.startswith("ERR AUTH"), "her ticket from before the change is revoked", final)
    k3.close()
    final, _ = g.cmd("MKTICKET bob")
    btok = kv(final).get("token")
    bs = s2.client()
    final, _ = bs.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("OK name=bob"), "bob logs in", final)
    ad = s2.client(unix=True)
    ad.login("admin")
    final, _ = ad.cmd("PASSWD bob :bob-new-99")
    t.eq(final, "OK", "an admin changes bob's password without his old one")
    kk = bs.expect_event("KICKED", 5)
    t.ok(kk is not None and text(kk) == "password changed",
         "bob's session gets * KICKED :password changed", kk)
    k4 = s2.client(unix=True)
    final, _ = k4.cmd("TICKET bob " + btok)
    t.ok(final.startswith("ERR AUTH"), "bob's ticket is revoked", final)
    k4.close()

    # -- USERDEL takes the SSH keys along (item 6)
    final, _ = ad.cmd("KEYADD bob :" + KEY)
    t.ok(final.startswith("OK id="), "KEYADD bob", final)
    final, _ = g.cmd("AUTHKEY bob addr=10.0.0.9 :" + KEY)
    t.eq(final, "OK role=agent", "bob's key logs in")
    final, _ = ad.cmd("USERDEL bob")
    t.eq(final, "OK", "USERDEL bob")
    final, _ = ad.cmd("USERADD bob agent :another-bob-1")
    t.eq(final, "OK", "USERADD bob again")
    final, _ = g.cmd("AUTHKEY bob addr=10.0.0.9 :" + KEY)
    t.ok(final.startswith("ERR AUTH"), "the old key does not log the new bob in", final)
    final, rows = ad.cmd("KEYS bob")
    t.eq(final, "OK 0", "the new bob has no keys")

    # -- the password worker comes back after it dies (item 8)
    pids = authd_pids(s2)
    t.eq(len(pids), 1, "one password worker runs")
    os.kill(pids[0], signal.SIGKILL)
    wait_for(lambda: gone_or_zombie(pids[0]), 10)
    final, _ = s2.client().cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice") or final.startswith("ERR INTERNAL"),
         "a login right after the kill is answered (inline, or ERR INTERNAL if its check was lost)",
         final)
    newp = wait_for(lambda: [p for p in authd_pids(s2) if p != pids[0]], 20)
    t.ok(newp, "a new password worker is started", newp)
    final, _ = s2.client().cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice"), "a later login still works", final)
    t.ok("password worker restarted" in s2.log(), "the restart is logged")
    # killed with checks in flight: each LOGIN still gets exactly one reply
    # (OK if it was checked or ran inline, ERR INTERNAL if its check was
    # lost), and the connection goes on
    # (over TCP, with one failure there so far and max 3: two may run)
    who = ["alice", "admin"]
    pw = {"alice": "alice123", "admin": "admin123"}
    cs = [s2.client() for _ in who]
    for c, n in zip(cs, who):
        c.send_raw("@w LOGIN %s :%s\n@p PING after\n" % (n, pw[n]))
    os.kill(newp[0], signal.SIGKILL)
    got = []
    for c in cs:
        lines = []
        while len(lines) < 2:
            l = c.readline(20)
            if l is None:
                break
            if not l.startswith("* "):
                lines.append(l)
        got.append(lines)
    t.ok(all(len(g) == 2 and (g[0].startswith("@w OK name=") or
                              g[0] == "@w ERR INTERNAL the password check was interrupted; try again")
             and g[1] == "@p OK PONG after" for g in got),
         "a worker killed mid-check: one reply per LOGIN, then the next line is served", got)
    t.ok(wait_for(lambda: [p for p in authd_pids(s2) if p not in (pids[0], newp[0])], 30),
         "and another worker is started after the back-off")
    t.ok(s1.alive() and s2.alive(), "both servers are still running")
finally:
    for s in servers:
        s.cleanup()
t.done()
