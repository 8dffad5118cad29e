"""Quick replies seeded from the configuration (quick_replies:) with a
short code and a category: the demo desk's replies each have a code, so a
first user can try /code Tab in the console; REPLIES :/code finds them;
a bad code, or one given twice in a scope, stops kefud at its first start
with the reply's title in the log."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text
import yaml

t = Tap()
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))


def refused(replies, why):
    """kefud started with these seeds exits, saying why."""
    srv = Server(extra={"quick_replies": replies})
    srv.write_config()
    try:
        log = open(srv.log_path, "ab")
        import subprocess
        p = subprocess.run([srv.binary, "-c", srv.config_path], stdout=log,
                           stderr=log, cwd=srv.dir, timeout=120)
        log.close()
        return p.returncode != 0 and why in srv.log(), srv.log()[-600:]
    finally:
        srv.cleanup()


with open(os.path.join(TOP, "etc", "kefu-demo.yml"), encoding="utf-8") as f:
    demo = yaml.safe_load(f)["quick_replies"]
srv = Server(extra={"quick_replies": demo + [
    {"title": "发货", "cat": "物流", "code": "ship", "group": "tech",
     "text": "您的包裹已经发出。"}]}).start()
try:
    a = srv.client(); a.login("alice")
    final, rows = a.cmd("REPLIES limit=200")
    codes = [kv(r).get("code") for r in rows]
    t.ok(final == "OK %d" % (len(demo) + 1) and all(codes),
         "every demo reply is seeded with its code", rows)
    final, rows = a.cmd("REPLIES :/hi")
    t.ok(final == "OK 1" and kv(rows[0]).get("title") == "问候",
         "REPLIES :/hi finds the demo's greeting", rows)
    final, rows = a.cmd("REPLIES :/ship")
    t.ok(final == "OK 1" and kv(rows[0]).get("cat") == "物流" and
         kv(rows[0]).get("group") == "tech" and text(rows[0]) == "您的包裹已经发出。",
         "a seeded reply keeps its category, group and code", rows)
finally:
    srv.stop()
    srv.cleanup()

ok, log = refused([{"title": "坏", "code": "两 字", "text": "x"}], "'坏': a code is")
t.ok(ok, "a bad code stops the first start, naming the reply", log)
ok, log = refused([{"title": "one", "code": "hi", "text": "x"},
                   {"title": "two", "code": "hi", "text": "y"}], "'two': the code is taken")
t.ok(ok, "a code given twice for everyone stops the first start", log)
srv = Server(extra={"quick_replies": [
    {"title": "one", "code": "hi", "group": "sales", "text": "x"},
    {"title": "two", "code": "hi", "group": "tech", "text": "y"}]}).start()
try:
    a = srv.client(); a.login("alice")
    final, rows = a.cmd("REPLIES :/hi")
    t.eq(final, "OK 2", "the same code in two groups is fine")
finally:
    srv.stop()
    srv.cleanup()
sys.exit(t.done())
