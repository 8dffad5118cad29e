"""Privacy, checked from outside against proto/PROTOCOL.md only ("Who sees
what", "Roles", the event table, WebSocket): a visitor never sees another
visitor, notes, whispers, an agent's draft, account names, addresses or
staff events, and may use only visitor verbs; an agent of one group never
sees a chat, visitor, card, case or browsing visitor of another group
through TRANSCRIPT, HISTORY, FIND, SEARCH, VISITOR, CUSTOMER(S), VISITORS,
QUEUE, CHATS, WATCHERS, CASES/CASE, ACCEPT or any event; HELP lists only
what the connection may use, also on the web door."""
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "web"))
from kefutest import Server, Client, Tap, kv, text
from wsclient import WSClient

USERS = [  # name, role, password, display, groups, max
    ("admin", "admin", "admin123", "Admin", "sales,tech", 5),
    ("ann", "agent", "ann-pass-1", "安娜", "sales", 5),
    ("ted", "agent", "ted-pass-1", "Ted", "tech", 5),
    ("carol", "supervisor", "carol123", "Carol", "sales", 5),
]
PW = {u[0]: u[2] for u in USERS}
# what a visitor may receive (the "to" column of the event table)
VISITOR_EVENTS = {"QUEUED", "CLOSED", "ASSIGNED", "TRANSFERRED", "MSG", "TYPING",
                  "ENDED", "CASEREPLY", "KICKED", "SHUTDOWN"}
STAFF_VERBS = ["TRANSCRIPT 1", "HISTORY 1", "FIND", "SEARCH :x", "VISITOR 1",
               "CUSTOMER 1", "CUSTOMERS", "VISITORS", "QUEUE", "CHATS", "ACCEPT 1",
               "MSG 1 :x", "NOTE 1 :x", "WHISPER 1 :x", "MONITOR 1", "WATCHERS 1",
               "CASES", "CASE 1", "IMSG all :x", "IMSGS all", "KB", "KBSEARCH :x",
               "STATS", "AGENTS", "STATUS", "BAN visitor 1 :x", "ENGAGE 1 :x"]

t = Tap()
srv = Server(extra={
    "groups": [{"name": "sales", "mode": "manual"},
               {"name": "tech", "mode": "manual"}],
    "users": [{"name": n, "role": r, "password": p, "display": d,
               "groups": g, "max_chats": m} for (n, r, p, d, g, m) in USERS],
})
srv.start_for(t)


def login(name):
    c = srv.client()
    c.ok("LOGIN %s :%s" % (name, PW[name]))
    return c


def drain(*clients):
    for c in clients:
        while c.expect_event("", 0.15) is not None:
            pass


def all_events(c, wait=0.5):
    out = []
    while True:
        e = c.expect_event("", wait)
        if e is None:
            return out
        out.append(e)


def help_verbs(final_rows):
    final, rows = final_rows
    return final, {r.split()[0] for r in rows}


