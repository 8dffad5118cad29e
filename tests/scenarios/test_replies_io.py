"""kefud replies export|import FILE: quick replies (shared per group, for
everyone, personal, with categories, codes, positions, Chinese, commas,
quotes and line breaks) exported as YAML and CSV beside a running server,
imported into a second server and exported again byte for byte; a bad entry
imports nothing; export is read-only and creates no database."""
import os, sys
import yaml
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, read_csv, same_bytes, text

t = Tap()
A = Server().start()
B = Server().start()


def listing(srv, who):
    c = srv.client(); c.login(who)
    final, rows = c.cmd("REPLIES")
    c.close()
    return sorted((kv(r).get("group"), kv(r).get("mine"), kv(r).get("cat"),
                   kv(r).get("code"), kv(r).get("title"), text(r)) for r in rows)


try:
    adm = A.client(); adm.login("admin")
    al = A.client(); al.login("alice")
    adm.ok("REPLYADD 运费 group=sales cat=售前 code=ship :满99元包邮,偏远地区除外。")
    adm.ok('REPLYADD quote group=tech cat=tech code=q :He said "a, b"\\nthen: left')
    al.ok("REPLYADD 我的 mine=1 cat=常用 code=hi :您好,我是Alice。")
    ya = os.path.join(A.dir, "replies.yml")
    ca = os.path.join(A.dir, "replies.csv")
    r = A.cli("replies", "export", ya)
    t.ok(r.returncode == 0 and os.path.exists(ya), "export YAML beside the running server", r.stderr)
    doc = yaml.safe_load(open(ya, encoding="utf-8"))
    mine = [e for e in doc if e.get("owner") == "alice"]
    t.ok(len(doc) == 6 and len(mine) == 1 and mine[0]["code"] == "hi" and mine[0]["text"] == "您好,我是Alice。",
         "the YAML holds the 3 seeded and 3 new replies, alice's with owner and code", doc)
    q = [e for e in doc if e["title"] == "quote"]
    t.ok(q and q[0]["text"] == 'He said "a, b"\nthen: left' and q[0]["group"] == "tech",
         "quotes, commas and a line break survive in YAML", q)
    r = A.cli("replies", "export", ca)
    t.eq(r.returncode, 0, "export CSV")
    rows = read_csv(ca)
    t.ok(len(rows) == 6 and set(rows[0]) == {"group", "owner", "cat", "code", "pos", "title", "text"},
         "the CSV has a header and 6 rows", rows[:1])
    t.ok(any(x["title"] == "quote" and x["text"] == 'He said "a, b"\nthen: left' for x in rows),
         "quotes, commas and a line break survive in CSV", rows)

    # -- into B (its own seeded replies removed first)
    badm = B.client(); badm.login("admin")
    for i in (1, 2, 3):     # B's seeded replies; they do not come back
        badm.ok("REPLYDEL %d" % i)
    bad = os.path.join(B.dir, "bad.yml")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("- title: ok\n  text: fine\n- title: nogroup\n  text: x\n  group: nosuch\n")
    r = B.cli("replies", "import", bad)
    t.ok(r.returncode == 1 and "nosuch" not in r.stdout and "no such group" in r.stderr,
         "an entry for an unknown group fails the import", r.stderr)
    t.eq(listing(B, "admin"), [], "and nothing of the file was imported")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("- title: x\n  text: y\n  colour: red\n")
    r = B.cli("replies", "import", bad)
    t.ok(r.returncode == 1 and "unknown key" in r.stderr, "an unknown key fails the import", r.stderr)
    badcsv = os.path.join(B.dir, "bad.csv")
    with open(badcsv, "w", encoding="utf-8") as f:
        f.write("title,text,code\nok,fine,c1\nbad,\"unterminated\n")
    r = B.cli("replies", "import", badcsv)
    t.ok(r.returncode == 1 and listing(B, "admin") == [], "a malformed CSV imports nothing", r.stderr)
    with open(badcsv, "w", encoding="utf-8") as f:
        f.write("title,text,code\na,x,dup\nb,y,dup\n")
    r = B.cli("replies", "import", badcsv)
    t.ok(r.returncode == 1 and "taken" in r.stderr and listing(B, "admin") == [],
         "a code twice in one scope imports nothing", r.stderr)

    r = B.cli("replies", "import", ya)
    t.ok(r.returncode == 0 and "imported 6" in r.stdout, "import the YAML into B (which has no replies)", r.stdout + r.stderr)
    t.eq(listing(B, "alice"), listing(A, "alice"), "alice sees the same replies on B as on A (her own included)")
    t.eq(listing(B, "bob"), listing(A, "bob"), "bob sees the same on both, not alice's")
    yb = os.path.join(B.dir, "again.yml")
    r = B.cli("replies", "export", yb)
    t.ok(r.returncode == 0 and same_bytes(yb, ya),
         "B's YAML export is byte for byte A's")
    c = B.client(); c.login("alice")
    final, rows = c.cmd("REPLIES :/hi")
    t.ok(final == "OK 1" and kv(rows[0]).get("mine") == "1", "the imported personal code works", rows)
    c.close()

    # -- CSV round trip: clear B, import A's CSV, export, compare
    final, rows = badm.cmd("REPLIES")
    for row in rows:
        if kv(row).get("mine") == "0":
            badm.ok("REPLYDEL " + row.split()[0])
    c = B.client(); c.login("alice")
    for row in c.cmd("REPLIES")[1]:
        if kv(row).get("mine") == "1":
            c.ok("REPLYDEL " + row.split()[0])
    c.close()
    t.eq(listing(B, "alice"), [], "B is empty again")
    r = B.cli("replies", "import", ca)
    t.ok(r.returncode == 0 and "imported 6" in r.stdout, "import the CSV into B", r.stdout + r.stderr)
    cb = os.path.join(B.dir, "again.csv")
    r = B.cli("replies", "export", cb)
    t.ok(r.returncode == 0 and same_bytes(cb, ca),
         "B's CSV export is byte for byte A's")

    # -- export is read-only: no database is created
    r, left = B.cli_missing_db("replies", "export", os.path.join(B.dir, "x.yml"))
    t.ok(r.returncode == 1 and not left,
         "export from a missing database fails and creates none", r.stderr)
    r = B.cli("replies", "frobnicate", "x")
    t.eq(r.returncode, 2, "an unknown replies action: usage, exit 2")
    t.ok(A.alive() and B.alive(), "both servers are alive")
finally:
    for s in (A, B):
        s.stop()
        s.cleanup()
t.done()
