"""Maintenance mode (MAINT): an admin turns it on with a notice and an end
time; visitors who arrive get no chat but the notice and the
leave-a-message offer (closed=maint, * CLOSED 0 reason=maint opens=UNTIL);
a chat in progress goes on to its end; every agent gets the * MAINT banner,
also one who logs in later; MAINT off (or the end time, on the clock set
with testing.now) restores service; all of it is in the audit trail."""
import os, sys, time, calendar
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
NOW = "2026-11-30T02:00:00Z"
T0 = time.time()    # kefud's clock is at most NOW + (time.time() - T0)
srv = Server(extra={"testing": {"now": NOW}}).start()


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


try:
    adm = srv.client(); adm.login("admin")
    a = srv.client(); a.login("alice")
    final, _ = adm.cmd("MAINT")
    t.eq(final, "OK off", "MAINT asks: off at first")

    # a chat in progress before the maintenance
    v1 = srv.client()
    h1 = v1.hello("name=V1 group=tech :before")
    chat1 = h1["chat"]
    a.ok("ACCEPT " + chat1)

    for line in ("MAINT maybe", "MAINT on until=2000-01-01T00:00Z", "MAINT on until=soon",
                 "MAINT off :why", "MAINT on color=red", "MAINT on :" + "x" * 1025):
        final, _ = adm.cmd(line)
        t.ok(final is not None and final.startswith("ERR ARGS"), "%s: ERR ARGS" % line[:40], final)
    final, _ = a.cmd("MAINT on :x")
    t.ok(final.startswith("ERR DENIED"), "an agent may not use MAINT", final)

    until = epoch("2026-11-30T04:00:00Z")
    final, _ = adm.cmd("MAINT on until=2026-11-30T12:00+08:00 :系统维护中,请留言")
    t.eq(final, "OK on until=%d by=admin :系统维护中,请留言" % until,
         "MAINT on until= :notice answers the new state (until in any zone)")
    ban = a.expect_event("MAINT on")
    t.ok(ban is not None and kv(ban).get("until") == str(until) and kv(ban).get("by") == "admin"
         and text(ban) == "系统维护中,请留言", "agents get the * MAINT on banner", ban)
    t.ok(adm.expect_event("MAINT on") is not None, "the admin too")

    # new visitors: the notice and the leave-a-message offer
    v2 = srv.client()
    final, _ = v2.cmd("HELLO name=V2 group=sales :hi")
    t.ok(final.startswith("OK visitor=") and kv(final).get("closed") == "maint" and
         "chat" not in kv(final), "a new visitor: closed=maint, no chat", final)
    cl = v2.expect_event("CLOSED 0 ")
    t.ok(cl is not None and kv(cl).get("reason") == "maint" and kv(cl).get("opens") == str(until)
         and text(cl) == "系统维护中,请留言", "* CLOSED 0 reason=maint opens=UNTIL :notice", cl)
    final, _ = v2.cmd("LEAVEMSG phone=13800138000 :维护后请回电")
    t.ok(final.startswith("OK case="), "they may leave a message", final)
    final, _ = v2.cmd("HELLO group=tech :any group?")
    t.eq(kv(final).get("closed"), "maint", "every group is closed")

    # the chat in progress goes on
    final, _ = v1.cmd("SAY :still here during maintenance")
    t.ok(final.startswith("OK seq="), "the visitor of an open chat may still SAY", final)
    t.ok(a.expect_event("MSG %s " % chat1) is not None, "and the agent gets it")
    final, _ = a.cmd("MSG %s :we are almost done" % chat1)
    t.ok(final.startswith("OK seq="), "the agent still answers", final)
    t.ok(v1.expect_event("MSG %s " % chat1) is not None, "the visitor gets the answer")

    # an agent who logs in now sees the banner
    b = srv.client()
    b.login("bob")
    t.ok(b.expect_event("MAINT on") is not None, "an agent logging in gets the banner")

    final, _ = adm.cmd("MAINT")
    t.ok(final.startswith("OK on until=%d by=admin" % until), "MAINT asks: on", final)
    final, _ = adm.cmd("MAINT off")
    t.eq(final, "OK off by=admin", "MAINT off")
    off = a.expect_event("MAINT off")
    t.ok(off is not None and kv(off).get("by") == "admin", "agents get * MAINT off", off)
    v3 = srv.client()
    h3 = v3.hello("group=sales :after")
    t.ok("chat" in h3 and "closed" not in h3, "after MAINT off a visitor gets a chat", h3)
    final, _ = a.cmd("END " + chat1)
    t.eq(final, "OK", "the old chat ends normally")

    # the end time ends it by itself (the clock runs on from testing.now)
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(epoch(NOW) + int(time.time() - T0) + 3))
    final, _ = adm.cmd("MAINT on until=%s :short" % soon)
    t.ok(final.startswith("OK on"), "MAINT on until= a moment away", final)
    a.events.clear()
    off = a.expect_event("MAINT off", 20)
    t.ok(off is not None and kv(off).get("by") == "timer", "at until= it ends by itself (by=timer)", off)
    v4 = srv.client()
    t.ok("chat" in v4.hello("group=sales :x"), "and visitors get chats again")

    final, rows = adm.cmd("AUDIT 50")
    acts = [(kv(r).get("actor"), kv(r).get("action"), text(r)) for r in rows]
    t.ok(("admin", "maint", "off") in acts and ("timer", "maint", "off") in acts and
         any(x[1] == "maint" and x[2].startswith("on until=%d" % until) for x in acts),
         "the audit trail has each on and off with who and until", acts)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
