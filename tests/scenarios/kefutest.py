"""kefutest - start a real kefud on a temporary database and drive it.

Used by every protocol scenario (tests/scenarios/test_*.py), the console
tests and the SSH tests. Standard library only.

    srv = Server(extra={"routing": {"answer_timeout": 2}})
    srv.start()
    a = srv.client(); a.login("alice")
    v = srv.client(); final, rows = v.cmd("HELLO name=X group=sales :hi")
    ev = a.expect_event("QADD")
    srv.stop()

Output is TAP: t = Tap(); t.ok(cond, "what"); t.done().

Waits are for events (a line, a reply, an event) with deadlines long enough
for a sanitizer build on a busy 2-core machine: a deadline only decides how
long a failing test takes, never whether a working one passes.
"""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEMO_USERS = [
    ("admin", "admin", "admin123", "Admin", "sales,tech", 5),
    ("alice", "agent", "alice123", "Alice", "sales,tech", 5),
    ("bob", "agent", "bob123", "小王", "sales,tech", 3),
    ("carol", "supervisor", "carol123", "Carol", "sales,tech", 5),
]
PASSWORDS = {u[0]: u[2] for u in DEMO_USERS}


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if detail is not None:
                for line in str(detail).splitlines():
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, "got %r, want %r" % (got, want))

    def skip_all(self, why):
        print("1..0 # SKIP " + why)
        sys.exit(0)

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def wait_for(cond, timeout=15):
    """Poll cond() until it returns something true (returned), or None
    after timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    return None


def processes():
    """Every process now: [(pid, parent, state letter, [argv as bytes])]."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        out.append((int(d), int(fields[1]), fields[0], cmd))
    return out


def child_pids(parent, arg=None, zombies=False):
    """Live (not zombie, unless zombies) processes whose parent is
    `parent`; with arg, only those with that word in their command line."""
    return [pid for pid, ppid, state, cmd in processes()
            if ppid == parent and (state != "Z" or zombies) and
            (arg is None or arg.encode() in cmd)]


def latency_probe(visitor, agent, chat, n=20):
    """Worst visitor SAY -> agent * MSG latency in seconds over n messages
    (None if one is lost): how the robustness tests see "others served"."""
    worst = 0.0
    for i in range(n):
        t0 = time.time()
        f, _ = visitor.cmd("SAY :probe %d" % i)
        if f is None or not f.startswith("OK"):
            return None
        if agent.expect_event("MSG %d " % chat, 30) is None:
            return None
        worst = max(worst, time.time() - t0)
        visitor.events.clear()
    return worst


def raw_recv(s, until=None):
    """Bytes a plain socket receives until EOF (an error counts as EOF), or
    until the bytes `until` have come."""
    buf = b""
    while until is None or until not in buf:
        try:
            d = s.recv(65536)
        except OSError:
            break
        if not d:
            break
        buf += d
    return buf


