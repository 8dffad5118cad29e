"""The knowledge-base bot (智能客服 / 转人工): entries managed with KBADD,
KBSET, KBDEL and listed with KB; a group in bot mode `front` has every new
visitor answered first by the bot (a Chinese question in HELLO, an English
one with SAY, a two-character one through LIKE), with `* MSG ... bot` lines
kept in the transcript the agent who takes over reads; hand-off to the queue
when the visitor asks for a person (转人工, HUMAN) or after two unanswered
questions; disabled entries and other groups' entries are never given;
`after-hours` answers only while nobody of the group is on duty (no agent
online, or outside the hours: then the hand-off is * CLOSED and
LEAVEMSG); no bot during maintenance; KBSEARCH suggests an answer for a
chat's last question; REPORT counts what the bot did. The working-hours
clock is testing.now (a Saturday), never a sleep."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={
    "testing": {"now": "2026-10-17T10:00:00+08:00"},      # a Saturday
    "agent": {"default_status": "away"},
    "bot": {"name": "小助手", "threshold": "0.6"},
    "groups": [{"name": "sales", "mode": "auto", "bot": "front"},
               {"name": "tech", "mode": "manual", "bot": "after-hours"},
               {"name": "night", "mode": "manual", "bot": "after-hours",
                "timezone": "Asia/Shanghai", "hours": "mon-fri 09:00-18:00",
                "leave_message_require": "phone"}]}).start()

ANS_ORDER = "请提供您的订单号,我们马上为您查询物流。"
ANS_PW = "Open Settings > Security and choose Reset password."
ANS_REFUND = "退款会在 3-5 个工作日内原路退回。"
ANS_HOURS = "技术支持工作日 9:00-18:00 在线。"
MISS = "Sorry, I have no answer to that."
figures = {"answered": 0, "unanswered": 0, "handed_off": 0}


def err(final, code):
    return final is not None and final.startswith("ERR " + code)


def bot_says(v, chat, timeout=20):
    """The next bot line of chat that v gets (other MSG lines are passed)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        e = v.expect_event("MSG %s " % chat, deadline - time.time())
        if e is None:
            return None
        if e.split()[3] == "bot":
            return e
    return None


def asks(v, chat, line, answer, what):
    """v says line in chat; the bot must answer with answer."""
    final, _ = v.cmd("SAY :" + line)
    t.ok(final is not None and final.startswith("OK seq="), "SAY " + what, final)
    b = bot_says(v, chat)
    t.ok(b is not None and b.split()[4] == "小助手" and text(b) == answer,
         "the bot answers %s" % what, b)
    figures["answered"] += 1


