"""fakekefud.py - a stand-in for kefud's unix socket, just enough for
testing kefud-ssh on its own: GATEWAY, AUTHPASS, AUTHKEY, MKTICKET,
TICKET, and after a TICKET login PING, STATUS, QUIT.

It records every request line (passwords replaced by ***) in .log so a
test can check what the gateway asked, and it follows the rules of
proto/PROTOCOL.md: a ticket works only while the gateway connection that
made it is open; failed logins are counted per addr= and throttled.
"""
import os
import secrets
import socket
import threading


def unescape(s):
    out, i = [], 0
    table = {"n": "\n", "t": "\t", "s": " ", ":": ":", "\\": "\\"}
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in table:
            out.append(table[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def split(line):
    text = None
    if " :" in line:
        line, text = line.split(" :", 1)
        text = unescape(text)
    words = [unescape(w) for w in line.split()]
    opts = {}
    args = []
    for w in words[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            opts[k] = v
        else:
            args.append(w)
    return (words[0].upper() if words else ""), args, opts, text


class FakeKefud:
    def __init__(self, path, secret, users, keys=None, max_failures=5):
        self.path = path
        self.secret = secret
        self.users = dict(users)          # name -> password
        self.keys = dict(keys or {})      # name -> ["type b64", ...]
        self.max_failures = max_failures
        self.failures = {}
        self.tickets = {}                 # token -> (name, gateway conn id)
        self.live_gateways = set()
        self.log = []
        self.lock = threading.Lock()
        self.sock = None
        self.conns = []

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        try:
            self.sock.close()
        except OSError:
            pass
        for c in list(self.conns):
            try:
                c.close()
            except OSError:
                pass

    def lines(self, verb=None):
        with self.lock:
            return [l for l in self.log if verb is None or l.startswith(verb)]

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        state = {"role": None, "name": None, "id": id(c)}
        buf = b""
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    if not line.strip():
                        continue
                    reply = self._handle(state, line)
                    if reply is not None:
                        c.sendall(reply.encode() + b"\n")
                    if reply == "OK bye":
                        raise EOFError
        except (OSError, EOFError):
            pass
        finally:
            with self.lock:
                self.live_gateways.discard(state["id"])
            c.close()

    def _record(self, verb, line):
        if verb in ("AUTHPASS", "GATEWAY") and " :" in line:
            line = line.split(" :", 1)[0] + " :***"
        with self.lock:
            self.log.append(line)

    def _fail(self, addr):
        with self.lock:
            n = self.failures.get(addr, 0) + 1
            self.failures[addr] = n
        return "ERR AUTH wrong user name or password"

    def _throttled(self, addr):
        with self.lock:
            return self.failures.get(addr, 0) >= self.max_failures

    def _handle(self, st, line):
        verb, args, opts, text = split(line)
        self._record(verb, line)
        if verb == "GATEWAY":
            if text == self.secret:
                st["role"] = "gateway"
                with self.lock:
                    self.live_gateways.add(st["id"])
                return "OK"
            return "ERR AUTH bad secret"
        if verb in ("AUTHPASS", "AUTHKEY", "MKTICKET"):
            if st["role"] != "gateway":
                return "ERR DENIED gateway only"
            if not args:
                return "ERR ARGS usage"
            name, addr = args[0], opts.get("addr", "?")
            if verb == "MKTICKET":
                tok = secrets.token_hex(16)
                with self.lock:
                    self.tickets[tok] = (name, st["id"])
                return "OK token=" + tok
            if self._throttled(addr):
                return "ERR THROTTLE too many failures; wait"
            if verb == "AUTHPASS":
                ok = name in self.users and self.users[name] == text
            else:
                ok = text is not None and any(
                    text.split()[:2] == k.split()[:2]
                    for k in self.keys.get(name, []))
            return "OK role=agent" if ok else self._fail(addr)
        if verb == "TICKET":
            if len(args) != 2:
                return "ERR ARGS TICKET <name> <token>"
            with self.lock:
                t = self.tickets.get(args[1])
                live = t is not None and t[1] in self.live_gateways
            if not live or t[0] != args[0]:
                return "ERR AUTH bad ticket"
            st["role"], st["name"] = "agent", args[0]
            return "OK name=%s role=agent status=online max=5 display=%s" % (
                args[0], args[0])
        if verb == "PING":
            return "OK PONG" + ("" if not args else " " + args[0])
        if verb == "QUIT":
            return "OK bye"
        if st["role"] != "agent":
            return "ERR NOAUTH log in first"
        if verb == "STATUS":
            return "OK status=online chats=0 max=5"
        return "ERR UNKNOWN no such command"


if __name__ == "__main__":
    import sys
    import time
    fk = FakeKefud(sys.argv[1], open(sys.argv[2]).read().strip(),
                   {"alice": "alice123", "bob": "bob123"}).start()
    print("fake kefud on", sys.argv[1], flush=True)
    while True:
        time.sleep(3600)
