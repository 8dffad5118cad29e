"""Quick replies (快捷回复): shared replies per group (admins manage them) and
personal ones (mine=1, each agent manages their own, nobody else sees them),
in categories with a position, with short codes (REPLIES :/code), ordered
the agent's own first, then the chat's group's, the agent's groups',
everyone's and other groups'; REPLYSET/REPLYDEL role rules, limits, and
search in Chinese."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()


def titles(rows):
    return [kv(r).get("title") for r in rows]


def ids(rows):
    return [r.split()[0] for r in rows]


def add(c, line):
    final, _ = c.cmd(line)
    t.ok(final is not None and final.startswith("OK id="), line, final)
    return kv(final).get("id")


def err(final, code):
    return final is not None and final.startswith("ERR " + code)


try:
    adm = srv.client(); adm.login("admin")
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    sup = srv.client(); sup.login("carol")
    adm.ok("GROUPADD billing")

    # -- the rows: id, group, mine, cat, code, pos, title, text
    final, rows = a.cmd("REPLIES")
    t.eq(final, "OK 3", "the three seeded replies")
    f = kv(rows[0])
    t.ok(all(k in f for k in ("group", "mine", "cat", "code", "pos", "title")) and f["mine"] == "0",
         "a row has group, mine, cat, code, pos, title and the text", rows[0])

    # -- who may add what
    final, _ = a.cmd("REPLYADD t :x")
    t.ok(err(final, "DENIED"), "agent: a shared REPLYADD -> ERR DENIED", final)
    final, _ = sup.cmd("REPLYADD t group=tech :x")
    t.ok(err(final, "DENIED"), "supervisor: a shared REPLYADD -> ERR DENIED", final)
    s_sales = add(adm, "REPLYADD 运费 group=sales cat=售前 code=ship :满99元包邮。")
    s_tech = add(adm, "REPLYADD reset group=tech cat=tech code=pw :Reset it under Settings.")
    s_bill = add(adm, "REPLYADD invoice group=billing :Invoices go out monthly.")
    p_alice = add(a, "REPLYADD 我的问候 mine=1 cat=常用 code=hi :您好,我是Alice。")
    p_sup = add(sup, "REPLYADD sup mine=1 :supervisor's own")
    p_adm = add(adm, "REPLYADD adm mine=1 code=ship :admin's own shipping note")
    final, _ = a.cmd("REPLYADD x mine=1 group=tech :x")
    t.ok(err(final, "ARGS"), "a personal reply with a group: ERR ARGS", final)
    final, _ = adm.cmd("REPLYADD x group=nosuch :x")
    t.ok(err(final, "NOTFOUND"), "a shared reply for an unknown group: ERR NOTFOUND", final)

    # -- ordering: own, the chat's group, the agent's groups, everyone, others
    v = srv.client()
    chat = v.hello("name=V group=sales :hi")["chat"]
    final, rows = a.cmd("REPLIES chat=" + chat)
    ts = titles(rows)
    t.eq(ts[:3], ["我的问候", "运费", "reset"],
         "alice's own reply, then the sales chat's, then her tech group's")
    t.eq(ts[-1], "invoice", "a group alice is not in comes last")
    t.ok("sup" not in ts and "adm" not in ts, "others' personal replies are not shown", ts)
    final, rows = b.cmd("REPLIES")
    t.ok("我的问候" not in titles(rows), "bob does not see alice's personal reply", titles(rows))
    final, rows = adm.cmd("REPLIES")
    t.eq(titles(rows)[0], "adm", "the admin's own personal reply comes first for the admin")
    final, _ = a.cmd("REPLIES chat=99999")
    t.ok(err(final, "NOTFOUND"), "REPLIES chat= of no active chat: ERR NOTFOUND", final)
    final, _ = a.cmd("REPLIES foo=1")
    t.ok(err(final, "ARGS"), "REPLIES with an unknown option: ERR ARGS", final)

    # -- codes
    final, rows = a.cmd("REPLIES :/ship")
    t.ok(final == "OK 1" and text(rows[0]) == "满99元包邮。", "REPLIES :/ship finds the code", rows)
    final, rows = adm.cmd("REPLIES :/SHIP")
    t.eq(ids(rows), [p_adm, s_sales], "codes ignore case; the admin's own /ship comes before the shared one")
    final, _ = adm.cmd("REPLYADD dup group=sales code=ship :again")
    t.ok(err(final, "EXISTS"), "a code taken in the same group: ERR EXISTS", final)
    add(adm, "REPLYADD other group=tech code=ship :tech shipping")
    final, _ = a.cmd("REPLYADD x mine=1 code=bad/code :x")
    t.ok(err(final, "ARGS"), "a code with '/': ERR ARGS", final)
    final, _ = a.cmd("REPLYADD x mine=1 code=%s :x" % ("c" * 17))
    t.ok(err(final, "ARGS"), "a 17-byte code: ERR ARGS", final)
    final, _ = a.cmd("REPLYADD x mine=1 code=HI :x")
    t.ok(err(final, "EXISTS"), "alice's own code again (other case): ERR EXISTS", final)

    # -- Chinese search (title, text, category)
    final, rows = a.cmd("REPLIES :订单")
    t.ok(final == "OK 1" and titles(rows) == ["订单号"], "REPLIES :订单 finds the seeded 订单号", rows)
    final, rows = a.cmd("REPLIES :包邮")
    t.eq(titles(rows), ["运费"], "a search in a reply's Chinese text")
    final, rows = a.cmd("REPLIES :常用")
    t.eq(titles(rows), ["我的问候"], "a search by category")

    # -- REPLYSET / REPLYDEL role rules
    for who, c in (("agent", a), ("supervisor", sup)):
        final, _ = c.cmd("REPLYSET %s title=x" % s_sales)
        t.ok(err(final, "DENIED"), "%s: REPLYSET of a shared reply -> ERR DENIED" % who, final)
        final, _ = c.cmd("REPLYDEL " + s_sales)
        t.ok(err(final, "DENIED"), "%s: REPLYDEL of a shared reply -> ERR DENIED" % who, final)
    final, _ = b.cmd("REPLYSET %s :mine now" % p_alice)
    t.ok(err(final, "NOTFOUND"), "bob: REPLYSET of alice's reply -> ERR NOTFOUND", final)
    final, _ = b.cmd("REPLYDEL " + p_alice)
    t.ok(err(final, "NOTFOUND"), "bob: REPLYDEL of alice's reply -> ERR NOTFOUND", final)
    final, _ = adm.cmd("REPLYDEL " + p_alice)
    t.ok(err(final, "NOTFOUND"), "admin: REPLYDEL of alice's personal reply -> ERR NOTFOUND", final)
    final, _ = a.cmd("REPLYSET %s title=问候语 code= :您好!" % p_alice)
    t.eq(final, "OK", "alice edits her own reply (title, clear code, text)")
    final, rows = a.cmd("REPLIES :问候语")
    t.ok(len(rows) == 1 and kv(rows[0]).get("code") == "" and text(rows[0]) == "您好!",
         "the change shows", rows)
    final, _ = adm.cmd("REPLYSET %s cat=物流 :满199元包邮。" % s_sales)
    t.eq(final, "OK", "admin edits a shared reply")
    final, rows = a.cmd("REPLIES chat=%s :/ship" % chat)
    t.ok(final == "OK 2" and kv(rows[0]).get("cat") == "物流" and text(rows[0]) == "满199元包邮。", "agents see the edit; in a sales chat the sales /ship comes before the tech one", rows)
    final, _ = a.cmd("REPLYSET " + p_alice)
    t.ok(err(final, "ARGS"), "REPLYSET with nothing to change: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET %s colour=red" % p_alice)
    t.ok(err(final, "ARGS"), "REPLYSET with an unknown option: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET abc title=x")
    t.ok(err(final, "ARGS"), "REPLYSET of a non-number: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET 999999 title=x")
    t.ok(err(final, "NOTFOUND"), "REPLYSET of no reply: ERR NOTFOUND", final)
    final, _ = a.cmd("REPLYSET %s pos=100001" % p_alice)
    t.ok(err(final, "ARGS"), "pos out of range: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET %s title=%s" % (p_alice, "t" * 129))
    t.ok(err(final, "ARGS"), "a 129-byte title: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET %s cat=%s" % (p_alice, "c" * 33))
    t.ok(err(final, "ARGS"), "a 33-byte category: ERR ARGS", final)
    final, _ = a.cmd("REPLYSET %s :%s" % (p_alice, "x" * 4097))
    t.ok(err(final, "ARGS"), "a 4097-byte text: ERR ARGS", final)
    final, _ = sup.cmd("REPLYDEL " + p_sup)
    t.eq(final, "OK", "the supervisor deletes their own reply")
    final, rows = sup.cmd("REPLIES :supervisor")
    t.eq(final, "OK 0", "it is gone")
    final, _ = adm.cmd("REPLYDEL " + s_bill)
    t.eq(final, "OK", "admin deletes a shared reply")
    final, _ = adm.cmd("REPLYDEL " + s_bill)
    t.ok(err(final, "NOTFOUND"), "deleting it again: ERR NOTFOUND", final)

    # -- order within a category: pos
    r1 = add(a, "REPLYADD one mine=1 cat=seq :first")
    r2 = add(a, "REPLYADD two mine=1 cat=seq :second")
    r3 = add(a, "REPLYADD three mine=1 cat=seq :third")
    final, rows = a.cmd("REPLIES :seq")
    t.eq(ids(rows), [r1, r2, r3], "new replies go to the end of their category")
    a.ok("REPLYSET %s pos=0" % r3)
    final, rows = a.cmd("REPLIES :seq")
    t.eq(ids(rows), [r3, r1, r2], "pos=0 moves a reply to the top")

    # -- the audit trail has admins' changes to shared replies
    final, rows = adm.cmd("AUDIT 50")
    t.ok(any("replyset" in r for r in rows) and any("replydel" in r for r in rows),
         "AUDIT lists replyset and replydel", rows[:6])

    # -- a deleted account's personal replies go with it
    adm.ok("USERADD eve agent groups=sales :evesecret1")
    e = srv.client(); e.login("eve", "evesecret1")
    add(e, "REPLYADD evenote mine=1 :eve's")
    e.close()
    adm.ok("USERDEL eve")
    adm.ok("USERADD eve agent groups=sales :evesecret1")
    e = srv.client(); e.login("eve", "evesecret1")
    final, rows = e.cmd("REPLIES :eve's")
    t.eq(final, "OK 0", "a re-created eve does not inherit the old eve's replies")

    # -- limits: a personal list is bounded (ERR LIMIT), others unaffected
    n = 0
    final = None
    for i in range(600):
        final, _ = e.cmd("REPLYADD r%d mine=1 :x" % i)
        if not final.startswith("OK"):
            break
        n += 1
    t.ok(n == 500 and err(final, "LIMIT"), "the 501st personal reply: ERR LIMIT (%d added)" % n, final)
    add(a, "REPLYADD stillok mine=1 :x")
    t.ok(srv.alive(), "the server is alive")
finally:
    srv.stop()
    srv.cleanup()
t.done()
