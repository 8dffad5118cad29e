"""The whole life of a chat, as two nc windows would play it: visitor hello,
queue position, manual accept, messages both ways in order, typing, notes,
end, wrap-up, rating, history."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()
try:
    a = srv.client()
    final, _ = a.login("alice")
    t.ok("role=agent" in final and "status=online" in final, "LOGIN alice: OK with role and status")

    v = srv.client()
    h = v.hello("name=张三 email=z@example.com lang=zh page=/shop/cart group=tech :我的订单没有到")
    t.ok(h.get("visitor") and h.get("chat") and len(h.get("token", "")) == 32,
         "HELLO: visitor, chat and a 32-char resume token")
    chat = h["chat"]
    q = v.expect_event("QUEUED")
    t.eq(kv(q).get("pos"), "1", "visitor is told queue position 1")
    qa = a.expect_event("QADD")
    t.ok(qa is not None and text(qa) == "我的订单没有到", "agent sees QADD with the first words", qa)

    final, rows = a.cmd("QUEUE")
    t.eq(final, "OK 1", "QUEUE lists one waiting chat")
    t.ok(rows and rows[0].startswith(chat + " ") and "name=张三" in rows[0], "queue row has chat id and visitor name", rows)

    final, _ = a.cmd("ACCEPT " + chat)
    t.ok(final.startswith("OK chat=" + chat), "ACCEPT the chat", final)
    asg = v.expect_event("ASSIGNED")
    t.eq(kv(asg).get("agent"), "Alice", "visitor told the agent's display name")
    final, _ = a.cmd("ACCEPT " + chat)
    t.ok(final.startswith("ERR STATE"), "accepting twice is refused", final)

    seqs = []
    for i in range(5):
        final, _ = a.cmd("MSG %s :答复 %d" % (chat, i))
        seqs.append(int(kv(final)["seq"]))
    t.eq(seqs, sorted(seqs), "agent message sequence numbers increase")
    got = [text(v.expect_event("MSG")) for _ in range(5)]
    t.eq(got, ["答复 %d" % i for i in range(5)], "visitor receives agent messages in order")

    # the agent's own copies of the five messages follow each OK
    t.eq([text(a.expect_event("MSG " + chat)) for _ in range(5)], ["答复 %d" % i for i in range(5)],
         "the agent gets a copy of each message, after its OK")
    v.events.clear()
    final, _ = v.cmd("SAY :第一行\\n第二行")
    t.ok(final.startswith("OK seq="), "visitor SAY acknowledged with seq")
    m = a.expect_event("MSG " + chat)
    echo = v.expect_event("MSG " + chat)
    t.eq(text(echo), "第一行\n第二行", "the visitor gets their own message back as an event")
    t.eq(text(m), "第一行\n第二行", "newline inside a message travels escaped and round-trips")
    t.ok(m.split()[3] == "visitor", "message kind is visitor", m)

    v.ok("TYPING :我在打字")
    ty = a.expect_event("TYPING " + chat)
    t.eq(text(ty), "我在打字", "agent sees the visitor's typing draft")

    final, _ = a.cmd("NOTE %s :VIP customer, be nice" % chat)
    t.ok(final.startswith("OK seq="), "NOTE accepted")
    t.ok(v.no_event("MSG", 0.3), "visitor never receives an internal note")
    t.ok(a.expect_event("MSG %s" % chat) is not None, "the agent gets the note as an event")

    v.ok("PAGE /shop/checkout :Checkout")
    final, rows = a.cmd("VISITOR " + h["visitor"])
    t.ok(any(r == "name=张三" for r in rows) and any("url=/shop/checkout" in r for r in rows),
         "VISITOR card has the name and the page trail", rows)

    final, rows = a.cmd("TRANSCRIPT " + chat)
    kinds = [kv(r).get("kind") for r in rows]
    t.ok("note" in kinds and kinds.count("agent") == 5 and kinds[0] == "visitor",
         "TRANSCRIPT has the question, agent messages and the note", kinds)

    final, _ = v.cmd("RATE 5")
    t.ok(final.startswith("ERR STATE"), "rating before the end is refused", final)

    final, _ = a.cmd("END " + chat)
    t.eq(final, "OK", "agent ENDs the chat")
    t.ok(v.expect_event("ENDED") is not None, "visitor told the chat ended")
    final, _ = v.cmd("SAY :还在吗")
    t.ok(final.startswith("ERR STATE"), "visitor cannot talk in an ended chat", final)
    final, _ = v.cmd("RATE 9")
    t.ok(final.startswith("ERR ARGS"), "rating out of range refused", final)
    final, _ = v.cmd("RATE 5 :很好")
    t.eq(final, "OK", "visitor rates 5")
    rated = a.expect_event("RATED " + chat)
    t.ok(rated is not None and "score=5" in rated, "agent sees the rating", rated)
    final, _ = v.cmd("RATE 4")
    t.ok(final.startswith("ERR STATE"), "rating twice refused", final)

    final, _ = a.cmd("WRAPUP %s shipping :resent the parcel" % chat)
    t.eq(final, "OK", "WRAPUP with category and summary")
    final, rows = a.cmd("HISTORY " + h["visitor"])
    t.ok(len(rows) == 1 and "category=shipping" in rows[0] and "rating=5" in rows[0],
         "HISTORY shows the chat with wrap-up and rating", rows)
    final, rows = a.cmd("SEARCH :第二行")
    t.ok(len(rows) >= 1 and rows[0].startswith(chat + " "), "SEARCH finds the chat by its text", rows)
    final, rows = a.cmd("REPLIES :订单")
    t.ok(len(rows) == 1 and "订单号" in rows[0], "REPLIES finds a Chinese quick reply by substring", rows)
finally:
    srv.cleanup()
t.done()
