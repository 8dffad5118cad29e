"""HELLO phone=: the phone a visitor gives in the pre-chat form. It is
checked like a case's phone (3-32 characters, digits and + - ( ) . space,
at least 3 digits) before anything happens, kept on the visitor (VISITOR
shows phone=), and links the visitor to the customer card that has that
phone, as an e-mail does. An empty phone= is no phone."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

RULE = "ERR ARGS phone: 3-32 characters, digits and + - ( ) . space"

t = Tap()
srv = Server().start()


def card(a, vid):
    final, rows = a.cmd("VISITOR %s" % vid)
    out = {}
    for r in rows:
        if not r.startswith("page"):
            out.update(kv(r))
    return final, out, rows


try:
    a = srv.client()
    a.login("alice")

    # refused shapes: nothing is made, the connection goes on
    for bad, why in (("12", "two characters"), ("abc-123", "letters"),
                     ("1" * 33, "33 characters"), ("(+)--..", "no digits"),
                     ("13800138000;DROP", "a semicolon")):
        v = srv.client()
        final, _ = v.cmd("HELLO name=x phone=%s :hi" % bad)
        want = RULE if len(bad) <= 32 else "ERR ARGS phone is longer than 32 bytes"
        t.eq(final, want, "HELLO phone= with %s is refused" % why)
        final, _ = v.cmd("WHOAMI")
        t.eq(final, "OK role=none", "... and the connection has no visitor (%s)" % why)
        v.close()

    # a good phone is kept and shown to the agent, next to the e-mail
    v = srv.client()
    h = v.hello("name=张三 email=zs@example.com phone=+86\\s138-0013-8000 :查订单")
    t.ok("chat" in h, "HELLO with a phone starts a chat", h)
    final, c, rows = card(a, h["visitor"])
    t.ok(final.startswith("OK"), "VISITOR answers", final)
    t.eq(c.get("phone"), "+86 138-0013-8000", "VISITOR shows the phone as given")
    keys = [r.split("=", 1)[0] for r in rows]
    t.ok("email" in keys and "phone" in keys and keys.index("phone") == keys.index("email") + 1,
         "the phone row comes right after the e-mail row", keys)

    # without a phone, phone= is empty in VISITOR
    w = srv.client()
    h2 = w.hello("name=李四 :hi")
    final, c2, _ = card(a, h2["visitor"])
    t.eq(c2.get("phone"), "", "a visitor who gave no phone has phone= empty")
    h3 = srv.client().hello("name=empty phone= :hi")
    t.ok("chat" in h3, "an empty phone= is no phone, not an error", h3)

    # a card with that phone: a new visitor giving it is linked to the card
    final, _ = a.cmd("CUSTSET visitor=%s name=王五 phones=13900139000" % h2["visitor"])
    t.ok(final.startswith("OK customer="), "the agent makes a card with a phone", final)
    cid = kv(final)["customer"]
    x = srv.client()
    hx = x.hello("name=王五 phone=139-0013-9000 :又来了")
    final, cx, _ = card(a, hx["visitor"])
    t.eq(cx.get("customer"), cid, "a visitor giving the card's phone (other punctuation) is linked to it")
    t.eq(cx.get("phone"), "139-0013-9000", "... and keeps the phone as they wrote it")

    # a visitor's second HELLO after * ENDED may give a phone too
    final, _ = w.cmd("END")
    t.eq(final, "OK", "李四 ends the chat")
    final, _ = w.cmd("HELLO phone=x :again")
    t.eq(final, RULE, "a bad phone on the second HELLO is refused too")
    final, _ = w.cmd("HELLO phone=010-12345678 :again")
    t.ok(final.startswith("OK visitor=%s chat=" % h2["visitor"]), "a good one starts the new chat", final)
    final, c2, _ = card(a, h2["visitor"])
    t.eq(c2.get("phone"), "010-12345678", "the second HELLO's phone is kept")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.stop()
t.done()
