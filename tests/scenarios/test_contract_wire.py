"""The wire, checked from outside against proto/PROTOCOL.md only: framing
(LF, CRLF, a lone CR, blank lines, the 8192-byte limit exactly at its
edge, NUL and other control bytes, invalid UTF-8, a line dribbled in one
byte a write, many lines in one write), tags, verbs and arguments, the
escapes both ways, and the exact shape (field order included) of the
replies, rows and events of a chat from HELLO to RATE."""
import os, re, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server()
srv.start_for(t)

N = r"[0-9]+"
W = r"[^ ]+"        # a word (escaped value)


def raw(data, lines, timeout=20):
    """Send bytes on a fresh connection, return the first `lines` lines
    (bytes, each with its terminator) or what came before EOF/timeout."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout)
    try:
        if isinstance(data, list):
            for piece in data:
                s.sendall(piece)
        else:
            s.sendall(data)
        buf = b""
        end = time.time() + timeout
        while buf.count(b"\n") < lines and time.time() < end:
            s.settimeout(max(0.1, end - time.time()))
            try:
                d = s.recv(65536)
            except (socket.timeout, OSError):
                break
            if not d:
                break
            buf += d
        return buf
    finally:
        s.close()


def shape(line, pattern, desc):
    return t.ok(line is not None and re.fullmatch(pattern, line) is not None, desc,
                "%r !~ %r" % (line, pattern))


try:
    # -- framing
    t.eq(raw(b"PING a\n", 1), b"OK PONG a\n", "LF ends a line; the answer ends in LF")
    t.eq(raw(b"PING a\r\n", 1), b"OK PONG a\n", "CRLF ends one line; the server writes LF only")
    t.eq(raw(b"PING a\rPING b\r", 2), b"OK PONG a\nOK PONG b\n", "a lone CR ends one line")
    t.eq(raw(b"PING a\r\n\r\nPING b\n\r\n", 2), b"OK PONG a\nOK PONG b\n",
         "CRLF is one end, not a line and an empty one")
    t.eq(raw(b"\n\n  \n\r\n \t \nPING x\n", 1), b"OK PONG x\n", "empty and blank lines get no answer")
    t.eq(raw([b"PING a\r", b"\nPING b\n"], 2), b"OK PONG a\nOK PONG b\n",
         "a CRLF split over two writes is one line end")
    t.eq(raw([bytes([ch]) for ch in b"@slow PING dribbled\r\n"], 1), b"@slow OK PONG dribbled\n",
         "a line written one byte at a time is one request")
    many = b"".join(b"@m%d PING %d\n" % (i, i) for i in range(300))
    got = raw(many, 300).split(b"\n")[:300]
    t.eq(got, [b"@m%d OK PONG %d" % (i, i) for i in range(300)],
         "300 lines in one write: 300 answers, in order")
    edge = b"PING " + b"a" * 8186            # 8191 bytes + the terminator = 8192
    out = raw(edge + b"\n" + edge + b"\r\n", 2).split(b"\n")
    t.ok(out[0] == b"OK PONG " + b"a" * 8186 and out[1] == out[0],
         "a line of exactly 8192 bytes (LF, or CRLF counted as one) is served", [len(x) for x in out])
    out = raw(edge + b"a\nPING after\n", 2)
    t.eq(out, b"ERR TOOLONG line longer than 8192 bytes; discarded\nOK PONG after\n",
         "8193 bytes: ERR TOOLONG, the connection goes on")
    out = raw([b"@big PING "] + [b"x" * 4096] * 8 + [b"\n@n PING next\n"], 2)
    t.eq(out, b"ERR TOOLONG line longer than 8192 bytes; discarded\n@n OK PONG next\n",
         "a long line over many writes: one ERR TOOLONG (no tag), discarded to its end")
    for data, what in ((b"@u PING a\x00b\n", "a NUL"), (b"@u PING a\x01b\n", "a control byte"),
                       (b"@u PING a\x7fb\n", "DEL"), (b"@u PING \xff\n", "a byte that is never UTF-8"),
                       (b"@u PING \xc0\xaf\n", "an overlong encoding"),
                       (b"@u PING \xed\xa0\x80\n", "a UTF-16 surrogate"),
                       (b"@u PING \xe4\xb8\n", "a cut character"),
                       (b"@u PING \xc2\x85\n", "a C1 control")):
        t.eq(raw(data + b"@v PING ok\n", 2),
             b"ERR UTF8 line is not valid UTF-8 or contains control bytes\n@v OK PONG ok\n",
             "%s: ERR UTF8, the connection goes on" % what)
    t.eq(raw("@z PING 中文\n".encode(), 1), "@z OK PONG 中文\n".encode(), "UTF-8 text is fine")
    t.eq(raw(b"@z PING a\tb\n", 1)[:12], b"@z ERR ARGS ", "a TAB is allowed, and separates words")

    # -- requests: tags, verbs, arguments
    t.eq(raw(b"@" + b"T" * 32 + b" PING\n", 1), b"@" + b"T" * 32 + b" OK PONG\n", "a 32-character tag")
    t.ok(raw(b"@" + b"T" * 33 + b" PING\n", 1).startswith(b"ERR PROTO bad tag"),
         "a 33-character tag: ERR PROTO (no tag)")
    t.ok(raw(b"@a:b PING\n", 1).startswith(b"ERR PROTO bad tag"), "a tag with ':': ERR PROTO")
    t.eq(raw(b"@a-b_c.9 ping\n", 1), b"@a-b_c.9 OK PONG\n", "tag characters A-Za-z0-9_.- and a lower-case verb")
    t.ok(raw(b"@t :text only\n", 1).startswith(b"@t ERR PROTO"), "a line that is only :text: ERR PROTO")
    t.ok(raw(b"@t\n", 1).startswith(b"@t ERR PROTO"), "a tag alone: ERR PROTO")
    t.ok(raw(b"@t NOSUCH\n", 1).startswith(b"@t ERR UNKNOWN"), "an unknown verb: ERR UNKNOWN")
    t.ok(raw(b"@t PING " + b" ".join([b"x"] * 17) + b"\n", 1).startswith(b"@t ERR PROTO"),
         "17 arguments: ERR PROTO")
    t.ok(raw(b"@t HELP " + b" ".join([b"x"] * 16) + b"\n", 1).startswith(b"@t ERR ARGS"),
         "16 arguments reach the command (ERR ARGS from HELP, not ERR PROTO)")
    t.ok(raw(b"@t PING a b\n", 1).startswith(b"@t ERR ARGS usage: PING"), "ERR ARGS shows the usage")
    t.ok(raw(b"@t SAY :x\n", 1).startswith(b"@t ERR NOAUTH"), "a visitor verb before HELLO: ERR NOAUTH")
    t.ok(raw(b"@t MSG 1 :x\n", 1).startswith(b"@t ERR NOAUTH"), "an agent verb before LOGIN: ERR NOAUTH")
    t.eq(raw(b"@t PING \\s\\:x\\\\\n", 1), b"@t OK PONG \\s:x\\\\\n",
         "an argument is unescaped, and escaped again on the way out")
    t.eq(raw(b"WHOAMI\n", 1), b"OK role=none\n", "WHOAMI before anything: OK role=none")
    t.eq(raw(b"QUIT\nPING late\n", 2), b"OK bye\n", "QUIT: OK bye, then the connection closes")

    # -- a chat, shape by shape
    a = srv.client()
    final, _ = a.cmd("LOGIN alice :alice123")
    shape(final, r"OK name=alice role=agent status=online max=5 display=Alice", "LOGIN's OK, fields in order")
    final, _ = a.cmd("WHOAMI")
    shape(final, r"OK name=alice role=agent status=online chats=0 max=5 connections=1 display=Alice",
          "a staff WHOAMI, fields in order")
    final, _ = a.cmd("STATUS")
    shape(final, r"OK status=online chats=0 max=5", "STATUS without an argument")
    v = srv.client()
    final, _ = v.cmd("HELLO name=Robert Miller group=tech :line one\\nline two\\tand\\\\ :colon")
    shape(final, r"OK visitor=(%s) chat=(%s) token=[0-9a-f]+" % (N, N), "HELLO's OK, fields in order")
    h = kv(final)
    chat, vis = h["chat"], h["visitor"]
    q = v.expect_event("QUEUED " + chat, 20)
    shape(q, r"QUEUED %s pos=1 group=tech" % chat, "* QUEUED <chat> pos=P group=G (no eta yet)")
    qa = a.expect_event("QADD " + chat, 20)
    shape(qa, r"QADD %s group=tech visitor=%s name=Robert\\sMiller wait=%s pos=1 :line one\\nline two\tand\\\\ :colon"
          % (chat, vis, N), "* QADD, fields in order, the name escaped, the question's newline and backslash escaped (a tab in text is sent as it is)")
    t.eq(text(qa), "line one\nline two\tand\\ :colon", "the question unescapes to what was typed")
    final, _ = v.cmd("WHOAMI")
    shape(final, r"OK role=visitor visitor=%s name=Robert\\sMiller" % vis, "a visitor's WHOAMI")
    final, _ = v.cmd("WHERE")
    shape(final, r"OK chat=%s state=queued group=tech pos=1" % chat, "WHERE while queued")
    final, rows = a.cmd("QUEUE tech")
    t.ok(final == "OK 1" and re.fullmatch(r"%s group=tech wait=%s pos=1 visitor=%s name=Robert\\sMiller :line one.*"
                                          % (chat, N, vis), rows[0]), "a QUEUE row, fields in order", rows)

    a.send("@acc ACCEPT " + chat)
    lines = [a.readline(20) for _ in range(3)]
    t.eq(lines[0], "@acc OK chat=%s visitor=%s" % (chat, vis), "ACCEPT's OK comes first")
    t.eq(lines[1:], ["* QDEL %s group=tech" % chat,
                     "* ASSIGN %s visitor=%s name=Robert\\sMiller group=tech by=accept" % (chat, vis)],
         "then * QDEL and * ASSIGN, in the documented shape")
    asg = v.expect_event("ASSIGNED " + chat, 20)
    shape(asg, r"ASSIGNED %s agent=Alice" % chat, "* ASSIGNED <chat> agent=DISPLAY")
    final, _ = v.cmd("WHERE")
    shape(final, r"OK chat=%s state=assigned group=tech agent=Alice" % chat, "WHERE while assigned")

    # messages both ways, with every escape and a forged protocol line
    evil = "hi\\n* ENDED %s by=agent\\n@x OK\ttab \\\\ back :colon C:\\data" % chat
    a.send("@say MSG %s :%s" % (chat, evil))
    l1, l2 = a.readline(20), a.readline(20)
    shape(l1, r"@say OK seq=(%s)" % N, "MSG: OK seq=N first")
    shape(l2, r"\* MSG %s %s agent Alice ts=%s :hi\\n\* ENDED %s by=agent\\n@x OK\ttab \\\\ back :colon C:\\\\data"
          % (chat, kv(l1[5:]).get("seq"), N, chat), "then the sender's own * MSG copy, escaped")
    m = v.expect_event("MSG " + chat, 20)
    t.eq(text(m), "hi\n* ENDED %s by=agent\n@x OK\ttab \\ back :colon C:\\data" % chat,
         "the visitor gets it as one line that unescapes to the text")
    t.ok(v.no_event("ENDED", 0.3), "a forged line in a message ends nothing")
    v.send("@s SAY :visitor \\s says")
    l1, l2 = v.readline(20), v.readline(20)
    t.ok(l1 is not None and re.fullmatch(r"@s OK seq=%s" % N, l1) and l2 is not None and
         re.fullmatch(r"\* MSG %s %s visitor Robert\\sMiller ts=%s :visitor   says" % (chat, N, N), l2),
         "SAY: OK seq=N, then the visitor's own copy", (l1, l2))
    m = a.expect_event("MSG " + chat, 20)
    shape(m, r"MSG %s %s visitor Robert\\sMiller ts=%s :visitor   says" % (chat, N, N),
          "the agent's * MSG <chat> <seq> <kind> <from> ts=EPOCH :text")
    v.ok("TYPING :a draft")
    ty = a.expect_event("TYPING " + chat, 20)
    t.eq(ty, "TYPING %s :a draft" % chat, "* TYPING <chat> :draft to the agent")
    v.ok("TYPING")
    ty = a.expect_event("TYPING " + chat, 20)
    t.ok(ty in ("TYPING %s :" % chat, "TYPING %s" % chat), "an empty draft: stopped typing", ty)
    a.ok("TYPING %s :x" % chat)
    shape(v.expect_event("TYPING " + chat, 20), r"TYPING %s agent=Alice on=1" % chat, "* TYPING agent=D on=1")
    a.ok("TYPING %s" % chat)
    shape(v.expect_event("TYPING " + chat, 20), r"TYPING %s agent=Alice on=0" % chat, "* TYPING agent=D on=0")
    final, rows = a.cmd("CHATS")
    t.ok(final == "OK 1" and re.fullmatch(r"%s visitor=%s name=Robert\\sMiller group=tech state=active seq=%s since=%s :.*"
                                          % (chat, vis, N, N), rows[0]), "a CHATS row, fields in order", rows)
    final, rows = a.cmd("TRANSCRIPT " + chat)
    t.ok(final == "OK %d" % len(rows) and all(re.fullmatch(r"%s ts=%s kind=%s from=%s( :.*)?" % (N, N, W, W), r)
                                              for r in rows) and kv(rows[0]).get("kind") == "visitor",
         "TRANSCRIPT rows: + SEQ ts= kind= from= :text", rows)
    final, rows = a.cmd("TRANSCRIPT %s limit=1" % chat)
    t.ok(final == "OK 1 next=2" and len(rows) == 1, "a first page of one: OK 1 next=2", final)
    final, _ = a.cmd("TRANSCRIPT %s limit=0" % chat)
    t.ok(final.startswith("ERR ARGS"), "limit=0: ERR ARGS", final)
    final, _ = a.cmd("TRANSCRIPT %s limit=1001" % chat)
    t.ok(final.startswith("ERR ARGS"), "limit over the most (1000): ERR ARGS", final)
    final, _ = a.cmd("TRANSCRIPT %s bogus=1" % chat)
    t.ok(final.startswith("ERR ARGS"), "an unknown option: ERR ARGS", final)

    v.close()
    shape(a.expect_event("LEFT " + chat, 20), r"LEFT %s" % chat, "* LEFT <chat>")
    v = srv.client()
    final, _ = v.cmd("HELLO token=" + h["token"])
    shape(final, r"OK visitor=%s chat=%s token=%s resumed=1" % (vis, chat, h["token"]), "a resume: resumed=1")
    shape(a.expect_event("BACK " + chat, 20), r"BACK %s" % chat, "* BACK <chat>")
    a.send("@e END " + chat)
    t.eq(a.readline(20), "@e OK", "END: OK")
    shape(a.expect_event("ENDED " + chat, 20), r"ENDED %s by=agent" % chat, "the agent's * ENDED by=agent")
    shape(v.expect_event("ENDED " + chat, 20), r"ENDED %s by=agent" % chat, "the visitor's * ENDED by=agent")
    final, _ = v.cmd("RATE 5 :很好 thanks")
    t.eq(final, "OK", "RATE: OK")
    shape(a.expect_event("RATED " + chat, 20), r"RATED %s score=5 :很好 thanks" % chat, "* RATED <chat> score=N :comment")
    final, _ = a.cmd("WRAPUP %s general :done" % chat)
    t.eq(final, "OK", "WRAPUP: OK")
    final, rows = a.cmd("HISTORY " + vis)
    t.ok(final == "OK 1" and re.fullmatch(r"%s group=tech state=%s agent=%s started=%s ended=%s rating=5 category=general :done"
                                          % (chat, W, W, N, N), rows[0]), "a HISTORY row, fields in order", rows)

    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
