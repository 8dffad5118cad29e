#!/usr/bin/env python3
"""test_browser - the widget in a real browser: Debian's chromium, headless,
driven by chromedriver through python3-selenium. A visitor opens the demo
page kefud serves, fills the pre-chat form in Chinese, waits in the queue;
an agent on TCP accepts, types and replies; the reply shows, the visitor's
answer reaches the agent; a reload brings the chat back; the agent ends,
the visitor rates, the agent gets * RATED. With nobody on duty the panel
offers a leave-a-message form (LEAVEMSG) that becomes a case. A page
opened without asking anything is a browsing visitor the agent sees
(VISITORS) and invites (ENGAGE): the invitation pops up, is declined, then
accepted into a chat with that agent. Screenshots of the open panel go
to tests/web/artifacts/ for a person to look at.

Skipped (TAP SKIP) when selenium or chromium is not installed or chromium
cannot start; `scripts/deps.sh --test` installs them."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scenarios"))
from kefutest import Server, Tap, kv, text  # noqa: E402

t = Tap()
try:
    from selenium import webdriver
except ImportError:
    # Debian's python3-selenium, when another python3 comes first in PATH
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        from selenium import webdriver
    except ImportError:
        t.skip_all("python3-selenium is not installed")
from selenium.webdriver.common.by import By  # noqa: E402

ART = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")
WAIT = 30


def start_browser():
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1100,800",
              "--lang=zh-CN", "--no-first-run", "--disable-extensions"]:
        opts.add_argument(a)
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    from selenium.webdriver.chrome.service import Service
    svc = Service(
        executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=opts, service=svc)


def wait_for(fn, timeout=WAIT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception:   # the page may be reloading
            pass
        time.sleep(0.1)
    return None


def bubbles(d, cls):
    return [e.text for e in d.find_elements(By.CSS_SELECTOR, ".kefu-msg.%s .kefu-bubble" % cls)]


def status(d):
    return d.find_element(By.ID, "kefu-status").text


def shot(d, name):
    os.makedirs(ART, exist_ok=True)
    path = os.path.join(ART, name)
    d.save_screenshot(path)
    return path


def invitation(d, a, url):
    """A fresh visitor browses; the agent invites; decline, then accept."""
    d.execute_script("localStorage.clear(); sessionStorage.clear();")
    a.ok("VISITORS watch=1")
    d.get(url + "?from=ad")
    ev = a.expect_event("ARRIVED", WAIT)
    bid = ev.split()[1] if ev else "0"
    t.ok(ev is not None and "from=ad" in kv(ev).get("page", ""), "a fresh page: * ARRIVED", ev)
    final, rows = a.cmd("VISITORS")
    t.ok(any(r.split()[0] == bid for r in rows), "VISITORS lists the browsing visitor", rows)
    a.ok("ENGAGE %s :您好,这款龙井今天有优惠,需要帮您介绍吗?" % bid)
    box = wait_for(lambda: d.find_element(By.ID, "kefu-invite").is_displayed())
    t.ok(box and "龙井" in d.find_element(By.ID, "kefu-invite-text").text and
         "Alice" in d.find_element(By.ID, "kefu-invite").text,
         "the invitation pops up with the agent's name and text")
    shot(d, "browser-invite.png")
    d.find_element(By.ID, "kefu-invite-decline").click()
    ev = a.expect_event("ENGAGE %s " % bid, WAIT)
    t.ok(ev is not None and kv(ev).get("result") == "declined", "declined: the agent is told", ev)
    t.ok(wait_for(lambda: not d.find_elements(By.ID, "kefu-invite")), "and the box is gone")
    deadline = time.time() + WAIT
    final = None
    while time.time() < deadline:
        final = a.cmd("ENGAGE %s :现在方便聊聊吗?" % bid)[0]
        if final == "OK":
            break
        time.sleep(0.3)
    t.eq(final, "OK", "after invite.cooldown the agent invites again")
    wait_for(lambda: d.find_element(By.ID, "kefu-invite").is_displayed())
    d.find_element(By.ID, "kefu-invite-accept").click()
    ev = a.expect_event("ENGAGE %s " % bid, WAIT)
    chat = kv(ev).get("chat") if ev else None
    t.ok(ev is not None and kv(ev).get("result") == "accepted" and chat, "accepted: * ENGAGE result=accepted chat=C", ev)
    asg = a.expect_event("ASSIGN %s " % chat, WAIT)
    t.ok(asg is not None and kv(asg).get("by") == "proactive", "the chat is the inviting agent's", asg)
    got = wait_for(lambda: "现在方便聊聊吗?" in bubbles(d, "kefu-agent"))
    t.ok(got and d.find_element(By.ID, "kefu-panel").is_displayed() and "Alice" in status(d),
         "the panel opens with the agent's words and name", status(d))
    inp = d.find_element(By.ID, "kefu-input")
    d.execute_script("arguments[0].value = arguments[1];", inp, "好的,请介绍一下")
    d.find_element(By.ID, "kefu-send").click()
    ev = None
    deadline = time.time() + WAIT
    while time.time() < deadline:
        ev = a.expect_event("MSG %s " % chat, max(0.1, deadline - time.time()))
        if ev is None or " visitor " in ev:
            break
    t.eq(text(ev), "好的,请介绍一下", "the visitor answers in the chat the invitation opened")
    shot(d, "browser-invited-chat.png")
    a.ok("END %s" % chat)


def main():
    if not os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
        t.skip_all("chromium is not installed")
    srv = Server(extra={"groups": [{"name": "sales", "mode": "manual"},
                                   {"name": "tech", "mode": "manual"}],
                        "invite": {"cooldown": 1}})
    srv.start()
    d = None
    try:
        try:
            d = start_browser()
        except Exception as e:     # no display, no sandbox, ...
            t.skip_all("chromium cannot start: %s" % str(e).splitlines()[0])
        a = srv.client()
        a.login("alice")
        a.ok("VISITORS watch=1")
        url = "http://127.0.0.1:%d/demo.html" % srv.http_port
        d.get(url)
        t.ok("小熊猫" in d.title, "the demo page loads from kefud", d.title)
        ev = a.expect_event("ARRIVED", WAIT)
        t.ok(ev is not None and "demo.html" in kv(ev).get("page", "") and kv(ev).get("group") == "sales"
             and "小熊猫" in (text(ev) or ""),
             "the page load makes a browsing visitor: * ARRIVED with page, group and title", ev)
        a.ok("VISITORS watch=0")
        btn = wait_for(lambda: d.find_element(By.ID, "kefu-button"))
        t.ok(btn is not None and btn.text == "在线客服", "the widget shows its button, in Chinese")
        btn.click()
        form = wait_for(lambda: d.find_element(By.ID, "kefu-form").is_displayed())
        t.ok(form, "clicking opens the panel with the pre-chat form")
        shot(d, "browser-prechat.png")
        d.find_element(By.ID, "kefu-start").click()
        err = d.find_element(By.ID, "kefu-form-error").text
        t.ok("请填写" in err, "a required field left empty is refused", err)
        d.find_element(By.ID, "kefu-name").send_keys("张三")
        d.find_element(By.ID, "kefu-email").send_keys("zhang@example.com")
        t.eq(d.find_element(By.ID, "kefu-phone").get_attribute("type"), "tel",
             "the pre-chat form has a phone field")
        d.find_element(By.ID, "kefu-phone").send_keys("138 0013 8000")
        d.find_element(By.ID, "kefu-question").send_keys("我的订单还没有到,能帮我查一下吗?")
        d.find_element(By.ID, "kefu-start").click()
        st = wait_for(lambda: "排队" in status(d) and status(d))
        t.ok(st and "下一位就是您" in st, "the visitor sees the queue position (first: next)", st)
        shot(d, "browser-queue.png")
        q = a.expect_event("QADD", WAIT)
        t.ok(q is not None and "name=张三" in q, "the agent (TCP) sees the visitor queue", q)
        chat = q.split()[1] if q else "0"
        pg = a.no_event("PAGE", 0.1)  # PAGE comes with the chat: see below
        a.ok("ACCEPT %s" % chat)
        st = wait_for(lambda: "Alice" in status(d) and status(d))
        t.ok(st, "the panel names the agent after * ASSIGNED", status(d))
        final, rows = a.cmd("VISITOR %s" % kv(q).get("visitor"))
        card = {}
        for r in rows:
            if not r.startswith("page"):
                card.update(kv(r))
        t.ok("Chrome" in card.get("ua", "") and card.get("email") == "zhang@example.com" and
             card.get("phone") == "138 0013 8000",
             "the visit has the browser's User-Agent and the form's email and phone", card)
        t.ok(any("demo.html" in r for r in rows if r.startswith("page")),
             "the page trail has the demo page", rows)
        a.ok("TYPING %s :您好" % chat)
        ty = wait_for(lambda: "正在输入" in d.find_element(By.ID, "kefu-typing").text)
        t.ok(ty, "the visitor sees the agent typing")
        reply = "您好!我是客服 Alice,请问订单号是多少? <b>不是粗体</b>"
        a.ok("MSG %s :%s" % (chat, reply))
        got = wait_for(lambda: reply in bubbles(d, "kefu-agent"))
        t.ok(got, "the agent's reply shows in the panel, as text", bubbles(d, "kefu-agent"))
        t.eq(len(d.find_elements(By.CSS_SELECTOR, "#kefu-panel .kefu-bubble *")), 0,
             "agent text is never HTML (no <b> element in the panel)")
        a.ok("MSG %s :<img src=x onerror=\"document.title='pwned'\">" % chat)
        wait_for(lambda: len(bubbles(d, "kefu-agent")) >= 2)
        t.ok(d.title != "pwned" and not d.find_elements(By.CSS_SELECTOR, "#kefu-panel img"),
             "an <img onerror> from the agent stays text")
        inp = d.find_element(By.ID, "kefu-input")
        inp.send_keys("订单")
        drafts = []      # throttled: the first key at once, the rest later
        deadline = time.time() + WAIT
        while "订单" not in drafts and time.time() < deadline:
            ev = a.expect_event("TYPING %s" % chat, max(0.1, deadline - time.time()))
            if ev is None:
                break
            drafts.append(text(ev))
        t.ok("订单" in drafts and len(drafts) <= 3,
             "the visitor's typing reaches the agent, throttled", drafts)
        mine = "订单号是 12345 🐼 谢谢"
        d.execute_script("arguments[0].value = arguments[1];", inp, mine)
        d.find_element(By.ID, "kefu-send").click()
        ev = None
        deadline = time.time() + WAIT
        while time.time() < deadline:
            ev = a.expect_event("MSG %s" % chat, max(0.1, deadline - time.time()))
            if ev is None or " visitor " in ev:
                break
        t.eq(text(ev), mine, "the visitor's reply (with emoji) reaches the agent")
        t.ok(wait_for(lambda: mine in bubbles(d, "kefu-visitor")), "and shows on the visitor's side")
        p1 = shot(d, "browser-chat.png")
        t.ok(os.path.getsize(p1) > 10000, "screenshot of the open chat: %s" % p1)

        d.refresh()
        back = wait_for(lambda: reply in bubbles(d, "kefu-agent") and
                        mine in bubbles(d, "kefu-visitor"))
        t.ok(back, "after a reload the panel reopens with the transcript",
             (bubbles(d, "kefu-agent"), bubbles(d, "kefu-visitor")))
        t.ok(wait_for(lambda: "Alice" in status(d)), "and the agent's name", status(d))
        t.ok(a.expect_event("BACK %s" % chat, WAIT) is not None, "the agent sees the visitor back")
        t.eq(bubbles(d, "kefu-visitor").count("我的订单还没有到,能帮我查一下吗?"), 1,
             "the opening question shows once")
        ev = a.expect_event("PAGE %s" % chat, WAIT)
        t.ok(ev is not None and "demo.html" in ev, "PAGE is sent on every page load", ev)
        a.ok("MSG %s :还在吗?" % chat)
        t.ok(wait_for(lambda: "还在吗?" in bubbles(d, "kefu-agent")), "the chat goes on after the reload")

        a.ok("END %s" % chat)
        rate = wait_for(lambda: d.find_element(By.ID, "kefu-rate").is_displayed())
        t.ok(rate, "after * ENDED the panel asks for a rating")
        shot(d, "browser-rate.png")
        d.find_elements(By.CSS_SELECTOR, ".kefu-star")[4].click()
        d.find_element(By.ID, "kefu-comment").send_keys("服务很好")
        d.find_element(By.ID, "kefu-rate-send").click()
        ev = a.expect_event("RATED %s" % chat, WAIT)
        t.ok(ev is not None and "score=5" in ev and text(ev) == "服务很好",
             "the agent gets * RATED score=5 with the comment", ev)
        t.ok(wait_for(lambda: "感谢" in d.find_element(By.ID, "kefu-rate").text),
             "the visitor is thanked")
        p2 = shot(d, "browser-rated.png")
        t.ok(os.path.getsize(p2) > 10000, "screenshot after rating: %s" % p2)
        d.refresh()
        t.ok(wait_for(lambda: d.find_element(By.ID, "kefu-button").is_displayed()) and
             not d.find_element(By.ID, "kefu-panel").is_displayed(),
             "a reload after the rated chat starts fresh (nothing to resume)")

        # nobody on duty: leave a message
        a.ok("STATUS away")
        d.find_element(By.ID, "kefu-button").click()
        wait_for(lambda: d.find_element(By.ID, "kefu-form").is_displayed())
        d.find_element(By.ID, "kefu-name").send_keys("李四")
        d.find_element(By.ID, "kefu-question").send_keys("晚上还有人吗")
        d.find_element(By.ID, "kefu-start").click()
        st = wait_for(lambda: "没有客服在线" in status(d) and status(d))
        t.ok(st, "* CLOSED: the panel says nobody is on duty", status(d))
        form = wait_for(lambda: d.find_element(By.ID, "kefu-leave").is_displayed())
        t.ok(form and not d.find_element(By.ID, "kefu-input").is_displayed(),
             "and offers the leave-a-message form instead of the message line")
        shot(d, "browser-leave.png")
        note = "请明天联系我,谢谢"
        d.find_element(By.ID, "kefu-leave-message").send_keys(note)
        d.find_element(By.ID, "kefu-leave-send").click()
        err = wait_for(lambda: d.find_element(By.ID, "kefu-leave-error").text)
        t.ok(err and "电话" in err and "邮箱" in err,
             "without a phone or an e-mail (leave_message_require) the form says which one", err)
        d.find_element(By.ID, "kefu-leave-phone").send_keys("138 0000 0000")
        d.find_element(By.ID, "kefu-leave-send").click()
        done = wait_for(lambda: d.find_element(By.ID, "kefu-leave-done").text)
        ev = a.expect_event("CASENEW", WAIT)
        t.ok(done and ev is not None and ev.split()[1] in done and text(ev) == note,
             "LEAVEMSG: the case number shows, the agent gets * CASENEW with the message", (done, ev))
        t.eq(status(d), "", "and the panel no longer asks for a message")
        final, rows = a.cmd("CASE %s" % (ev.split()[1] if ev else "0"))
        t.ok(rows and kv(rows[0]).get("phone") == "138 0000 0000" and kv(rows[0]).get("name") == "李四",
             "the case has the phone and the name", rows[:1])
        shot(d, "browser-closed.png")
        a.ok("STATUS online")
        d.find_element(By.CSS_SELECTOR, ".kefu-again").click()
        wait_for(lambda: d.find_element(By.ID, "kefu-form").is_displayed())
        d.find_element(By.ID, "kefu-name").send_keys("李四")
        d.find_element(By.ID, "kefu-question").send_keys("还是想问一下")
        d.find_element(By.ID, "kefu-start").click()
        left_chat = kv(ev).get("chat") if ev else None
        q = a.expect_event("QADD", WAIT)
        while q is not None and q.split()[1] == left_chat:   # the chat that became a case
            q = a.expect_event("QADD", WAIT)
        chat2 = q.split()[1] if q else "0"
        t.ok(q is not None and "name=李四" in q, "a new chat from the same panel", q)
        a.ok("ACCEPT %s" % chat2)
        t.ok(wait_for(lambda: "Alice" in status(d)), "the visitor sees the agent take it", status(d))
        note = "还是想问一下"

        # the server goes away and comes back: the widget reconnects
        srv.stop()
        st = wait_for(lambda: "重新连接" in status(d) and status(d))
        t.ok(st, "kefud gone: the panel says it is reconnecting", status(d))
        srv.start()
        t.ok(wait_for(lambda: "Alice" in status(d), 60), "kefud back: the widget resumes the chat",
             status(d))
        a = srv.client()
        a.login("alice")
        a.ok("MSG %s :我们回来了" % chat2)
        t.ok(wait_for(lambda: "我们回来了" in bubbles(d, "kefu-agent")),
             "and messages flow again")
        t.eq(bubbles(d, "kefu-visitor").count(note), 1, "nothing is shown twice after the resume")
        a.ok("END %s" % chat2)
        wait_for(lambda: d.find_element(By.ID, "kefu-rate").is_displayed())
        invitation(d, a, url)
    finally:
        if d is not None:
            d.quit()
        srv.cleanup()
    t.done()


main()
