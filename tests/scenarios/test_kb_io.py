"""kefud kb export|import FILE: the bot's knowledge base (Chinese, commas,
quotes, line breaks, keys, groups, a disabled entry) exported as YAML and
CSV beside a running server, imported into a second running server (whose
bot answers from it at once) and exported again byte for byte. Hostile
files import nothing and never hang or crash kefud: bytes that are not
UTF-8, a NUL, control bytes, a missing answer, over-long fields, an unknown
group, key or column, a bad `enabled`, a nested value, a malformed or
ragged CSV, an alias bomb, more than 10000 entries."""
import os, sys, time
import yaml
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, read_csv, same_bytes, text

t = Tap()
BOT = {"groups": [{"name": "sales", "mode": "auto", "bot": "front"},
                  {"name": "tech", "mode": "manual"}]}
A = Server(extra=BOT).start()
B = Server(extra=BOT).start()


def listing(srv):
    c = srv.client(); c.login("admin")
    final, rows = c.cmd("KB limit=200")
    c.close()
    return [(kv(r).get("group"), kv(r).get("enabled"), kv(r).get("question"),
             kv(r).get("keys"), text(r)) for r in rows]


try:
    adm = A.client(); adm.login("admin")
    adm.ok("KBADD 订单没有到怎么办 keys=物流|快递 :请提供订单号,我们马上为您查询。")
    adm.ok('KBADD quote group=tech keys=a,b|"c" :He said "a, b"\\nthen: left')
    adm.ok("KBADD How\\sdo\\sI\\spay group=sales enabled=0 :By card or Alipay.")
    ya = os.path.join(A.dir, "kb.yml")
    ca = os.path.join(A.dir, "kb.csv")
    r = A.cli("kb", "export", ya)
    t.ok(r.returncode == 0 and os.path.exists(ya), "export YAML beside the running server", r.stderr)
    doc = yaml.safe_load(open(ya, encoding="utf-8"))
    t.ok(len(doc) == 3 and doc[0]["question"] == "订单没有到怎么办" and doc[0]["keys"] == "物流|快递",
         "the YAML holds the three entries with question and keys", doc)
    q = [e for e in doc if e["question"] == "quote"]
    t.ok(q and q[0]["answer"] == 'He said "a, b"\nthen: left' and q[0]["group"] == "tech"
         and q[0]["keys"] == 'a,b|"c"', "quotes, commas and a line break survive in YAML", q)
    t.ok(str(doc[2]["enabled"]) == "0", "the disabled entry says enabled: 0", doc[2])
    r = A.cli("kb", "export", ca)
    t.eq(r.returncode, 0, "export CSV")
    rows = read_csv(ca)
    t.ok(len(rows) == 3 and list(rows[0]) == ["group", "question", "keys", "answer", "enabled"],
         "the CSV: header group,question,keys,answer,enabled and 3 rows", rows[:1])

    # -- hostile files: nothing is imported, kefud B stays up
    def refused(name, data, what, expect=None):
        path = os.path.join(B.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        t0 = time.time()
        r = B.cli("kb", "import", path)
        err = r.stderr
        t.ok(r.returncode == 1 and "imported" not in r.stdout and
             (expect is None or expect in err) and listing(B) == [],
             "%s: refused, nothing imported (%.1f s)" % (what, time.time() - t0), err[-300:])

    good = b"- question: ok\n  answer: fine\n"
    refused("a.yml", good + b"- question: \xff\xfe\n  answer: x\n", "bytes that are not UTF-8", "UTF-8")
    refused("b.yml", good + b"- question: a\x00b\n  answer: x\n", "a NUL byte", "UTF-8")
    refused("c.yml", good + b"- question: a\x1bb\n  answer: x\n", "an escape (control) byte")
    refused("d.yml", good + b"- question: no answer\n", "an entry without an answer", "answer")
    refused("e.yml", good + b"- question: " + b"q" * 257 + b"\n  answer: x\n",
            "a question over 256 bytes", "question")
    refused("f.yml", good + b"- question: q\n  keys: " + b"k" * 1025 + b"\n  answer: x\n",
            "keys over 1024 bytes", "keys")
    refused("g.yml", good + b"- question: q\n  answer: " + b"a" * 4097 + b"\n",
            "an answer over 4096 bytes", "answer")
    refused("h.yml", good + b"- question: q\n  answer: x\n  group: nosuch\n",
            "an unknown group", "no such group")
    refused("i.yml", good + b"- question: q\n  answer: x\n  colour: red\n", "an unknown key", "unknown key")
    refused("j.yml", good + b"- question: q\n  answer: x\n  enabled: maybe\n", "enabled: maybe", "enabled")
    refused("k.yml", good + b"- question: q\n  answer: [a, b]\n", "a list as a value", "scalar")
    refused("l.yml", b"question: q\nanswer: x\n", "a mapping, not a list", "knowledge_base")
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i, n in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += ("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n" %
                 ((n, n) + (prev,) * 9)).encode()
    refused("m.yml", bomb, "an alias bomb (9^9 references)")
    refused("n.csv", b"question,answer\nok,fine\nbad,\"unterminated\n", "a malformed CSV")
    refused("o.csv", b"question,answer\nok,fine\na,b,c\n", "a CSV row with too many fields")
    refused("p.csv", b"question,answer,colour\nq,a,red\n", "a CSV with an unknown column", "columns")
    refused("q.csv", b"question,answer\n" + b"".join(b"q%d,a\n" % i for i in range(10001)),
            "10001 entries", "too many")
    t.ok(B.alive(), "kefud B is alive after the hostile files")

    # -- into B while it runs; its bot answers from the imported entries
    r = B.cli("kb", "import", ya)
    t.ok(r.returncode == 0 and "imported 3" in r.stdout, "import the YAML into B",
         r.stdout + r.stderr)
    t.eq(listing(B), listing(A), "B lists the same entries as A")
    v = B.client()
    final, _ = v.cmd("HELLO group=sales :我的订单没有到,怎么办")
    c = kv(final).get("chat")
    got = None
    deadline = time.time() + 20
    while got is None and time.time() < deadline:
        e = v.expect_event("MSG %s " % c, deadline - time.time())
        if e and e.split()[3] == "bot":
            got = e
    t.ok(got is not None and text(got) == "请提供订单号,我们马上为您查询。",
         "B's bot answers from the imported entries at once", got)
    yb = os.path.join(B.dir, "again.yml")
    r = B.cli("kb", "export", yb)
    t.ok(r.returncode == 0 and same_bytes(yb, ya),
         "B's YAML export is byte for byte A's")
    badm = B.client(); badm.login("admin")
    for row in badm.cmd("KB")[1]:
        badm.ok("KBDEL " + row.split()[0])
    t.eq(listing(B), [], "B is empty again")
    r = B.cli("kb", "import", ca)
    t.ok(r.returncode == 0 and "imported 3" in r.stdout, "import the CSV into B", r.stderr)
    cb = os.path.join(B.dir, "again.csv")
    r = B.cli("kb", "export", cb)
    t.ok(r.returncode == 0 and same_bytes(cb, ca),
         "B's CSV export is byte for byte A's")
    final, rows = badm.cmd("AUDIT 1")
    t.ok(kv(rows[0]).get("action") == "kbimport", "an import is audited (kbimport)", rows)

    r, left = B.cli_missing_db("kb", "export", os.path.join(B.dir, "x.yml"))
    t.ok(r.returncode == 1 and not left, "export from a missing database creates none (nor a WAL)",
         r.stderr)
    r = B.cli("kb", "frobnicate", "x")
    t.eq(r.returncode, 2, "an unknown kb action: usage, exit 2")
    t.ok(A.alive() and B.alive(), "both servers are alive")
finally:
    for s in (A, B):
        s.stop()
        s.cleanup()
t.done()
