"""console_kb.py - answer suggestions from the knowledge base (issue 12):
the entries kefud matches to the last message of the visitor in the chat
in focus (KBSEARCH chat=N) are the first rows of the quick-reply pane,
marked KB; Enter inserts one like a quick reply; a new visitor message
that matches nothing takes them away. Every wait is a bounded poll.
"""

import kefuscreen as ks

T, ok = ks.tap()

ANSWER = "您可以在订单页面点申请退货，我们24小时内处理。"


def suggest(d, con, tag):
    adm = d.client("admin")
    final, _ = adm.cmd("KBADD 如何退货 keys=怎么退货|退款 :" + ANSWER)
    ok(final is not None and final.startswith("OK id="), tag + " admin adds an entry", final)
    scr = con.screen()
    ok("KB " not in scr, tag + " no chat: no suggestion", scr)
    v, info = d.take("name=张三 group=sales :请问怎么退货？")
    scr = con.wait(lambda s: "KB 如何退货" in s)
    ok(scr is not None, tag + " the visitor's question brings the entry into the replies pane",
       con.screen())
    ok(scr is not None and "您可以在订单" in ks.line_with(scr, "KB 如何退货"),
       tag + " with the start of its answer", scr)
    ok(ks.fits(scr or "", d.cols, d.rows), tag + " the pane fits the terminal", scr)
    con.keys("F4")
    con.keys("Enter")
    scr = con.wait(lambda s: any(l.lstrip(" │").startswith("> ") and "24小时内处理" in l
                                 for l in s.split("\n")))
    ok(scr is not None, tag + " F4 then Enter puts the answer in the input line", con.screen())
    con.keys("Enter")
    e = ks.event(v, "* MSG " + info["chat"])
    ok(e is not None and e.endswith(":" + ANSWER), tag + " Enter sends it to the visitor", e)
    v.cmd("SAY :好的，谢谢，再见")
    scr = con.wait(lambda s: "谢谢" in s and "KB 如何退货" not in s)
    ok(scr is not None, tag + " a message that matches nothing takes the suggestion away",
       con.screen())


SCENARIOS = [     # (function, label, cols, rows)
    (suggest, "kb", 80, 24), (suggest, "kb", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
