"""Maintenance mode outlives a restart (issue 12): MAINT on with its
notice, end time and author is kept in the database; after a restart
visitors still get closed=maint with the same notice and opens=, agents
who log in get * MAINT on, MAINT asks the same, and the restart adds no
audit line; MAINT off is kept too; an end time that passed while kefud
was down ends it at the first tick (by=timer, audited); a drain's own
maintenance (by=drain) is not kept, and one an admin had turned on before
the drain is back after it."""
import calendar, os, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
NOW = "2026-11-30T02:00:00Z"


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def maint_audit(adm):
    _, rows = adm.cmd("AUDIT 100")
    return [(kv(r).get("actor"), text(r)) for r in rows if kv(r).get("action") == "maint"]


def wait_for(fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return None


until = epoch("2026-11-30T04:00:00Z")
srv = Server(extra={"testing": {"now": NOW}})
try:
    srv.start()
    adm = srv.client(); adm.login("admin")
    final, _ = adm.cmd("MAINT on until=2026-11-30T04:00Z :升级维护中,请留言")
    t.ok(final.startswith("OK on"), "MAINT on with until and a notice", final)
    before = maint_audit(adm)
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    final, _ = adm.cmd("MAINT")
    f = kv(final)
    t.ok(final.startswith("OK on") and f.get("until") == str(until) and f.get("by") == "admin"
         and text(final) == "升级维护中,请留言",
         "after a restart MAINT says on, with the same until, author and notice", final)
    v = srv.client()
    final, _ = v.cmd("HELLO name=V group=sales :hi")
    t.ok(final is not None and kv(final).get("closed") == "maint", "a new visitor: closed=maint", final)
    cl = v.expect_event("CLOSED")
    t.ok(cl is not None and kv(cl).get("opens") == str(until) and text(cl) == "升级维护中,请留言",
         "* CLOSED carries the kept notice and opens=UNTIL", cl)
    a = srv.client()
    final, _ = a.cmd("LOGIN alice :alice123")
    ev = a.expect_event("MAINT on")
    t.ok(ev is not None and text(ev) == "升级维护中,请留言", "an agent logging in gets * MAINT on", ev)
    t.eq(maint_audit(adm), before, "the restart added no maint line to the audit trail")
    t.eq(adm.cmd("MAINT off")[0], "OK off by=admin", "MAINT off")
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    t.eq(adm.cmd("MAINT")[0], "OK off", "MAINT off is kept: off after a restart")
    v = srv.client()
    final, _ = v.cmd("HELLO name=V group=sales :hi")
    t.ok(final is not None and "chat" in kv(final), "and visitors get a chat again", final)

    # an end that passed while kefud was down: ended at the first tick
    adm.ok("MAINT on until=2026-11-30T03:00Z :short")
    srv.stop()
    srv.config["testing"]["now"] = "2026-11-30T05:00:00Z"
    srv.start()
    adm = srv.client(); adm.login("admin")
    t.ok(wait_for(lambda: adm.cmd("MAINT")[0] == "OK off by=timer"),
         "an until that passed while kefud was down: off by=timer after the start")
    t.ok(("timer", "off") in maint_audit(adm), "and audited by=timer", maint_audit(adm))

finally:
    srv.cleanup()

# a drain's maintenance is not kept; the admin's from before it is
srv = Server(extra={"shutdown": {"drain_timeout": 60}})
try:
    srv.start()
    adm = srv.client(); adm.login("admin")
    a = srv.client(); a.login("alice")
    v = srv.client()
    h = v.hello("name=V group=tech :help")
    a.ok("ACCEPT " + h["chat"])
    adm.ok("MAINT on :admin notice")
    ev = a.expect_event("MAINT on")
    t.ok(ev is not None and kv(ev).get("by") == "admin", "the agent has the admin's * MAINT on", ev)
    srv.proc.send_signal(signal.SIGTERM)
    ev = a.expect_event("MAINT on", 20)
    t.ok(ev is not None and kv(ev).get("by") == "drain", "SIGTERM drain: * MAINT on by=drain",
         (ev, srv.log()[-800:]))
    a.ok("END " + h["chat"])
    t.eq(srv.proc.wait(30), 0, "kefud stops when the chat ends")
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    final, _ = adm.cmd("MAINT")
    t.ok(final.startswith("OK on") and kv(final).get("by") == "admin" and
         text(final) == "admin notice",
         "after the drain: the admin's maintenance is back, not the drain's", final)
    adm.ok("MAINT off")
    a = srv.client(); a.login("alice")
    v = srv.client()
    h = v.hello("name=V group=tech :help")
    a.ok("ACCEPT " + h["chat"])
    srv.proc.send_signal(signal.SIGTERM)
    t.ok(a.expect_event("MAINT on", 20) is not None, "a drain with no maintenance before")
    a.ok("END " + h["chat"])
    srv.proc.wait(30)
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    t.eq(adm.cmd("MAINT")[0], "OK off", "after it: no maintenance (the drain's was not kept)")
finally:
    srv.cleanup()
t.done()