try:
    adm = srv.client(); adm.login("admin")
    a = srv.client(); a.login("alice")
    a.ok("STATUS online")

    # -- managing the knowledge base
    def add(line):
        final, _ = adm.cmd(line)
        t.ok(final is not None and final.startswith("OK id="), line[:40], final)
        return kv(final).get("id")
    e_order = add("KBADD 订单没有到怎么办 keys=物流|快递到哪了 :" + ANS_ORDER)
    e_pw = add("KBADD How\\sdo\\sI\\sreset\\smy\\spassword keys=forgot\\spassword :" + ANS_PW)
    e_refund = add("KBADD 退款多久到账 group=sales keys=退款|refund :" + ANS_REFUND)
    e_hours = add("KBADD 技术支持几点上班 group=tech keys=几点开门|上班时间 :" + ANS_HOURS)
    e_off = add("KBADD 优惠券怎么用 enabled=0 :在结算页选择优惠券。")
    for line, code, what in (
            ("KBADD q", "ARGS", "no answer"),
            ("KBADD q :", "ARGS", "an empty answer"),
            ("KBADD " + "问" * 90 + " :a", "ARGS", "a question over 256 bytes"),
            ("KBADD q keys=" + "k" * 1025 + " :a", "ARGS", "keys over 1024 bytes"),
            ("KBADD q :" + "a" * 4097, "ARGS", "an answer over 4096 bytes"),
            ("KBADD q group=nosuch :a", "NOTFOUND", "an unknown group"),
            ("KBADD q enabled=2 :a", "ARGS", "enabled=2"),
            ("KBADD q color=red :a", "ARGS", "an unknown option"),
            ("KBSET 999 enabled=0", "NOTFOUND", "KBSET of no entry"),
            ("KBSET %s" % e_off, "ARGS", "KBSET with nothing to change"),
            ("KBSET x enabled=1", "ARGS", "KBSET of a bad number"),
            ("KBDEL 999", "NOTFOUND", "KBDEL of no entry")):
        final, _ = adm.cmd(line)
        t.ok(err(final, code), "%s: ERR %s" % (what, code), final)
    final, rows = a.cmd("KB")
    t.eq(final, "OK 5", "KB lists the five entries")
    f = kv(rows[0])
    t.ok(rows[0].startswith(e_order + " ") and f.get("group") == "" and
         f.get("enabled") == "1" and f.get("hits") == "0" and
         f.get("question") == "订单没有到怎么办" and f.get("keys") == "物流|快递到哪了" and
         text(rows[0]) == ANS_ORDER, "a row: id, group, enabled, hits, question, keys, :answer", rows[0])
    final, rows = a.cmd("KB group=sales")
    t.ok(final == "OK 1" and rows[0].startswith(e_refund + " "), "KB group=sales: its own entries", rows)
    final, rows = a.cmd("KB group=-")
    t.eq(final, "OK 3", "KB group=-: the entries for every group")
    final, rows = a.cmd("KB :refund")
    t.ok(final == "OK 1" and rows[0].startswith(e_refund + " "), "KB :query searches the keys too", rows)
    final, rows = a.cmd("KB limit=2")
    t.eq(final, "OK 2 next=2", "KB pages like the other lists")
    final, rows = adm.cmd("KBSET %s keys=物流|快递到哪了|包裹" % e_order)
    t.eq(final, "OK", "KBSET changes the keys")

    # -- front: the bot answers a Chinese question given in HELLO
    v1 = srv.client()
    final, _ = v1.cmd("HELLO name=张三 group=sales :你好,我的订单还没有到,怎么办?")
    h = kv(final)
    c1 = h.get("chat")
    t.ok(final.startswith("OK visitor=") and h.get("bot") == "1",
         "HELLO to a front-bot group: OK ... bot=1", final)
    b = bot_says(v1, c1)
    t.ok(b is not None and b.split()[3:5] == ["bot", "小助手"] and text(b) == ANS_ORDER,
         "the bot answers the Chinese question (* MSG c 2 bot 小助手)", b)
    figures["answered"] += 1
    t.ok(a.no_event("QADD", 0.3), "agents get no QADD while the bot has the chat")
    final, _ = v1.cmd("WHERE")
    t.ok(kv(final).get("state") == "bot", "WHERE: state=bot", final)
    final, rows = v1.cmd("HELP")
    t.ok(any(r.startswith("HUMAN ") for r in rows), "HELP lists HUMAN while the bot has the chat", rows)
    asks(v1, c1, "I FORGOT my password!", ANS_PW, "an English question (case ignored)")
    asks(v1, c1, "退款", ANS_REFUND, "a two-character question (LIKE, the group's own entry)")
    final, _ = v1.cmd("SAY :优惠券怎么用")
    b = bot_says(v1, c1)
    t.ok(b is not None and text(b).startswith(MISS), "a disabled entry is never given: the miss reply", b)
    figures["unanswered"] += 1
    final, _ = v1.cmd("SAY :转人工")
    b = bot_says(v1, c1)
    t.ok(b is not None and "person" in text(b), "转人工: the bot says it passes the chat on", b)
    figures["handed_off"] += 1
    q = v1.expect_event("QUEUED " + c1)
    t.ok(q is not None and "pos=1" in q, "... and the visitor is queued", q)
    asg = a.expect_event("ASSIGN " + c1)
    t.ok(asg is not None and "by=auto" in asg, "the chat goes to alice (auto)", asg)
    final, rows = a.cmd("TRANSCRIPT " + c1)
    kinds = [kv(r).get("kind") for r in rows]
    t.ok(kinds.count("bot") == 5 and kinds.count("visitor") == 5,
         "the agent reads the whole bot conversation (5 visitor, 5 bot lines)", kinds)
    final, _ = v1.cmd("HUMAN")
    t.ok(err(final, "STATE"), "HUMAN once an agent has the chat: ERR STATE", final)
    final, rows = v1.cmd("HELP")
    t.ok(not any(r.startswith("HUMAN ") for r in rows), "... and HELP no longer lists it", rows)

    # -- two unanswered questions hand off; another group's entry is not given
    v2 = srv.client()
    c2 = v2.hello("name=Li group=sales")["chat"]
    final, _ = v2.cmd("SAY :技术支持几点上班")
    b = bot_says(v2, c2)
    t.ok(b is not None and text(b).startswith(MISS), "tech's entry is not given in sales: a miss", b)
    final, _ = v2.cmd("SAY :今天天气怎么样")
    b = bot_says(v2, c2)
    t.ok(b is not None and "person" in text(b), "the second miss hands off", b)
    figures["unanswered"] += 2
    figures["handed_off"] += 1
    t.ok(v2.expect_event("QUEUED " + c2) is not None, "... to the queue")

    # -- HUMAN asks for a person
    v3 = srv.client()
    c3 = v3.hello("name=Wang group=sales :快递到哪了")["chat"]
    b = bot_says(v3, c3)
    t.ok(b is not None and text(b) == ANS_ORDER, "a phrasing in keys is answered", b)
    figures["answered"] += 1
    final, _ = v3.cmd("HUMAN")
    t.eq(final, "OK", "HUMAN in a chat with the bot: OK")
    figures["handed_off"] += 1
    t.ok(v3.expect_event("QUEUED " + c3) is not None or
         v3.expect_event("ASSIGNED " + c3) is not None, "HUMAN hands the chat to the queue")

    # -- KBSEARCH: an answer suggestion for the visitor's last question
    final, rows = a.cmd("KBSEARCH chat=" + c3)
    f = kv(rows[0]) if rows else {}
    t.ok(final.startswith("OK ") and rows and rows[0].startswith(e_order + " ") and
         f.get("match") == "1" and float(f.get("score", 0)) >= 0.6 and text(rows[0]) == ANS_ORDER,
         "KBSEARCH chat=N: the entry for the last question first, with score and match=1", rows)
    final, rows = a.cmd("KBSEARCH limit=5 :how can i reset the password")
    t.ok(rows and rows[0].startswith(e_pw + " "), "KBSEARCH :question", rows)
    for line, code in (("KBSEARCH", "ARGS"), ("KBSEARCH limit=0 :x", "ARGS"),
                       ("KBSEARCH chat=99999", "NOTFOUND"), ("KBSEARCH foo=1 :x", "ARGS")):
        final, _ = a.cmd(line)
        t.ok(err(final, code), "%s: ERR %s" % (line, code), final)
    final, rows = a.cmd("KB :订单")
    t.ok(rows and kv(rows[0]).get("hits") == "2", "hits counts the answers the bot gave (2)", rows)

    # -- after-hours: someone on duty, no bot; nobody on duty, the bot
    v4 = srv.client()
    final, _ = v4.cmd("HELLO name=Zhao group=tech :技术支持几点上班")
    t.ok("bot=1" not in final and v4.expect_event("QUEUED") is not None,
         "after-hours with alice online: queued as usual, no bot", final)
    a.ok("STATUS away")
    v5 = srv.client()
    final, _ = v5.cmd("HELLO name=Zhou group=tech :请问几点开门")
    c5 = kv(final).get("chat")
    t.ok(kv(final).get("bot") == "1", "after-hours with nobody on duty: the bot", final)
    b = bot_says(v5, c5)
    t.ok(b is not None and text(b) == ANS_HOURS, "it answers from the group's entries", b)
    figures["answered"] += 1
    v5.ok("HUMAN")
    figures["handed_off"] += 1
    q = v5.expect_event("QUEUED " + c5)
    cl = v5.expect_event("CLOSED " + c5)
    t.ok(q is not None and cl is not None and kv(cl).get("reason") == "nobody",
         "HUMAN: queued, and told nobody is on duty (* CLOSED reason=nobody)", (q, cl))

    # -- after-hours, outside the hours: the bot answers, a hand-off is * CLOSED
    v6 = srv.client()
    final, _ = v6.cmd("HELLO name=Qian group=night :how do I reset my password?")
    c6 = kv(final).get("chat")
    t.ok(kv(final).get("bot") == "1" and "closed" not in kv(final),
         "outside the hours: a chat with the bot instead of closed=hours", final)
    b = bot_says(v6, c6)
    t.ok(b is not None and text(b) == ANS_PW, "the bot answers after hours", b)
    figures["answered"] += 1
    v6.ok("SAY :I want a human please")
    cl = v6.expect_event("CLOSED " + c6)
    t.ok(cl is not None and kv(cl).get("reason") == "hours" and kv(cl).get("need") == "phone"
         and "opens" in kv(cl), "asking for a person while closed: * CLOSED c reason=hours need opens", cl)
    final, _ = v6.cmd("WHERE")
    t.ok(kv(final).get("state") == "bot", "the chat stays with the bot", final)
    final, _ = v6.cmd("LEAVEMSG phone=13800138000 :请周一回电")
    t.ok(final.startswith("OK case="), "LEAVEMSG from the bot chat: a case", final)
    case = kv(final).get("case")
    t.ok(v6.expect_event("ENDED " + c6) is not None, "the bot chat ends with it")
    final, rows = adm.cmd("CASE " + case)
    t.ok(rows and kv(rows[0]).get("chat") == c6, "the case names the chat", rows[:1])

    # -- maintenance: no bot
    adm.ok("MAINT on :升级中")
    v7 = srv.client()
    final, _ = v7.cmd("HELLO group=sales :退款")
    t.ok(kv(final).get("closed") == "maint" and "bot" not in kv(final),
         "during maintenance a front-bot group is closed as any other", final)
    adm.ok("MAINT off")

    # -- reports count what the bot did
    today = time.strftime("%Y-%m-%d")
    final, rows = adm.cmd("REPORT from=%s to=%s" % (today, today))
    tot = kv([r for r in rows if r.startswith("total")][0])
    t.ok(tot.get("bot_answered") == str(figures["answered"]) and
         tot.get("bot_unanswered") == str(figures["unanswered"]) and
         tot.get("handed_off") == str(figures["handed_off"]),
         "REPORT: bot_answered=%(answered)d bot_unanswered=%(unanswered)d handed_off=%(handed_off)d" % figures,
         rows)
    t.eq(tot.get("offered"), "5",
         "offered: the chats that reached the queue, not the one that stayed with the bot")
    final, _ = adm.cmd("KBDEL " + e_off)
    t.eq(final, "OK", "KBDEL")
    final, _ = adm.cmd("KB")
    t.eq(final, "OK 4", "the entry is gone")
finally:
    srv.stop()
    srv.cleanup()
t.done()
