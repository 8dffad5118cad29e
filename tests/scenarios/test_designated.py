"""Designated agent (指定客服): HELLO ... agent=NAME gives the chat to that
agent at once (* ASSIGN by=designated timeout=W, the visitor * ASSIGNED)
when they are online and under their limit, in an auto or a manual group,
before the bot; an agent who answers within routing.designated_wait keeps
the chat; one who does not loses it to the head of the group's queue
(* UNASSIGNED reason=timeout, * QADD pos=1, * QUEUED) and the group routes
it, passing them over. An agent who is away, at their limit or unknown:
the chat goes to the group at once, without an error. The wait is the
config timer routing.designated_wait (2 s here); the test waits for events
with generous deadlines, never sleeps."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={
    "routing": {"designated_wait": 2, "answer_timeout": 600},
    "agent": {"default_status": "away"},
    "groups": [{"name": "sales", "mode": "auto", "bot": "front"},
               {"name": "tech", "mode": "manual"}]}).start()


def err(final, code):
    return final is not None and final.startswith("ERR " + code)


try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")        # display 小王, max 3
    b.ok("STATUS online")

    # -- bob is online and free: the chat is his at once, before the bot
    v1 = srv.client()
    final, _ = v1.cmd("HELLO name=张三 group=sales agent=bob :找小王")
    c1 = kv(final).get("chat")
    t.ok(final.startswith("OK visitor=") and "bot" not in kv(final),
         "HELLO agent=bob to a front-bot group: a chat, not the bot", final)
    asg = b.expect_event("ASSIGN " + c1)
    f = kv(asg)
    t.ok(asg is not None and f.get("by") == "designated" and f.get("timeout") == "2",
         "bob: * ASSIGN c by=designated timeout=2 (routing.designated_wait)", asg)
    t.ok(kv(v1.expect_event("ASSIGNED " + c1)).get("agent") == "小王",
         "the visitor: * ASSIGNED agent=小王")
    t.ok(v1.no_event("QUEUED", 0.2), "the visitor was never queued")
    b.ok("MSG %s :您好,我是小王" % c1)

    # -- a second designated chat bob does not answer falls back to the group
    a.ok("STATUS online")
    v2 = srv.client()
    c2 = v2.hello("name=李四 group=sales agent=bob :hello")["chat"]
    asg = b.expect_event("ASSIGN " + c2)
    t.ok(asg is not None and "by=designated" in asg, "bob gets the second chat too", asg)
    t.ok(kv(v2.expect_event("ASSIGNED " + c2)).get("agent") == "小王", "its visitor: * ASSIGNED agent=小王")
    t.ok(a.no_event("ASSIGN " + c2, 0.2), "alice does not, while bob may answer")
    t0 = time.time()
    un = b.expect_event("UNASSIGNED " + c2, 60)
    t.ok(un is not None and "reason=timeout" in un,
         "bob did not answer in 2 s: * UNASSIGNED reason=timeout (%.1f s)" % (time.time() - t0), un)
    qa = a.expect_event("QADD " + c2)
    t.ok(qa is not None and kv(qa).get("pos") == "1", "the chat is back at the head of sales (* QADD pos=1)", qa)
    asg = a.expect_event("ASSIGN " + c2)
    t.ok(asg is not None and "by=auto" in asg, "the group routes it to alice, passing bob over", asg)
    t.ok(v2.expect_event("QUEUED " + c2) is not None, "the visitor is told it is queued")
    e = v2.expect_event("ASSIGNED " + c2)
    t.ok(kv(e).get("agent") == "Alice", "... then * ASSIGNED agent=Alice", e)
    final, _ = v1.cmd("WHERE")
    t.ok(kv(final).get("state") == "assigned" and kv(final).get("agent") == "小王",
         "the chat bob answered in time is still his", final)

    # -- bob away: the group at once, no error
    b.ok("STATUS away")
    v3 = srv.client()
    final, _ = v3.cmd("HELLO group=tech agent=bob :tech question")
    c3 = kv(final).get("chat")
    t.ok(final.startswith("OK visitor="), "agent=bob while bob is away: OK, no error", final)
    t.ok(v3.expect_event("QUEUED " + c3) is not None and a.expect_event("QADD " + c3) is not None,
         "the chat is queued in tech for everyone")
    t.ok(b.no_event("ASSIGN " + c3, 0.2), "bob does not get it")

    # -- an unknown account, a malformed one
    v4 = srv.client()
    final, _ = v4.cmd("HELLO group=tech agent=nobody :x")
    c4 = kv(final).get("chat")
    t.ok(final.startswith("OK visitor=") and v4.expect_event("QUEUED " + c4) is not None,
         "agent=nobody (no such account): the group, no error", final)
    v5 = srv.client()
    final, _ = v5.cmd("HELLO agent=" + "x" * 64 + " :x")
    t.ok(err(final, "ARGS"), "agent= over 63 bytes: ERR ARGS", final)

    # -- a manual group: the designated agent gets it all the same
    v6 = srv.client()
    final, _ = v6.cmd("HELLO group=tech agent=alice :manual group")
    c6 = kv(final).get("chat")
    asg = a.expect_event("ASSIGN " + c6)
    t.ok(asg is not None and "by=designated" in asg, "tech is manual: alice still gets her chat", asg)
    un = a.expect_event("UNASSIGNED " + c6, 60)
    t.ok(un is not None and "reason=timeout" in un, "unanswered, it goes back after the wait", un)
    t.ok(a.expect_event("QADD " + c6) is not None, "... to tech's queue, where agents ACCEPT it")

    # -- at the limit: bob (max 3) with three chats
    b.ok("STATUS online")
    for i in range(2):
        vv = srv.client()
        cc = vv.hello("group=tech agent=bob :fill %d" % i)["chat"]
        t.ok(b.expect_event("ASSIGN " + cc) is not None, "bob takes designated chat %d" % (i + 2))
        b.ok("MSG %s :hi" % cc)
    final, _ = b.cmd("WHOAMI")
    t.eq(kv(final).get("chats"), "3", "bob has 3 chats: his limit")
    v7 = srv.client()
    final, _ = v7.cmd("HELLO group=tech agent=bob :one more")
    c7 = kv(final).get("chat")
    t.ok(v7.expect_event("QUEUED " + c7) is not None and b.no_event("ASSIGN " + c7, 0.2),
         "bob at his limit: the chat is queued in the group")
finally:
    srv.stop()
    srv.cleanup()
t.done()
