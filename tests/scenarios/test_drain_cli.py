"""`kefud drain` (issue 12 maintenance): the subcommand finds the kefud
running on the same configuration's database, starts its SIGTERM drain
with the --timeout it gives (here shutdown.drain_timeout is 0, so a plain
SIGTERM would stop at once), prints the chats in progress as they change,
and returns 0 once kefud has stopped; new visitors meanwhile get the
maintenance notice; with nothing in progress kefud stops at once; no
running kefud and bad arguments are errors."""
import os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()


def drain(srv, *args):
    return subprocess.Popen([srv.binary, "-c", srv.config_path, "drain"] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=srv.dir)


def line_with(p, word, timeout=30):
    """Read the drain command's output until a line holds word."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        ln = p.stdout.readline()
        if not ln:
            break
        seen.append(ln.strip())
        if word in ln:
            return ln.strip(), seen
    return None, seen


def serving():
    s = Server(extra={"shutdown": {"drain_timeout": 0}}).start()
    a = s.client(); a.login("alice")
    v = s.client()
    h = v.hello("name=V group=tech :help")
    a.ok("ACCEPT " + h["chat"])
    return s, a, v, h["chat"]


# -- a drain that ends when the chat ends
srv, a, v, chat = serving()
try:
    p = drain(srv, "--timeout", "120")
    ln, seen = line_with(p, "is draining")
    t.ok(ln is not None and "pid %d" % srv.proc.pid in ln,
         "kefud drain names the running kefud's pid", seen)
    ev = a.expect_event("MAINT on", 20)
    t.ok(ev is not None and kv(ev).get("by") == "drain", "agents get * MAINT on by=drain", ev)
    ln, seen = line_with(p, "in progress")
    t.ok(ln is not None and ln.startswith("kefud drain: 1 chat in progress"),
         "it prints the chat in progress", seen)
    t.ok(srv.alive(), "kefud goes on while the chat is in progress (drain_timeout 0 in the config)")
    n = srv.client()
    final, _ = n.cmd("HELLO group=sales :hi")
    t.ok(final is not None and kv(final).get("closed") == "maint", "a new visitor: closed=maint", final)
    final, _ = v.cmd("SAY :still there?")
    t.ok(final is not None and final.startswith("OK seq="), "the chat in progress goes on", final)
    t.eq(a.cmd("END " + chat)[0], "OK", "the agent ends the chat")
    ln, seen = line_with(p, "has stopped")
    t.ok(ln is not None, "kefud drain says kefud has stopped", seen)
    t.eq(p.wait(30), 0, "kefud drain exits 0")
    t.eq(srv.proc.wait(30), 0, "kefud exited 0")
    t.ok("drain asked for by pid %d" % p.pid in srv.log(), "kefud logs who asked for the drain")
finally:
    srv.cleanup()

# -- a chat that does not end: cut at the drain's own timeout
srv, a, v, chat = serving()
try:
    t0 = time.time()
    p = drain(srv, "--timeout=2")
    out, err = p.communicate(timeout=60)
    t.eq(p.returncode, 0, "--timeout=2: kefud drain exits 0 once kefud stopped")
    t.ok(time.time() - t0 >= 1.5 and "has stopped" in out,
         "not before the timeout, and says so", out)
    t.eq(srv.proc.wait(30), 0, "kefud exited 0 at the timeout")
finally:
    srv.cleanup()

# -- nothing in progress: stops at once
srv = Server().start()
try:
    p = drain(srv)
    out, err = p.communicate(timeout=60)
    t.ok(p.returncode == 0 and "has stopped" in out, "no chat in progress: kefud stops at once",
         (out, err))
    t.eq(srv.proc.wait(30), 0, "and exits 0")
    # -- nothing running now
    p = drain(srv)
    out, err = p.communicate(timeout=60)
    t.ok(p.returncode == 1 and "no kefud is running on" in err and srv.db in err,
         "no running kefud: exit 1, naming the database", err)
    for args in (["--timeout", "0"], ["--timeout", "abc"], ["--timeout", "86401"],
                 ["--timeout", ""], ["extra"], ["--bogus"]):
        p = drain(srv, *args)
        out, err = p.communicate(timeout=60)
        t.ok(p.returncode == 2 and err, "drain %s: usage error, exit 2" % " ".join(args), err)
finally:
    srv.cleanup()
t.done()
