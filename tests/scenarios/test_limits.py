"""Connection limits (limits.anon_timeout, limits.per_addr_max,
limits.unix_reserved): a connection that does not say who it is within
anon_timeout gets ERR TIMEOUT and is closed, whatever else it sends, while
logged-in staff and visitors stay; one TCP address may hold per_addr_max
connections (the next gets ERR LIMIT), others are not affected and a
closed one frees its place; TCP is refused at max_clients - unix_reserved
while the unix socket still gets in, up to max_clients.

The timeout is checked by order, not by a clock: a connection opened after
another one has timed out only after that one. Other addresses are real:
127.0.0.2, .3, ... reach the server over loopback as themselves."""
import os, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, Client, raw_recv, raw_first_line as first_line

TIMEOUT = 1


def raw(srv, src="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", srv.port), 30,
                                 source_address=(src, 0))
    s.settimeout(30)
    return s


def at_eof(s):
    """The server closes s (what it sends first is read and dropped)."""
    try:
        raw_recv(s)
        return s.recv(1) == b""
    except OSError:
        return False


def settled(srv, held):
    """Until kefud has closed every connection but the `held` ones we
    keep (Server.start's probe among them); the log says both."""
    deadline = time.time() + 60
    while time.time() < deadline:
        log = srv.log()
        if log.count("] connection ") - log.count("] closing fd ") == held:
            return True
        time.sleep(0.05)
    return False


t = Tap()

# -- the pre-login timeout
srv = Server(extra={"limits": {"anon_timeout": TIMEOUT}}).start()
try:
    t0 = time.time()
    x = raw(srv)
    a = srv.client(); a.login("alice")
    v = srv.client(); v.hello("name=stays group=tech :hi")
    p = raw(srv)
    p.sendall(b"PING busy\n")
    t.eq(first_line(p), "OK PONG busy", "an anonymous connection may PING")
    z = raw(srv)
    line = first_line(x)
    took = time.time() - t0
    t.ok(line is not None and line.startswith("ERR TIMEOUT "),
         "silent for anon_timeout: ERR TIMEOUT", line)
    t.ok(took >= TIMEOUT, "not before anon_timeout (%.1f s)" % took)
    t.ok(at_eof(x), "then the server closes it")
    line = first_line(p)
    t.ok(line is not None and line.startswith("ERR TIMEOUT ") and at_eof(p),
         "a PING does not count as saying who one is: ERR TIMEOUT too", line)
    # z came after alice and the visitor: once it has timed out, so
    # would they have
    line = first_line(z)
    t.ok(line is not None and line.startswith("ERR TIMEOUT "), "a later one times out too", line)
    final, _ = a.cmd("PING still")
    t.eq(final, "OK PONG still", "the logged-in agent is not timed out")
    final, _ = v.cmd("SAY :still here")
    t.ok(final is not None and final.startswith("OK seq="), "nor is the visitor", final)
    final, _ = a.cmd("LOGOUT")
    t.ok(final is not None and final.startswith("OK"), "the agent logs out, staying connected", final)
    line = None
    while True:
        line = a.readline(30)
        if line is None or line.startswith("ERR TIMEOUT "):
            break
    t.ok(line is not None, "anonymous again: after anon_timeout ERR TIMEOUT", line)
    t.ok(srv.log().count("no login within") >= 4, "kefud logged the timeouts")
finally:
    srv.cleanup()

# -- per-address cap and the unix socket's reserve
PER_ADDR, RESERVED, MAX = 3, 4, 16
srv = Server(extra={"limits": {"anon_timeout": 0, "per_addr_max": PER_ADDR,
                               "unix_reserved": RESERVED, "max_clients": MAX}}).start()
held = []
try:
    t.ok(settled(srv, 0), "kefud has closed its start-up probe")
    three = [raw(srv, "127.0.0.3") for _ in range(PER_ADDR)]
    for s in three:
        s.sendall(b"PING\n")
    t.ok(all(first_line(s) == "OK PONG" for s in three),
         "%d connections from one address are served" % PER_ADDR)
    extra = raw(srv, "127.0.0.3")
    line = first_line(extra)
    t.ok(line is not None and line.startswith("ERR LIMIT ") and "address" in line,
         "one more from it: ERR LIMIT", line)
    t.ok(at_eof(extra), "and it is closed")
    other = raw(srv, "127.0.0.4")
    other.sendall(b"PING\n")
    t.eq(first_line(other), "OK PONG", "another address is not affected")
    three.pop().close()
    deadline, line = time.time() + 60, None
    while time.time() < deadline:
        s = raw(srv, "127.0.0.3")
        s.sendall(b"PING\n")
        line = first_line(s)
        if line == "OK PONG":
            three.append(s)
            break
        s.close()
        time.sleep(0.05)
    t.eq(line, "OK PONG", "a closed connection frees its address's place")
    held = three + [other]

    # TCP up to MAX - RESERVED, from fresh addresses
    n, addr, refused = len(held), 30, None
    while n < MAX:
        s = raw(srv, "127.0.0.%d" % (addr // PER_ADDR))
        addr += 1
        s.sendall(b"PING\n")
        line = first_line(s)
        if line != "OK PONG":
            refused = line
            s.close()
            break
        held.append(s)
        n += 1
    t.eq(n, MAX - RESERVED, "TCP connections are served up to max_clients - unix_reserved")
    t.ok(refused is not None and refused.startswith("ERR LIMIT ") and "full" in refused,
         "the next TCP one: ERR LIMIT server full", refused)
    unix = []
    for i in range(RESERVED):
        c = Client(sock=srv.sock)
        unix.append(c)
        final, _ = c.cmd("PING")
        if final != "OK PONG":
            break
    t.eq(len(unix), RESERVED, "the unix socket still gets in")
    final, _ = unix[0].cmd("LOGIN bob :bob123")
    t.ok(final is not None and final.startswith("OK name=bob"),
         "and staff can log in over it while TCP is full", final)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(srv.sock)
    line = first_line(s)
    t.ok(line is not None and line.startswith("ERR LIMIT ") and "full" in line,
         "past max_clients the unix socket is full too", line)
    s.close()
    for c in unix:
        c.close()
    t.ok(srv.alive(), "kefud is still running")
finally:
    for s in held:
        s.close()
    srv.cleanup()
t.done()
