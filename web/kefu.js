/*
 * kefu.js - the kefu visitor widget: a chat button and panel for any web
 * page, speaking kefud's line protocol over a WebSocket (one text frame per
 * line; see proto/PROTOCOL.md). Plain JavaScript, no build step.
 *
 *   <script src="https://desk.example.com/kefu.js" data-group="sales"
 *           data-lang="zh"></script>
 *
 * data-agent="NAME" asks for that agent (指定客服, HELLO agent=NAME).
 *
 * Everything shown is set with textContent: nothing from the server or the
 * visitor is ever parsed as HTML. The resume token is kept in localStorage,
 * so a reload or another page of the site returns to the same chat.
 *
 * Before the visitor asks anything the widget says BROWSE, so agents see
 * who is on the site and may invite them (* INVITATION: a small box above
 * the button, accept or decline); its token, in sessionStorage, keeps the
 * same visitor from page to page. On * CLOSED the message line gives way
 * to a leave-a-message form (LEAVEMSG) with the contact fields the desk
 * needs.
 */
(function () {
	"use strict";
	if (window.kefu) return;

	var script = document.currentScript ||
	    document.querySelector("script[src*='kefu.js']");
	var cfg = {
		group: (script && script.getAttribute("data-group")) || "",
		agent: (script && script.getAttribute("data-agent")) || "",
		lang: (script && script.getAttribute("data-lang")) ||
		    (navigator.language || "en"),
		required: (typeof KEFU_REQUIRED === "string" ? KEFU_REQUIRED :
		    "name,question").split(",")
	};
	var zh = /^zh/i.test(cfg.lang);
	var base = new URL((script && script.src) || location.href, location.href);
	var wsURL = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws";
	var KEY = "kefu.chat", BKEY = "kefu.browse";

	/* every UI string: [Chinese, English] */
	var S = {
		button: ["在线客服", "Chat with us"], title: ["在线客服", "Customer service"],
		close: ["关闭", "Close"], name: ["您的称呼", "Your name"], email: ["邮箱", "Email"],
		question: ["您想咨询什么?", "How can we help?"], optional: ["(选填)", " (optional)"],
		start: ["开始咨询", "Start chat"], required: ["请填写", "Please fill in"],
		connecting: ["正在连接…", "Connecting…"],
		reconnecting: ["连接中断,正在重新连接…", "Connection lost, reconnecting…"],
		queued: ["排队中:您前面还有 {ahead} 位", "You are number {pos} in the queue"],
		next: ["排队中:下一位就是您", "You are next in the queue"],
		eta: [",预计等待 {eta}", ", about {eta}"],
		closed: ["现在没有客服在线。请留言,我们会尽快回复您。",
		    "No agent is online right now. Leave a message and we will get back to you."],
		assigned: ["客服 {agent} 为您服务", "{agent} is here to help you"],
		typing: ["{agent} 正在输入…", "{agent} is typing…"],
		placeholder: ["输入消息,回车发送", "Type a message, Enter to send"],
		send: ["发送", "Send"], ended: ["会话已结束", "The chat has ended"],
		rate: ["请为本次服务评分", "How did we do?"],
		comment: ["留下您的意见(选填)", "Any comment (optional)"],
		rateSend: ["提交评价", "Send rating"], thanks: ["感谢您的评价!", "Thank you for your rating!"],
		again: ["再次咨询", "New chat"], kicked: ["会话已在其他窗口继续。", "The chat continues in another window."],
		error: ["出错了:", "Error: "],
		min: [" 分钟", " min"], sec: [" 秒", " s"], you: ["我", "Me"],
		inviteYes: ["开始聊天", "Chat now"], inviteNo: ["不用了", "No thanks"],
		phone: ["电话", "Phone"], message: ["留言内容", "Your message"],
		leaveSend: ["提交留言", "Send message"], needOne: ["请至少填写一项:", "Please fill in one of: "],
		leaveDone: ["留言已收到(编号 {id}),我们会尽快回复您。", "Thank you! We got your message (number {id}) and will get back to you soon."]
	};
	var T = {};
	for (var k in S) T[k] = S[k][zh ? 0 : 1];

	/* a string of T with {name} filled in from v */
	function fmt(s, v) {
		return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k]; });
	}

	function mins(s) {
		s = parseInt(s, 10) || 0;
		return s < 60 ? s + T.sec : Math.round(s / 60) + T.min;
	}

	/* ---- the wire format ---- */

	function escArg(s) {
		return String(s).replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
		    .replace(/\t/g, "\\t").replace(/ /g, "\\s").replace(/^:/, "\\:")
		    .replace(/[\u0000-\u001f\u007f]/g, "");
	}
	function escText(s) {
		return String(s).replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n")
		    .replace(/\t/g, "\\t").replace(/[\u0000-\u001f\u007f]/g, "");
	}
	function unesc(s) {
		return s.replace(/\\([nts:\\])/g, function (m, c) {
			return { n: "\n", t: "\t", s: " ", ":": ":", "\\": "\\" }[c];
		});
	}
	/* "[@tag] WORD ... key=v ... [:text]" -> {tag, words, kv, text} */
	function parse(line) {
		var r = { tag: null, words: [], kv: {}, text: null };
		var i = line.indexOf(" :");
		var head = i >= 0 ? line.slice(0, i) : line;
		if (i >= 0) r.text = unesc(line.slice(i + 2));
		head.split(" ").forEach(function (w, n) {
			if (!w) return;
			if (n === 0 && w.charAt(0) === "@") { r.tag = w.slice(1); return; }
			var eq = w.indexOf("=");
			if (eq > 0) r.kv[w.slice(0, eq)] = unesc(w.slice(eq + 1));
			else r.words.push(unesc(w));
		});
		return r;
	}

	/* ---- the DOM: everything by createElement and textContent ---- */

	function el(tag, cls, text, attrs) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text != null) e.textContent = text;
		for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
		return e;
	}

	var css = [
		".kefu-btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#1677ff;color:#fff;border:0;border-radius:24px;padding:12px 20px;font:15px/1.2 system-ui,sans-serif;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
		".kefu-panel{position:fixed;right:20px;bottom:80px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 100px);display:none;flex-direction:column;background:#fff;color:#222;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3);font:14px/1.45 system-ui,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif;overflow:hidden}",
		".kefu-panel.kefu-open{display:flex}",
		".kefu-head{background:#1677ff;color:#fff;padding:10px 12px;display:flex;align-items:center;gap:8px}",
		".kefu-head b{flex:1}.kefu-x{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}",
		".kefu-status{padding:6px 12px;background:#f0f5ff;color:#345;font-size:13px;min-height:18px}.kefu-status:empty{display:none}",
		".kefu-status.kefu-warn{background:#fff7e6;color:#a15c00}",
		".kefu-body{flex:1;overflow-y:auto;padding:10px 12px}",
		".kefu-form{clear:both}.kefu-form label{display:block;margin:6px 0 2px;font-size:13px;color:#555}",
		".kefu-form input,.kefu-form textarea,.kefu-rate textarea{width:100%;box-sizing:border-box;border:1px solid #ccd;border-radius:6px;padding:6px;font:inherit}",
		".kefu-form button,.kefu-rate button,.kefu-foot button,.kefu-body .kefu-again{margin:10px 8px 0 0;background:#1677ff;color:#fff;border:0;border-radius:6px;padding:7px 14px;font:inherit;cursor:pointer}",
		".kefu-body .kefu-again{background:#eee;color:#222}",
		".kefu-err{color:#c00;font-size:13px;min-height:16px}",
		".kefu-msg{margin:6px 0;max-width:85%;clear:both}",
		".kefu-msg .kefu-bubble{padding:6px 10px;border-radius:8px;white-space:pre-wrap;word-wrap:break-word;background:#f1f1f4}",
		".kefu-msg.kefu-visitor{float:right;text-align:right}.kefu-msg.kefu-visitor .kefu-bubble{background:#d6e8ff;text-align:left}",
		".kefu-msg.kefu-system{float:none;max-width:100%;text-align:center;color:#888;font-size:12px}",
		".kefu-meta{font-size:11px;color:#999;margin:0 2px}",
		".kefu-typing{font-size:12px;color:#888;padding:0 12px;min-height:16px}",
		".kefu-foot{display:flex;gap:6px;padding:8px;border-top:1px solid #eee}",
		".kefu-foot textarea{flex:1;resize:none;height:38px;border:1px solid #ccd;border-radius:6px;padding:6px;font:inherit}",
		".kefu-foot button{margin:0}",
		".kefu-stars{font-size:28px;cursor:pointer;user-select:none}.kefu-star{color:#ccc}.kefu-star.kefu-on{color:#f5a623}",
		".kefu-rate{clear:both;padding:8px 0}",
		".kefu-invite{position:fixed;right:20px;bottom:80px;z-index:2147483001;width:280px;max-width:calc(100vw - 40px);background:#fff;color:#222;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3);padding:12px;font:14px/1.45 system-ui,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif}",
		".kefu-invite b{display:block;margin-bottom:4px}.kefu-invite p{margin:0 0 8px;white-space:pre-wrap;word-wrap:break-word}",
		".kefu-invite button{margin-right:8px;border:0;border-radius:6px;padding:6px 12px;font:inherit;cursor:pointer;background:#eee}.kefu-invite button.kefu-yes{background:#1677ff;color:#fff}"
	].join("\n");

	var ui = {};

	function build() {
		document.head.appendChild(el("style", null, css));
		ui.button = el("button", "kefu-btn", T.button, { id: "kefu-button", type: "button" });
		ui.panel = el("div", "kefu-panel", null, { id: "kefu-panel", role: "dialog", lang: zh ? "zh-CN" : "en" });
		var head = el("div", "kefu-head");
		ui.title = el("b", null, T.title, { id: "kefu-title" });
		var x = el("button", "kefu-x", "×", { type: "button", title: T.close, "aria-label": T.close });
		head.appendChild(ui.title);
		head.appendChild(x);
		ui.status = el("div", "kefu-status", "", { id: "kefu-status", "aria-live": "polite" });
		ui.body = el("div", "kefu-body", null, { id: "kefu-body" });
		ui.typing = el("div", "kefu-typing", "", { id: "kefu-typing" });
		ui.foot = el("div", "kefu-foot");
		ui.input = el("textarea", null, null, { id: "kefu-input", placeholder: T.placeholder, maxlength: "2000" });
		ui.send = el("button", null, T.send, { id: "kefu-send", type: "button" });
		ui.foot.appendChild(ui.input);
		ui.foot.appendChild(ui.send);
		[head, ui.status, ui.body, ui.typing, ui.foot].forEach(function (e) { ui.panel.appendChild(e); });
		document.body.appendChild(ui.button);
		document.body.appendChild(ui.panel);
		ui.button.onclick = function () { toggle(); };
		x.onclick = function () { toggle(false); };
		ui.send.onclick = sendInput;
		ui.input.addEventListener("keydown", function (e) {
			if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
				e.preventDefault();
				sendInput();
			}
		});
		ui.input.addEventListener("input", typed);
	}

	function toggle(open) {
		if (open === undefined) open = !ui.panel.classList.contains("kefu-open");
		ui.panel.classList.toggle("kefu-open", open);
		if (open && !st.chat && !st.connecting && !st.leaving) showForm();
	}

	function status(text, warn) {
		ui.status.textContent = text || "";
		ui.status.classList.toggle("kefu-warn", !!warn);
	}

	function clearBody() {
		while (ui.body.firstChild) ui.body.removeChild(ui.body.firstChild);
	}

	function showForm() {
		clearBody();
		ui.foot.style.display = "none";
		status("");
		var f = el("form", "kefu-form", null, { id: "kefu-form", novalidate: "" });
		var fields = [["name", T.name, "input"], ["email", T.email, "input"],
		    ["phone", T.phone, "input"], ["question", T.question, "textarea"]];
		fields.forEach(function (d) {
			var req = cfg.required.indexOf(d[0]) >= 0;
			f.appendChild(el("label", null, d[1] + (req ? " *" : T.optional),
			    { "for": "kefu-" + d[0] }));
			var i = el(d[2], null, null, { id: "kefu-" + d[0], name: d[0] });
			if (d[0] === "email") i.type = "email";
			if (d[0] === "phone") i.type = "tel";
			f.appendChild(i);
		});
		var err = el("div", "kefu-err", "", { id: "kefu-form-error" });
		f.appendChild(err);
		f.appendChild(el("button", null, T.start, { id: "kefu-start", type: "submit" }));
		f.onsubmit = function (e) {
			e.preventDefault();
			var v = {};
			for (var n = 0; n < fields.length; n++) {
				var k = fields[n][0];
				v[k] = f.elements[k].value.trim();
				if (!v[k] && cfg.required.indexOf(k) >= 0) {
					err.textContent = T.required + ": " + fields[n][1];
					return;
				}
			}
			start(v);
		};
		ui.body.appendChild(f);
	}

	function line(cls, text, meta) {
		var m = el("div", "kefu-msg " + cls);
		if (meta) m.appendChild(el("div", "kefu-meta", meta));
		m.appendChild(el("div", "kefu-bubble", text));
		ui.body.appendChild(m);
		ui.body.scrollTop = ui.body.scrollHeight;
		return m;
	}

	function hhmm(ts) {
		var d = ts ? new Date(ts * 1000) : new Date();
		return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
	}

	/* ---- the connection ---- */

	var st = { ws: null, chat: null, token: null, seen: {}, tagn: 0, wait: {},
	    browsing: false, invite: null, leaving: false, left: false,
	    backoff: 1000, connecting: false, ended: false, kicked: false,
	    agent: "", typingAt: 0, typingSent: "", typingTimer: null, agentTyping: null };

	function saved() {
		try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
	}
	function save() {
		try {
			if (st.token && st.chat && !st.ended) localStorage.setItem(KEY, JSON.stringify({ token: st.token, chat: st.chat }));
			else localStorage.removeItem(KEY);
		} catch (e) { /* storage off: no resume */ }
	}

	/* ---- browsing: on the site, no chat yet; invitations ---- */

	function browse() {
		var b = null;
		try { b = sessionStorage.getItem(BKEY); } catch (e) { /* off */ }
		var f = { page: location.href.slice(0, 1000), referrer: document.referrer.slice(0, 1000),
		    lang: zh ? "zh" : "en", group: cfg.group, token: b };
		var words = ["BROWSE"];
		for (var k in f) if (f[k]) words.push(k + "=" + escArg(f[k]));
		send(words.join(" ") + " :" + escText(document.title.slice(0, 250)), function (r, ok) {
			if (!ok) {	/* not listed here: connect again only to chat */
				var ws = st.ws;
				st.ws = null;
				if (ws) ws.close();
				return;
			}
			st.browsing = true;
			try { sessionStorage.setItem(BKEY, r.kv.token); } catch (e) { /* off */ }
		});
	}

	function inviteBox(r) {
		inviteGone();
		var box = el("div", "kefu-invite", null, { id: "kefu-invite", role: "alertdialog" });
		box.appendChild(el("b", null, r.kv.agent || T.title));
		box.appendChild(el("p", null, r.text || "", { id: "kefu-invite-text" }));
		var yes = el("button", "kefu-yes", T.inviteYes, { id: "kefu-invite-accept", type: "button" });
		var no = el("button", null, T.inviteNo, { id: "kefu-invite-decline", type: "button" });
		yes.onclick = function () {
			inviteGone();
			send("INVITATION accept", function (a, ok) {
				if (!ok) { status(T.error + (a.text || ""), true); return; }
				st.browsing = false;
				st.ended = false;
				st.seen = {};
				clearBody();
				status("");
				began(a);
				ui.panel.classList.add("kefu-open");
			});
		};
		no.onclick = function () { inviteGone(); send("INVITATION decline", function () {}); };
		box.appendChild(yes);
		box.appendChild(no);
		document.body.appendChild(box);
		st.invite = box;
	}

	function inviteGone() {
		if (st.invite && st.invite.parentNode) st.invite.parentNode.removeChild(st.invite);
		st.invite = null;
	}

	/* ---- leave a message (LEAVEMSG) when nobody can take the visitor ---- */

	function leaveForm(need) {
		if (st.leaving) return;
		st.leaving = true;
		ui.foot.style.display = "none";
		var items = (need || "").split(",").filter(function (x) { return x; })
		    .map(function (x) { return x.split("|"); });
		var f = el("form", "kefu-form", null, { id: "kefu-leave", novalidate: "" });
		var names = { name: T.name, phone: T.phone, email: T.email };
		["name", "phone", "email"].forEach(function (k) {
			f.appendChild(el("label", null, names[k], { "for": "kefu-leave-" + k }));
			var i = el("input", null, null, { id: "kefu-leave-" + k, name: k });
			if (k === "email") i.type = "email";
			if (k === "phone") i.type = "tel";
			f.appendChild(i);
		});
		f.appendChild(el("label", null, T.message + " *", { "for": "kefu-leave-message" }));
		f.appendChild(el("textarea", null, null, { id: "kefu-leave-message", name: "message" }));
		var err = el("div", "kefu-err", "", { id: "kefu-leave-error" });
		f.appendChild(err);
		f.appendChild(el("button", null, T.leaveSend, { id: "kefu-leave-send", type: "submit" }));
		f.onsubmit = function (e) {
			e.preventDefault();
			var v = {};
			["name", "phone", "email", "message"].forEach(function (k) { v[k] = f.elements[k].value.trim(); });
			if (!v.message) { err.textContent = T.required + ": " + T.message; return; }
			for (var n = 0; n < items.length; n++) {
				var any = items[n].some(function (k) { return v[k]; });
				if (!any) {
					err.textContent = T.needOne + items[n].map(function (k) { return names[k] || k; }).join(" / ");
					return;
				}
			}
			var words = ["LEAVEMSG"];
			["name", "phone", "email"].forEach(function (k) { if (v[k]) words.push(k + "=" + escArg(v[k])); });
			send(words.join(" ") + " :" + escText(v.message.slice(0, 4000)), function (r, ok) {
				if (!ok) { err.textContent = T.error + (r.text || r.words.slice(1).join(" ")); return; }
				st.left = true;
				status("");	/* no more "please leave a message" */
				if (f.parentNode) f.parentNode.removeChild(f);
				ui.body.appendChild(el("div", "kefu-msg kefu-system", fmt(T.leaveDone, { id: r.kv["case"] }),
				    { id: "kefu-leave-done" }));
				ui.body.appendChild(again());
			});
		};
		ui.body.appendChild(f);
		ui.body.scrollTop = ui.body.scrollHeight;
	}

	function leaveGone() {
		var f = document.getElementById("kefu-leave");
		if (f && f.parentNode) f.parentNode.removeChild(f);
		st.leaving = false;
		if (st.chat && !st.ended) ui.foot.style.display = "";
	}

	function send(cmd, cb) {
		if (!st.ws || st.ws.readyState !== 1) return false;
		var tag = "k" + (++st.tagn);
		if (cb) st.wait[tag] = cb;
		st.ws.send("@" + tag + " " + cmd);
		return true;
	}

	function connect(then) {
		st.connecting = true;
		var ws;
		try { ws = new WebSocket(wsURL); } catch (e) { retry(then); return; }
		st.ws = ws;
		ws.onopen = function () {
			st.connecting = false;
			st.backoff = 1000;
			if (then) then();
		};
		ws.onmessage = function (e) { received(String(e.data)); };
		ws.onclose = function () {
			if (st.ws !== ws) return;
			st.ws = null;
			st.wait = {};
			if (st.kicked || (st.ended && !st.token)) { st.connecting = false; return; }
			retry(then);
		};
	}

	function retry(then) {
		st.connecting = true;
		status(T.reconnecting, true);
		var d = st.backoff;
		st.backoff = Math.min(st.backoff * 2, 30000);
		setTimeout(function () {
			connect(st.chat && st.token ? resume : then);
		}, d + Math.floor(Math.random() * 300));
	}

	function hello(fields, text, done) {
		var words = ["HELLO"];
		for (var k in fields) if (fields[k]) words.push(k + "=" + escArg(fields[k]));
		send(words.join(" ") + (text ? " :" + escText(text) : ""), done);
	}

	function start(v) {
		inviteGone();
		var fields = { name: v.name, email: v.email, phone: v.phone, lang: zh ? "zh" : "en",
		    group: cfg.group, agent: cfg.agent,
		    page: location.href.slice(0, 1000),
		    referrer: document.referrer.slice(0, 1000) };
		var go = function () {
			status(T.connecting);
			hello(fields, v.question, function (r, ok) {
				if (!ok) { status(T.error + (r.text || r.words.join(" ")), true); return; }
				began(r);
				if (v.question) {	/* stored as message 1 */
					st.seen["1"] = 1;
					line("kefu-visitor", v.question, T.you + " " + hhmm());
				}
			});
		};
		st.ended = false;
		st.seen = {};
		clearBody();
		if (st.ws && st.ws.readyState === 1) go(); else connect(go);
	}

	function began(r) {
		st.chat = r.kv.chat;
		st.token = r.kv.token;
		st.ended = false;
		st.browsing = false;
		st.leaving = st.left = false;
		save();
		ui.foot.style.display = "";
		send("PAGE " + escArg(location.href.slice(0, 1000)) + " :" +
		    escText(document.title.slice(0, 250)));
	}

	function resume() {
		status(T.connecting);
		hello({ token: st.token }, null, function (r, ok) {
			if (!ok) { st.chat = st.token = null; save(); showForm(); return; }
			if (r.kv.resumed !== "1") { /* expired: that was a new chat */
				send("END");
				st.chat = st.token = null;
				save();
				showForm();
				return;
			}
			status("");
			began(r);
		});
	}

	function received(text) {
		var r = parse(text);
		if (r.tag) {
			var cb = st.wait[r.tag];
			if (r.words[0] === "+") return;
			delete st.wait[r.tag];
			if (cb) cb(r, r.words[0] === "OK");
			else if (r.words[0] === "ERR" && r.words[1] !== "FLOOD")
				status(T.error + (r.text || r.words.slice(1).join(" ")), true);
			return;
		}
		if (r.words[0] !== "*") return;
		var ev = r.words[1];
		if (r.words[2] && st.chat && r.words[2] !== st.chat && ev !== "KICKED") return;
		if (ev === "QUEUED") {
			var pos = parseInt(r.kv.pos, 10) || 1;
			status(fmt(pos > 1 ? T.queued : T.next, { pos: pos, ahead: pos - 1 }) +
			    (r.kv.eta != null ? fmt(T.eta, { eta: mins(r.kv.eta) }) : ""));
		} else if (ev === "CLOSED") {
			status(T.closed, true);
			if (!st.left) leaveForm(r.kv.need);
		} else if (ev === "INVITATION") {
			if (r.kv.withdrawn) inviteGone();
			else if (st.browsing) inviteBox(r);
		} else if (ev === "ASSIGNED" || (ev === "TRANSFERRED" && r.kv.agent)) {
			if (st.leaving && !st.left) leaveGone();
			st.agent = r.kv.agent || "";
			ui.title.textContent = st.agent ? T.title + " · " + st.agent : T.title;
			status(fmt(T.assigned, { agent: st.agent }));
			ui.input.placeholder = T.placeholder;
		} else if (ev === "MSG") {
			var seq = r.words[3], kind = r.words[4], from = r.words[5];
			if (st.seen[seq]) return;
			st.seen[seq] = 1;
			agentTyping(false);
			var ts = parseInt(r.kv.ts, 10);
			if (kind === "visitor")
				line("kefu-visitor", r.text, T.you + " " + hhmm(ts));
			else if (kind === "agent" || kind === "bot")	/* bot: 智能客服 */
				line("kefu-agent", r.text, from + " " + hhmm(ts));
			else
				line("kefu-system", r.text, hhmm(ts));
		} else if (ev === "TYPING") {
			agentTyping(r.kv.agent || st.agent, r.kv.on !== "0");
		} else if (ev === "ENDED") {
			ended();
		} else if (ev === "KICKED") {
			st.kicked = true;
			status(T.kicked, true);
			ui.foot.style.display = "none";
		} else if (ev === "SHUTDOWN") {
			status(T.reconnecting, true);
		}
	}

	function agentTyping(name, on) {
		clearTimeout(st.agentTyping);
		ui.typing.textContent = name && on !== false ? fmt(T.typing, { agent: name }) : "";
		if (name && on !== false)
			st.agentTyping = setTimeout(function () { ui.typing.textContent = ""; }, 6000);
	}

	/* the visitor's draft goes out at most every 1.5 s; an empty one when
	 * they stop */
	function typed() {
		if (!st.chat || st.ended) return;
		clearTimeout(st.typingTimer);
		var now = Date.now();
		var flush = function () {
			var d = ui.input.value.slice(0, 500);
			if (d === st.typingSent) return;
			st.typingSent = d;
			st.typingAt = Date.now();
			send("TYPING" + (d ? " :" + escText(d) : ""), function () {});
		};
		if (now - st.typingAt > 1500) flush();
		else st.typingTimer = setTimeout(flush, 1500 - (now - st.typingAt));
	}

	function sendInput() {
		var v = ui.input.value.trim();
		if (!v || !st.chat || st.ended) return;
		if (!send("SAY :" + escText(v.slice(0, 4000)), function (r, ok) {
			if (!ok) status(T.error + (r.text || r.words.slice(1).join(" ")), true);
		})) return;
		ui.input.value = "";
		clearTimeout(st.typingTimer);
		st.typingSent = "";
	}

	function ended() {
		if (st.ended) return;
		st.ended = true;
		save();
		agentTyping(false);
		ui.foot.style.display = "none";
		if (st.left || st.leaving) return;	/* a message was left instead */
		status(T.ended);
		var box = el("div", "kefu-rate", null, { id: "kefu-rate" });
		box.appendChild(el("div", null, T.rate));
		var stars = el("div", "kefu-stars", null, { role: "radiogroup" });
		var score = 0;
		for (var i = 1; i <= 5; i++) {
			(function (n) {
				var s = el("span", "kefu-star", "★", { "data-score": String(n), role: "radio", title: String(n) });
				s.onclick = function () {
					score = n;
					var all = stars.querySelectorAll(".kefu-star");
					for (var j = 0; j < all.length; j++) all[j].classList.toggle("kefu-on", j < n);
				};
				stars.appendChild(s);
			})(i);
		}
		box.appendChild(stars);
		var comment = el("textarea", null, null, { id: "kefu-comment", placeholder: T.comment, maxlength: "500" });
		box.appendChild(comment);
		var b = el("button", null, T.rateSend, { id: "kefu-rate-send", type: "button" });
		b.onclick = function () {
			if (!score) return;
			send("RATE " + score + (comment.value ? " :" + escText(comment.value) : ""), function (r, ok) {
				while (box.firstChild) box.removeChild(box.firstChild);
				box.appendChild(el("div", null, ok ? T.thanks : T.error + (r.text || "")));
				box.appendChild(again());
			});
		};
		box.appendChild(b);
		box.appendChild(again());
		ui.body.appendChild(box);
		ui.body.scrollTop = ui.body.scrollHeight;
	}

	function again() {
		var b = el("button", null, T.again, { type: "button", "class": "kefu-again" });
		b.onclick = function () {
			st.chat = null;
			st.leaving = st.left = false;
			ui.title.textContent = T.title;
			showForm();
		};
		return b;
	}

	/* ---- start ---- */

	function init() {
		build();
		var s = saved();
		if (s && s.token) {
			st.token = s.token;
			st.chat = s.chat;
			ui.panel.classList.add("kefu-open");
			ui.foot.style.display = "";
			connect(resume);
		} else {
			connect(browse);
		}
	}

	window.kefu = {
		open: function () { toggle(true); },
		close: function () { toggle(false); }
	};
	if (document.body) init();
	else document.addEventListener("DOMContentLoaded", init);
})();