try:
    ann, ted, carol, admin = login("ann"), login("ted"), login("carol"), login("admin")
    for c in (ann, ted, carol):
        c.ok("VISITORS watch=1")

    # two visitors, one per group, with words nobody else uses
    v1 = srv.client()
    h1 = v1.hello("name=Salesperson1 email=s1@example.com group=sales :zebrafruit order")
    v2 = srv.client()
    h2 = v2.hello("name=Techperson2 group=tech :quokkaprinter jam")
    c1, c2 = h1["chat"], h2["chat"]
    t.ok(ann.expect_event("QADD " + c1, 20) is not None, "ann (sales) gets * QADD of the sales chat")
    t.ok(ted.expect_event("QADD " + c2, 20) is not None, "ted (tech) gets * QADD of the tech chat")
    t.ok(ted.no_event("QADD " + c1, 0.3) and ann.no_event("QADD " + c2, 0.3),
         "neither gets * QADD of the other group")
    final, _ = ted.cmd("QUEUE sales")
    t.ok(final.startswith("ERR DENIED"), "ted's QUEUE sales: ERR DENIED", final)
    final, rows = ted.cmd("QUEUE")
    t.ok(final == "OK 1" and rows[0].split()[0] == c2, "ted's QUEUE holds only the tech chat", rows)
    final, _ = ted.cmd("ACCEPT " + c1)
    t.ok(final.startswith("ERR DENIED") or final.startswith("ERR NOTFOUND"),
         "ted's ACCEPT of the sales chat is refused", final)
    t.ok(ann.expect_event("QDEL " + c1, 0.3) is None, "and the chat stays queued")

    ann.ok("ACCEPT " + c1)
    ted.ok("ACCEPT " + c2)
    ann.ok("MSG %s :hello from sales" % c1)
    ann.ok("NOTE %s :internal note zebrafruit" % c1)
    carol.ok("WHISPER %s :whisper zebrafruit" % c1)
    ann.ok("TYPING %s :draft with a secret zebrafruit" % c1)
    v1.ok("TYPING :visitor draft zebrafruit")
    v1.ok("SAY :zebrafruit again")
    ted.ok("MSG %s :hello from tech" % c2)
    ted.ok("NOTE %s :tech note quokkaprinter" % c2)

    # -- what the visitors got
    ev1 = all_events(v1)
    ev2 = all_events(v2)
    for who, ev, own, other in (("v1", ev1, c1, c2), ("v2", ev2, c2, c1)):
        names = {e.split()[0] for e in ev}
        t.ok(names <= VISITOR_EVENTS, "%s gets only visitor events" % who, sorted(names))
        t.ok(all(e.split()[1] == own for e in ev if len(e.split()) > 1 and e.split()[0] != "KICKED"),
             "%s gets events of their own chat only" % who, ev)
        kinds = [e.split()[3] for e in ev if e.startswith("MSG ")]
        t.ok("note" not in kinds and "whisper" not in kinds, "%s gets no note or whisper" % who, kinds)
        blob = "\n".join(ev)
        t.ok(not any(w in blob for w in ("addr=", "127.0.0.1", "ann", "ted", "carol", "secret",
                                         "visitor=", "email", "token")),
             "%s sees no address, account name, draft, visitor number or contact" % who, blob)
        t.ok("quokka" not in blob if who == "v1" else "zebra" not in blob,
             "%s sees nothing of the other visitor's chat" % who)
    ty = [e for e in ev1 if e.startswith("TYPING")]
    t.ok(len(ty) == 1 and kv(ty[0]).get("agent") == "安娜" and kv(ty[0]).get("on") == "1"
         and text(ty[0]) is None, "the agent's draft reaches the visitor as on=1 only", ty)

    # -- what the staff got
    eted = all_events(ted)
    t.ok(not any(e.split()[1:2] == [c1] or "zebra" in e or "Salesperson1" in e for e in eted),
         "ted gets no event of the sales chat or its visitor", eted)
    eann = all_events(ann)
    vt = [e for e in eann if e.startswith("TYPING " + c1)]
    t.ok(len(vt) == 1 and text(vt[0]) == "visitor draft zebrafruit", "ann gets the visitor's draft", vt)
    t.ok(not any("quokka" in e or e.split()[1:2] == [c2] for e in eann),
         "ann gets no event of the tech chat", eann)

    # -- every read command, ted on the sales chat and its visitor
    final, _ = ted.cmd("TRANSCRIPT " + c1)
    t.ok(final.startswith("ERR DENIED"), "ted's TRANSCRIPT of the sales chat: ERR DENIED", final)
    final, _ = ted.cmd("TRANSCRIPT 99999")
    t.ok(final.startswith("ERR NOTFOUND"), "TRANSCRIPT of no chat: ERR NOTFOUND", final)
    final, rows = ted.cmd("HISTORY " + h1["visitor"])
    t.ok(final == "OK 0" and not rows, "ted's HISTORY of the sales visitor leaves the chat out", (final, rows))
    final, rows = ted.cmd("FIND :zebrafruit")
    t.ok(final == "OK 0", "ted's FIND of a sales word finds nothing (notes and whispers too)", rows)
    final, rows = ted.cmd("FIND visitor=" + h1["visitor"])
    t.ok(final == "OK 0", "ted's FIND visitor= of the sales visitor finds nothing", rows)
    final, rows = ted.cmd("SEARCH :zebrafruit")
    t.ok(final == "OK 0", "ted's SEARCH of a sales word finds nothing", rows)
    final, _ = ted.cmd("VISITOR " + h1["visitor"])
    t.ok(final.startswith("ERR DENIED"), "ted's VISITOR of the sales visitor: ERR DENIED", final)
    final, _ = ted.cmd("WATCHERS " + c1)
    t.ok(final.startswith("ERR DENIED") or final.startswith("ERR NOTFOUND"),
         "ted's WATCHERS of the sales chat is refused", final)
    final, _ = ted.cmd("KBSEARCH chat=%s" % c1)
    t.ok(final.startswith("ERR DENIED") or final.startswith("ERR NOTFOUND"),
         "ted's KBSEARCH chat= of the sales chat is refused", final)
    final, _ = ted.cmd("CASEFROM " + c1)
    t.ok(final.startswith("ERR DENIED") or final.startswith("ERR NOTFOUND"),
         "ted's CASEFROM of the sales chat is refused", final)
    final, rows = ted.cmd("CHATS")
    t.ok(final == "OK 1" and rows[0].split()[0] == c2, "ted's CHATS holds only his chat", rows)
    final, _ = ted.cmd("CHATS all")
    t.ok(final.startswith("ERR DENIED"), "an agent's CHATS all: ERR DENIED", final)
    final, rows = ann.cmd("FIND :quokkaprinter")
    t.ok(final == "OK 0", "and ann finds nothing of the tech chat", rows)
    final, rows = carol.cmd("FIND :zebrafruit")
    t.ok(final == "OK 1" and kv(rows[0]).get("hits") == "4",
         "a supervisor finds the sales chat, notes and whispers included", rows)

    # a customer card on the sales visitor
    final, _ = carol.cmd("TAG visitor=%s vipzebra" % h1["visitor"])
    t.ok(final.startswith("OK customer="), "carol tags the sales visitor's card", final)
    cust = kv(final).get("customer")
    final, _ = ted.cmd("CUSTOMER " + cust)
    t.ok(final.startswith("ERR DENIED"), "ted's CUSTOMER of the sales card: ERR DENIED", final)
    final, _ = ted.cmd("CUSTOMER visitor=" + h1["visitor"])
    t.ok(final.startswith("ERR DENIED"), "ted's CUSTOMER visitor= of the sales visitor: ERR DENIED", final)
    final, rows = ted.cmd("CUSTOMERS tag=vipzebra")
    t.ok(final == "OK 0", "ted's CUSTOMERS leaves the sales card out", rows)
    final, rows = ted.cmd("CUSTOMERS :Salesperson1")
    t.ok(final == "OK 0", "also by words", rows)
    final, _ = ted.cmd("TAG %s mine" % cust)
    t.ok(final.startswith("ERR DENIED"), "ted's TAG of the sales card: ERR DENIED", final)
    final, rows = ann.cmd("CUSTOMERS tag=vipzebra")
    t.ok(final == "OK 1", "ann (sales) sees the card", rows)

    # a case left by a sales visitor
    v3 = srv.client()
    v3.hello("name=Caseperson group=sales :help")
    final, _ = v3.cmd("LEAVEMSG email=c3@example.com :call me about zebrafruit")
    t.ok(final.startswith("OK case="), "a sales visitor leaves a message", final)
    case = kv(final).get("case")
    t.ok(ann.expect_event("CASENEW " + case, 20) is not None, "ann gets * CASENEW")
    t.ok(ted.no_event("CASENEW", 0.3), "ted gets no * CASENEW of a sales case")
    final, rows = ted.cmd("CASES all")
    t.ok(final.startswith("OK") and not any(r.split()[0] == case for r in rows),
         "ted's CASES leaves the sales case out", rows)
    final, _ = ted.cmd("CASE " + case)
    t.ok(final.startswith("ERR DENIED"), "ted's CASE of the sales case: ERR DENIED", final)
    final, _ = ted.cmd("CASENOTE %s :peek" % case)
    t.ok(final.startswith("ERR DENIED"), "ted's CASENOTE of the sales case: ERR DENIED", final)
    t.ok(v1.no_event("CASE", 0.3) and v2.no_event("CASE", 0.3), "other visitors hear nothing of the case")

    # -- browsing visitors of sales: not in ted's VISITORS, no events
    drain(ann, ted)
    b = srv.client()
    final, _ = b.cmd("BROWSE group=sales page=http://shop.example/zebra :Zebra shop")
    t.ok(final.startswith("OK browse="), "a browsing visitor of sales", final)
    bid, btoken = kv(final)["browse"], kv(final)["token"]
    t.ok(ann.expect_event("ARRIVED " + bid, 20) is not None, "ann (watching) gets * ARRIVED")
    t.ok(ted.no_event("ARRIVED", 0.3), "ted (watching, tech) gets no * ARRIVED of a sales visitor")
    final, rows = ted.cmd("VISITORS")
    t.ok(final == "OK 0", "ted's VISITORS leaves the sales browser out", rows)
    final, _ = ted.cmd("VISITORS sales")
    t.ok(final.startswith("ERR DENIED"), "ted's VISITORS sales: ERR DENIED", final)
    final, _ = ted.cmd("ENGAGE %s :hi" % bid)
    t.ok(final.startswith("ERR DENIED"), "ted's ENGAGE of a sales browser: ERR DENIED", final)
    b2 = srv.client()
    b2.ok("BROWSE group=sales page=http://shop.example/other :Other")
    t.ok(b.no_event("", 0.5), "a browsing visitor hears nothing of another arriving")
    # a browse token works only from the address and group it was given to
    stolen = Client(port=srv.port, source="127.0.0.77")
    srv.clients.append(stolen)
    final, _ = b.cmd("WHOAMI")
    t.eq(final, "OK role=browser browse=%s" % bid, "a browser's WHOAMI: OK role=browser browse=B")
    final, _ = stolen.cmd("BROWSE group=sales token=%s page=http://evil.example/ :x" % btoken)
    t.ok(final.startswith("OK browse=") and kv(final)["browse"] != bid and kv(final)["token"] != btoken,
         "another address with the token: a new browser, not the first one", final)
    final, _ = stolen.cmd("VISITORS")
    t.ok(final.startswith("ERR DENIED"), "a browser's VISITORS: ERR DENIED", final)
    ann.ok("ENGAGE %s :can I help?" % bid)
    inv = b.expect_event("INVITATION " + bid, 20)
    t.ok(inv is not None and "ann" not in inv.replace("agent=安娜", ""),
         "the browser gets its invitation, with the display name only", inv)
    t.ok(b2.no_event("INVITATION", 0.3), "the other browser does not get it")

    # -- events for staff only: * ANNOUNCE to agents, * STATUS to supervisors
    drain(v1, v2, ann, ted, carol)
    admin.ok("ANNOUNCE :staff meeting at five")
    t.ok(ann.expect_event("ANNOUNCE", 20) == "ANNOUNCE :staff meeting at five" and
         ted.expect_event("ANNOUNCE", 20) is not None, "agents get * ANNOUNCE")
    ann.ok("STATUS away")
    st = carol.expect_event("STATUS ann", 20)
    t.eq(st, "STATUS ann status=away chats=1 max=5", "a supervisor gets * STATUS <name> status= chats= max=")
    t.ok(ted.no_event("STATUS", 0.3), "an agent gets no * STATUS of others")
    ann.ok("STATUS online")
    t.ok(v1.no_event("", 0.3) and v2.no_event("", 0.1), "visitors get neither")

    # -- a visitor may use visitor verbs only, whatever they name
    for verb in STAFF_VERBS:
        final, _ = v1.cmd(verb)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "a visitor's %s: ERR DENIED" % verb.split()[0], final)
    final, _ = v1.cmd("WHOAMI")
    t.eq(final, "OK role=visitor visitor=%s name=Salesperson1" % h1["visitor"],
         "a visitor's WHOAMI shows their own fields only")
    final, rows = v1.cmd("HELP")
    vs = {r.split()[0] for r in rows}
    t.ok(final.startswith("OK") and vs <= {"HELP", "PING", "QUIT", "WHOAMI", "SAY", "TYPING", "PAGE",
                                           "END", "WHERE", "LEAVEMSG", "HUMAN", "HELLO", "RATE"},
         "a visitor's HELP lists visitor verbs only", sorted(vs))

    # -- HELP lists what the connection may use now: not the gateway's
    # verbs on TCP, and on the web door only what a visitor may send
    fresh = srv.client()
    final, vs = help_verbs(fresh.cmd("HELP"))
    t.ok(final.startswith("OK") and {"LOGIN", "HELLO", "BROWSE"} <= vs and "GATEWAY" not in vs
         and "TICKET" not in vs,
         "HELP on a fresh TCP connection: no GATEWAY or TICKET (refused over TCP)", sorted(vs))
    final, _ = fresh.cmd("GATEWAY :x")
    t.ok(final.startswith("ERR DENIED"), "GATEWAY over TCP: ERR DENIED", final)
    final, _ = fresh.cmd("TICKET alice abc")
    t.ok(final.startswith("ERR DENIED"), "TICKET over TCP: ERR DENIED", final)
    local = srv.client(unix=True)
    final, vs = help_verbs(local.cmd("HELP"))
    t.ok({"LOGIN", "TICKET"} <= vs, "HELP on the unix socket lists TICKET", sorted(vs))

    w = WSClient(srv.http_port, origin="http://127.0.0.1:%d" % srv.http_port)
    t.ok(w.upgraded(), "a WebSocket visitor connects")

    def wcmd(line):
        w.send("@w " + line)
        rows = []
        while True:
            l = w.readline(20)
            if l is None:
                return None, rows
            if l.startswith("@w +"):
                rows.append(l[4:].strip())
            elif l.startswith("@w "):
                return l[3:], rows

    final, vs = help_verbs(wcmd("HELP"))
    t.ok(final is not None and final.startswith("OK") and {"HELLO", "BROWSE", "PING"} <= vs
         and not vs & {"LOGIN", "TICKET", "GATEWAY"},
         "HELP on a fresh WebSocket lists no LOGIN, TICKET or GATEWAY", sorted(vs))
    for verb in ("LOGIN ann :%s" % PW["ann"], "TICKET ann x", "GATEWAY :x"):
        final, _ = wcmd(verb)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "%s over WebSocket: ERR DENIED" % verb.split()[0], final)
    final, _ = wcmd("HELLO name=Webperson group=sales :hi")
    t.ok(final is not None and final.startswith("OK visitor="), "HELLO over WebSocket", final)
    final, vs = help_verbs(wcmd("HELP"))
    t.ok(final is not None and {"SAY", "END"} <= vs and not vs & {"MSG", "LOGIN", "TRANSCRIPT"},
         "HELP of a WebSocket visitor: visitor verbs only", sorted(vs))
    for verb in STAFF_VERBS[:8]:
        final, _ = wcmd(verb)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "a WebSocket visitor's %s: ERR DENIED" % verb.split()[0], final)
    w.close()

    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
