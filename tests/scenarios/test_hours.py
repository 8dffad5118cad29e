"""Working hours, holidays, greetings: a group with weekly hours in
Asia/Shanghai, a holiday week and a make-up working day (调休). The clock
is set with the test-only key testing.now (and SIGHUP), never by sleeping.
Outside the hours a new visitor gets no chat but the group's message and
the leave-a-message offer (* CLOSED 0 reason=hours|holiday need=.. opens=..)
and may LEAVEMSG; agents may still log in; inside the hours the chat is
queued, the group's greeting is posted as a system message on assignment,
and a visitor waiting longer than wait_reply_after gets the wait reply with
their queue position. The nc-typed boundaries are checked a minute away
from the edge (the second-exact ones are tests/server/test_hours.c)."""
import os, signal, subprocess, sys, time, calendar
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
HOURS = {"name": "sales", "mode": "auto", "timezone": "Asia/Shanghai",
         "hours": "mon-fri 09:00-18:00",
         "holidays": "2026-10-01..2026-10-07",
         "workdays": "2026-10-10",
         "closed_message": "工作时间:周一至周五 9:00-18:00;下次开门 {opens}",
         "greeting": "您好,我是{agent},很高兴为您服务",
         "wait_reply": "您前面还有 {pos} 位,请稍候 ({group})",
         "wait_reply_after": 1}
srv = Server(extra={
    "testing": {"now": "2026-09-25T08:59:00+08:00"},
    "agent": {"default_status": "away"},
    "groups": [HOURS, {"name": "tech", "mode": "manual"}]}).start()


def sh(iso):
    """Epoch of a Shanghai wall-clock time 'YYYY-MM-DD HH:MM'."""
    return calendar.timegm(time.strptime(iso, "%Y-%m-%d %H:%M")) - 8 * 3600


def set_clock(iso):
    """Move kefud's working-hours clock: new testing.now, SIGHUP, and wait
    for the reload to be logged."""
    n = srv.log().count("configuration reloaded")
    srv.config["testing"]["now"] = iso
    srv.write_config()
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 15
    while time.time() < deadline:
        if srv.log().count("configuration reloaded") > n:
            return True
        time.sleep(0.05)
    return False


def closed_hello(args, reason, opens_iso, what):
    v = srv.client()
    final, _ = v.cmd("HELLO " + args)
    f = kv(final)
    t.ok(final is not None and final.startswith("OK visitor=") and "chat" not in f and
         f.get("closed") == reason and f.get("token"),
         "%s: HELLO answers OK visitor= token= closed=%s and no chat" % (what, reason), final)
    ev = v.expect_event("CLOSED 0 ")
    e = kv(ev)
    t.ok(ev is not None and e.get("group") == "sales" and e.get("reason") == reason and
         e.get("need") == "phone|email" and e.get("opens") == str(sh(opens_iso)),
         "%s: * CLOSED 0 group=sales reason=%s need=phone|email opens=<%s>" % (what, reason, opens_iso), ev)
    return v, ev, f


