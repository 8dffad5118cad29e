"""An ended chat that waits for its wrap-up still names its visitor in
CHATS and on the desk board (CHATS all) after the chat let go of them: the
visitor came back with HELLO for a new chat, or stayed away past
visitor.resume_timeout. Before, such a row said visitor=0 name= and the
console's tab read "visitor"."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, wait_for

t = Tap()
srv = Server(extra={"visitor": {"resume_timeout": 1}}).start()


def row(client, line, chat):
    final, rows = client.cmd(line)
    for r in rows:
        if r.split()[0] == str(chat):
            return kv(r)
    return {}


try:
    a = srv.client(); a.login("alice")
    sup = srv.client(); sup.login("carol")
    # back with a new chat: the ended one lets go of the visitor
    v = srv.client()
    h = v.hello("name=张三 group=tech :订单没有到")
    a.ok("ACCEPT %s" % h["chat"])
    a.ok("END %s" % h["chat"])
    v.expect_event("ENDED", 10)
    v.ok("HELLO name=张三 group=tech :还有一个问题")
    r = row(a, "CHATS", h["chat"])
    t.ok(r.get("state") == "ended" and r.get("visitor") == h["visitor"] and r.get("name") == "张三",
         "the ended chat of a visitor who asked again still names them in CHATS", r)
    r = row(sup, "CHATS all", h["chat"])
    t.ok(r.get("visitor") == h["visitor"] and r.get("name") == "张三",
         "and on the board (CHATS all)", r)
    # gone past resume_timeout: the chat ends and the visitor is forgotten
    w = srv.client()
    h2 = w.hello("name=李四 group=tech :发票")
    a.ok("ACCEPT %s" % h2["chat"])
    w.close()
    r = wait_for(lambda: (lambda x: x if x.get("state") == "ended" else None)(
        row(a, "CHATS", h2["chat"])), 30)
    t.ok(r is not None and r.get("visitor") == h2["visitor"] and r.get("name") == "李四",
         "a chat ended by the resume timeout still names its visitor", r)
finally:
    srv.stop()
    srv.cleanup()
sys.exit(t.done())
