"""SIGTERM with shutdown.drain_timeout: kefud drains instead of stopping at
once. New visitors are turned away with the maintenance notice and may
leave a message (closed=maint), agents get * MAINT on by=drain, the chat in
progress goes on, and kefud stops (exit 0) when it ends; a chat that does
not end is cut at the timeout; a second SIGTERM stops at once; with no chat
in progress SIGTERM stops at once."""
import os, signal, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()


def exited(srv, timeout):
    try:
        srv.proc.wait(timeout)
        return srv.proc.returncode
    except Exception:
        return None


def serving(drain):
    s = Server(extra={"shutdown": {"drain_timeout": drain}}).start()
    a = s.client(); a.login("alice")
    v = s.client()
    h = v.hello("name=V group=tech :help")
    a.ok("ACCEPT " + h["chat"])
    return s, a, v, h["chat"]


# -- the chat ends: kefud stops then
srv, a, v, chat = serving(60)
try:
    srv.proc.send_signal(signal.SIGTERM)
    ban = a.expect_event("MAINT on", 10)
    t.ok(ban is not None and kv(ban).get("by") == "drain", "SIGTERM: agents get * MAINT on by=drain", ban)
    t.ok(srv.alive(), "kefud is still running while a chat is in progress")
    n = srv.client()
    final, _ = n.cmd("HELLO group=sales :hi")
    t.ok(final is not None and kv(final).get("closed") == "maint", "a new visitor: closed=maint", final)
    final, _ = n.cmd("LEAVEMSG phone=12345678 :call me after the restart")
    t.ok(final is not None and final.startswith("OK case="), "and may leave a message", final)
    final, _ = v.cmd("SAY :are you still there?")
    t.ok(final is not None and final.startswith("OK seq="), "the visitor of the open chat still talks", final)
    t.ok(a.expect_event("MSG %s " % chat) is not None, "and the agent gets it")
    final, _ = a.cmd("END " + chat)
    t.eq(final, "OK", "the agent ends the chat")
    t.eq(exited(srv, 20), 0, "then kefud stops, exit 0")
finally:
    srv.cleanup()

# -- the chat does not end: cut at the timeout
srv, a, v, chat = serving(2)
try:
    t0 = time.time()
    srv.proc.send_signal(signal.SIGTERM)
    t.ok(a.expect_event("MAINT on", 10) is not None, "drain started")
    t.eq(exited(srv, 30), 0, "kefud stops at the drain timeout, exit 0")
    t.ok(time.time() - t0 >= 1.5, "not before the timeout")
finally:
    srv.cleanup()

# -- a second SIGTERM stops at once
srv, a, v, chat = serving(600)
try:
    srv.proc.send_signal(signal.SIGTERM)
    t.ok(a.expect_event("MAINT on", 10) is not None, "drain started (600 s)")
    srv.proc.send_signal(signal.SIGTERM)
    t.eq(exited(srv, 20), 0, "a second SIGTERM stops kefud at once")
finally:
    srv.cleanup()

# -- nothing in progress: SIGTERM stops at once
srv = Server(extra={"shutdown": {"drain_timeout": 600}}).start()
try:
    a = srv.client(); a.login("alice")
    srv.proc.send_signal(signal.SIGTERM)
    t.eq(exited(srv, 20), 0, "no chat in progress: SIGTERM stops at once")
finally:
    srv.cleanup()
t.done()