def raw_first_line(s):
    """The first line the server sends on a plain socket, or None if it
    closes (or the socket's timeout passes) before one."""
    buf = raw_recv(s, b"\n")
    return buf.split(b"\n", 1)[0].decode(errors="replace") if b"\n" in buf else None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _yaml(d, indent=0):
    out = []
    pad = "  " * indent
    for k, v in d.items():
        if isinstance(v, dict):
            out.append("%s%s:" % (pad, k))
            out.extend(_yaml(v, indent + 1))
        elif isinstance(v, list):
            out.append("%s%s:" % (pad, k))
            for item in v:
                first = True
                for ik, iv in item.items():
                    out.append("%s  %s%s: %s" % (pad, "- " if first else "  ", ik, _scalar(iv)))
                    first = False
        else:
            out.append("%s%s: %s" % (pad, k, _scalar(v)))
    return out


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _merge(base, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v


class Server:
    def __init__(self, extra=None, binary=None, tmpdir=None):
        self.binary = binary or os.environ.get("KEFUD") or os.path.join(
            os.environ.get("top_builddir", "."), "server", "kefud")
        self.dir = tmpdir or tempfile.mkdtemp(prefix="kefutest.")
        self.own_dir = tmpdir is None
        self.port = free_port()
        self.http_port = free_port()
        while self.http_port == self.port:  # the kernel may hand it out again
            self.http_port = free_port()
        self.sock = os.path.join(self.dir, "kefud.sock")
        self.db = os.path.join(self.dir, "kefu.db")
        self.log_path = os.path.join(self.dir, "kefud.log")
        self.config = {
            "listen": {"tcp": "127.0.0.1:%d" % self.port, "unix": self.sock,
                       "http": "127.0.0.1:%d" % self.http_port},
            "database": self.db,
            "log_level": "debug",
            "routing": {"default_group": "sales", "answer_timeout": 120,
                        "agent_grace": 60},
            "visitor": {"resume_timeout": 300},
            "groups": [{"name": "sales", "mode": "auto"},
                       {"name": "tech", "mode": "manual"}],
            "users": [{"name": n, "role": r, "password": p, "display": d,
                       "groups": g, "max_chats": m}
                      for (n, r, p, d, g, m) in DEMO_USERS],
            "quick_replies": [
                {"title": "问候", "text": "您好,很高兴为您服务!"},
                {"title": "订单号", "text": "请提供您的订单号,我马上为您查询。"},
                {"title": "greeting", "text": "Hello! How can I help you?"},
            ],
        }
        if extra:
            _merge(self.config, extra)
        self.config_path = os.path.join(self.dir, "kefu.yml")
        self.proc = None
        self.clients = []

    def write_config(self):
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write("\n".join(_yaml(self.config)) + "\n")

    def start(self, timeout=300):   # under valgrind seeding accounts is slow
        self.write_config()
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "-c", self.config_path],
                                     stdout=self.logf, stderr=self.logf,
                                     cwd=self.dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("kefud exited with %s:\n%s" % (
                    self.proc.returncode, self.log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                if self.config["listen"].get("http"):   # the web door too
                    socket.create_connection(("127.0.0.1", self.http_port),
                                             0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        # not left running behind a test that stops here
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        self.logf.close()
        raise RuntimeError("kefud did not start:\n" + self.log())

    def start_for(self, t):
        """start(), or, when kefud does not come up, a failed check and the
        end of the test (a server that cannot start is a failure, not a
        skip)."""
        try:
            return self.start()
        except (RuntimeError, OSError) as e:
            t.ok(False, "kefud starts", str(e)[-2000:])
            self.cleanup()
            t.done()

    def served_chat(self, agent="alice", group="tech", name="good",
                    question="hi", accept=True):
        """An agent logged in and a visitor in a chat with them: (agent
        client, visitor client, chat id as a string). accept=False waits
        for the automatic assignment instead of ACCEPT."""
        a = self.client()
        a.login(agent)
        v = self.client()
        chat = v.hello("name=%s group=%s :%s" % (name, group, question))["chat"]
        if accept:
            a.ok("ACCEPT " + chat)
        elif a.expect_event("ASSIGN " + chat, 30) is None:
            raise AssertionError("chat %s was not assigned to %s" % (chat, agent))
        return a, v, chat

    def fake_gateway(self):
        """Before start(): ssh.enabled with a stand-in for kefud-ssh (kefud
        only needs a program to run; it writes the secret file first, and
        the program ends when kefud does). Use gateway_client() after."""
        prog = os.path.join(self.dir, "fake-gateway")
        with open(prog, "w") as f:
            f.write("#!/bin/sh\nwhile kill -0 $PPID 2>/dev/null; do sleep 1; done\n")
        os.chmod(prog, 0o700)
        self.config["ssh"] = {"enabled": True, "gateway": prog, "console": "/bin/true",
                              "listen": "127.0.0.1:%d" % free_port(),
                              "secret_file": os.path.join(self.dir, "run", "gw.secret")}
        return self

    def gateway_client(self):
        """(client, final): a unix socket connection that said GATEWAY
        with the secret kefud wrote (just after it started listening)."""
        path = self.config["ssh"]["secret_file"]
        wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 20)
        with open(path) as f:
            secret = f.read().strip()
        g = self.client(unix=True)
        final, _ = g.cmd("GATEWAY :" + secret)
        return g, final

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cli(self, *args, stdin=None, timeout=120):
        """kefud's command line (kefud -c CONFIG ARGS...) on this server's
        database, beside it if it runs; text in and out (bytes that are not
        UTF-8 show as U+FFFD)."""
        return subprocess.run([self.binary, "-c", self.config_path] + list(args),
                              cwd=self.dir, input=stdin, capture_output=True,
                              text=True, errors="replace", timeout=timeout)

    def cli_missing_db(self, *args):
        """kefud -d DB ARGS... on a database that does not exist: (the
        result, whether it left a database or its WAL behind)."""
        missing = os.path.join(self.dir, "nothere.db")
        r = subprocess.run([self.binary, "-d", missing] + list(args),
                           capture_output=True, text=True, errors="replace",
                           timeout=60)
        return r, os.path.exists(missing) or os.path.exists(missing + "-wal")

    def client(self, unix=False):
        c = Client(port=None if unix else self.port, sock=self.sock if unix else None)
        self.clients.append(c)
        return c

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        for c in self.clients:
            c.close()
        self.clients = []
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        self.logf.close()
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        if self.proc is not None:
            self.stop()
        if self.own_dir and not os.environ.get("KEFUTEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


class Client:
    """One protocol connection. Replies are matched by tag; events that
    arrive meanwhile are kept in self.events for expect_event()."""
    _tagn = 0

    def __init__(self, port=None, sock=None, host="127.0.0.1", timeout=20,
                 source=None):
        if sock:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.connect(sock)
        else:   # source: the local address to connect from (127.0.0.9)
            self.s = socket.create_connection(
                (host, port), timeout, source_address=(source, 0) if source else None)
        self.timeout = timeout
        self.buf = b""
        self.events = []
        self.closed = False

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.s.close()
            except OSError:
                pass

    def quit(self, timeout=None):
        """QUIT and wait until kefud closes the connection: once this
        returns, kefud has let go of it (a plain close() races with the
        next request on another connection)."""
        try:
            self.send("QUIT")
        except OSError:
            pass
        self.wait_closed(timeout)
        self.close()

    def wait_closed(self, timeout=None):
        """True once kefud has closed the connection (what it sent before
        is kept for readline/expect_event), False after timeout seconds."""
        end = time.time() + (timeout or self.timeout)
        while time.time() < end:
            self.s.settimeout(max(0.05, end - time.time()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return True
            if not d:
                return True
            self.buf += d
        return False

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def send(self, line):
        self.send_raw(line + "\n")

    def readline(self, timeout=None):
        """One line (str, without newline), or None on timeout/EOF."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                return None
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", errors="replace")

    def cmd(self, line, timeout=None):
        """Send line with a fresh tag; return (final line without tag, rows)."""
        Client._tagn += 1
        tag = "t%d" % Client._tagn
        self.send("@%s %s" % (tag, line))
        rows = []
        pre = "@" + tag + " "
        while True:
            l = self.readline(timeout)
            if l is None:
                return (None, rows)
            if l.startswith(pre):
                rest = l[len(pre):]
                if rest.startswith("+"):
                    rows.append(rest[1:].lstrip())
                    continue
                return (rest, rows)
            if l.startswith("* "):
                self.events.append(l[2:])
            else:
                self.events.append("?" + l)

    def cmd_all(self, line, timeout=None):
        """A list command followed page by page (from=<next>) to its end:
        (final line of the last page, all rows)."""
        final, rows = self.cmd(line, timeout)
        for _ in range(100000):
            nxt = kv(final).get("next") if final and final.startswith("OK") else None
            if nxt is None:
                break
            head, sep, tail = line.partition(" :")
            final, more = self.cmd("%s from=%s%s%s" % (head, nxt, sep, tail), timeout)
            rows += more
        return final, rows

    def count_replies(self, tag, want, timeout=60, ok=" OK", gap=10):
        """Read until want replies tagged @tag that contain ok have come
        (or nothing comes for gap seconds, or timeout seconds pass): how
        many came."""
        got = 0
        deadline = time.time() + timeout
        while got < want and time.time() < deadline:
            l = self.readline(min(gap, max(0.1, deadline - time.time())))
            if l is None:
                break
            if l.startswith("@" + tag) and ok in l:
                got += 1
        return got

    def ok(self, line, timeout=None):
        final, rows = self.cmd(line, timeout)
        if final is None or not final.startswith("OK"):
            raise AssertionError("%r -> %r" % (line, final))
        return final, rows

    def expect_event(self, prefix, timeout=None):
        """First event starting with prefix (removed from the backlog)."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while True:
            for i, e in enumerate(self.events):
                if e.startswith(prefix):
                    return self.events.pop(i)
            left = deadline - time.time()
            if left <= 0:
                return None
            l = self.readline(left)
            if l is None:
                if time.time() >= deadline:
                    return None
                continue
            self.events.append(l[2:] if l.startswith("* ") else "?" + l)

    def no_event(self, prefix, wait=0.3):
        return self.expect_event(prefix, wait) is None

    def login(self, name, password=None):
        return self.ok("LOGIN %s :%s" % (name, password or PASSWORDS[name]))

    def hello(self, args=""):
        final, _ = self.ok("HELLO " + args)
        return kv(final)


def read_csv(path):
    """The rows of a UTF-8 CSV file as dicts by its header."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def same_bytes(a, b):
    """Whether the files a and b hold the same bytes."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def kv(line):
    """Parse key=value words of a reply/event into a dict (values unescaped)."""
    out = {}
    if line is None:
        return out
    head = line.split(" :", 1)[0]
    for w in head.split():
        if "=" in w:
            k, v = w.split("=", 1)
            out[k] = unescape(v)
    return out


def text(line):
    """The :text part of a line, unescaped, or None."""
    if line is None or " :" not in line:
        return None
    return unescape(line.split(" :", 1)[1])


def unescape(s):
    out = []
    i = 0
    m = {"n": "\n", "t": "\t", "s": " ", ":": ":", "\\": "\\"}
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in m:
            out.append(m[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