try:
    # -- Friday 08:59 in Shanghai: closed
    v, ev, first = closed_hello("name=早到 group=sales :在吗", "hours", "2026-09-25 09:00", "Fri 08:59")
    t.eq(text(ev), "工作时间:周一至周五 9:00-18:00;下次开门 2026-09-25 09:00",
         "the group's closed_message, {opens} in the group's zone")
    a = srv.client()
    final, _ = a.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice"), "agents may still log in outside the hours", final)
    t.ok(a.no_event("QADD", 0.3), "no chat was queued")
    for cmd in ("SAY :hello?", "TYPING :x", "END"):
        final, _ = v.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR CLOSED") and "LEAVEMSG" in final,
             "closed visitor: %s -> ERR CLOSED (with the LEAVEMSG offer)" % cmd, final)
    final, _ = v.cmd("WHERE")
    t.ok(final is not None and final.startswith("ERR STATE"), "closed visitor: WHERE -> ERR STATE (no chat)", final)
    final, rows = v.cmd("HELP")
    verbs = [r.split()[0] for r in rows]
    t.ok("LEAVEMSG" in verbs and "HELLO" in verbs and "SAY" not in verbs,
         "HELP offers LEAVEMSG and HELLO, not SAY", verbs)
    final, _ = v.cmd("LEAVEMSG phone=13800138000 :请开门后回电")
    t.ok(final is not None and final.startswith("OK case="), "the closed visitor may LEAVEMSG", final)
    case = kv(final).get("case")
    final, rows = a.cmd("CASE " + str(case))
    f = kv(rows[0]) if rows else {}
    t.ok(f.get("group") == "sales" and f.get("chat") == "0" and f.get("name") == "早到",
         "the case is in the group asked for, without a chat, with the HELLO name", rows)
    final, _ = v.cmd("HELLO group=sales :again")
    t.ok(final is not None and kv(final).get("closed") == "hours",
         "HELLO again on the same connection while closed: closed=hours again", final)
    v.close()

    # -- a group without hours is always open
    vt = srv.client()
    h = vt.hello("group=tech :printer")
    t.ok("chat" in h and "closed" not in h, "a group without hours (tech) takes the chat", h)
    vt.close()

    # -- 09:00 UTC is 17:00 in Shanghai: still open; the greeting on assignment
    t.ok(set_clock("2026-09-25T09:00:00Z"), "clock: Fri 17:00 Shanghai (09:00 UTC)")
    a.ok("STATUS online")
    v = srv.client()
    h = v.hello("name=客户 group=sales :你好")
    t.ok("chat" in h and "closed" not in h, "Fri 17:00: HELLO opens a chat", h)
    chat = h.get("chat")
    asg = v.expect_event("ASSIGNED " + str(chat))
    t.ok(asg is not None, "the chat is assigned to alice", asg)
    g = v.expect_event("MSG %s " % chat)
    t.ok(g is not None and g.split()[3:5] == ["system", "system"] and
         text(g) == "您好,我是Alice,很高兴为您服务",
         "the visitor gets the group's greeting as a system message with {agent}", g)
    t.ok(a.expect_event("MSG %s " % chat) is not None, "the agent sees the greeting too")
    final, rows = a.cmd("TRANSCRIPT " + str(chat))
    t.ok(any("kind=system" in r and "很高兴为您服务" in r for r in rows),
         "the greeting is in the transcript", rows)
    a.ok("END " + str(chat))

    # -- the wait reply: a visitor who waits longer than wait_reply_after
    a.ok("STATUS away")
    w1 = srv.client(); h1 = w1.hello("name=W1 group=sales :first")
    w2 = srv.client(); h2 = w2.hello("name=W2 group=sales :second")
    m2 = w2.expect_event("MSG %s " % h2["chat"], 15)
    t.ok(m2 is not None and m2.split()[3] == "system" and text(m2) == "您前面还有 2 位,请稍候 (sales)",
         "after wait_reply_after the second visitor hears their position (2)", m2)
    m1 = w1.expect_event("MSG %s " % h1["chat"], 15)
    t.ok(m1 is not None and text(m1) == "您前面还有 1 位,请稍候 (sales)", "the first hears 1", m1)
    t.ok(w2.no_event("MSG", 2.5), "the wait reply comes once")
    w1.close(); w2.close()

    # -- Friday 18:00 Shanghai: closed until Monday
    t.ok(set_clock("2026-09-25T18:00:30+08:00"), "clock: Fri 18:00:30")
    closed_hello("group=sales", "hours", "2026-09-28 09:00", "Fri 18:00")

    # -- the National Day holidays: closed=holiday until the 8th
    t.ok(set_clock("2026-10-01T10:00:00+08:00"), "clock: Thu 2026-10-01 10:00 (holiday)")
    closed_hello("group=sales", "holiday", "2026-10-08 09:00", "holiday")
    t.ok(set_clock("2026-10-07T20:00:00+08:00"), "clock: Wed 2026-10-07 20:00")
    closed_hello("group=sales", "holiday", "2026-10-08 09:00", "last holiday evening")

    # -- Saturday 2026-10-10 is a make-up working day: open
    t.ok(set_clock("2026-10-10T10:00:00+08:00"), "clock: Sat 2026-10-10 10:00 (调休)")
    v = srv.client()
    h = v.hello("group=sales :周六上班吗")
    t.ok("chat" in h and "closed" not in h, "the make-up Saturday is open", h)
    v.close()
    t.ok(set_clock("2026-10-17T10:00:00+08:00"), "clock: Sat 2026-10-17 10:00")
    closed_hello("group=sales", "hours", "2026-10-19 09:00", "an ordinary Saturday")

    # -- a returning visitor gets a case reply even while closed
    final, _ = a.cmd("CASEREPLY %s :周一上午给您回电" % case)
    t.eq(kv(final).get("delivered"), "0", "a reply to the visitor who left")
    v, ev, f = closed_hello("token=%s group=sales" % first["token"], "hours", "2026-10-19 09:00",
                            "the visitor back on Saturday")
    t.eq(f.get("visitor"), first.get("visitor"), "it is the same visitor")
    rep = v.expect_event("CASEREPLY " + str(case))
    t.ok(rep is not None and text(rep) == "周一上午给您回电",
         "while closed, the returning visitor still gets the case reply", rep)

    # -- bad calendars are refused with their line
    for key, val in (("timezone", "Mars/Olympus"), ("hours", "mon-fri 9-18"),
                     ("holidays", "2026-02-30"), ("workdays", "someday"),
                     ("wait_reply_after", "0")):
        bad = os.path.join(srv.dir, "bad.yml")
        with open(bad, "w") as fh:
            fh.write("groups:\n  - name: x\n    %s: \"%s\"\n" % (key, val))
        p = subprocess.run([srv.binary, "-c", bad, "check-config"], capture_output=True, text=True)
        t.ok(p.returncode != 0 and "line 3" in p.stderr and key in p.stderr,
             "check-config refuses groups.%s: %s" % (key, val), p.stderr)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
