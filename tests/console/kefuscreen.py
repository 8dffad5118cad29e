"""kefuscreen - helpers for the console tests: a real kefud on a temp
directory and a free port, visitors speaking the line protocol, and the
kefu console running inside a private tmux server whose screen we read.

Standard library only. Every wait is a bounded poll loop.
"""
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata

CONFIG = """listen:
  tcp: "127.0.0.1:{port}"
  unix: "{dir}/kefud.sock"
  http: ""
database: "{dir}/kefu.db"
log_level: info
routing:
  answer_timeout: {answer_timeout}
visitor:
  resume_timeout: 600
groups:
  - name: sales
    mode: {sales_mode}
    description: Sales
  - name: tech
    mode: manual
    description: Tech support
users:
  - name: admin
    role: admin
    password: admin123
  - name: alice
    role: agent
    password: alice123
    groups: sales,tech
    display: Alice
  - name: bob
    role: agent
    password: bob123
    groups: sales,tech
    display: Bob
customers:
  fields: "vip_level"
quick_replies:
  - title: greet
    text: 您好，请问有什么可以帮您？
  - title: order
    text: 请提供您的订单号，我们马上查询。
  - title: bye
    text: Thanks for contacting us, have a nice day!
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, kefud, tmpdir, answer_timeout=0, sales_mode="manual"):
        self.kefud = kefud
        self.dir = tmpdir
        self.port = free_port()
        self.sock = os.path.join(tmpdir, "kefud.sock")
        self.config_path = os.path.join(tmpdir, "kefu.yml")
        with open(self.config_path, "w") as f:
            f.write(CONFIG.format(port=self.port, dir=tmpdir,
                                  answer_timeout=answer_timeout,
                                  sales_mode=sales_mode))
        self.proc = None

    def start(self, timeout=60):
        log = open(os.path.join(self.dir, "kefud.log"), "a")
        self.proc = subprocess.Popen([self.kefud, "-c", self.config_path],
                                     stdout=log, stderr=log)
        log.close()
        end = time.time() + timeout
        while time.time() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("kefud exited at start")
                time.sleep(0.05)
        raise RuntimeError("kefud did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Proxy:
    """A TCP relay in front of kefud: cut() drops every connection through
    it and refuses new ones (a console sees the line go while kefud stays
    up) until mend()."""

    def __init__(self, port):
        self.target = port
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.pairs, self.open, self.done = [], True, False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done:
            with self.lock:
                socks = [self.ls] + [x for p in self.pairs for x in p]
            try:
                ready, _, _ = select.select(socks, [], [], 0.1)
            except (OSError, ValueError):
                continue            # a socket cut meanwhile
            for sk in ready:
                if sk is self.ls:
                    self._accept()
                else:
                    self._relay(sk)

    def _accept(self):
        try:
            c, _ = self.ls.accept()
        except OSError:
            return
        if not self.open:
            c.close()
            return
        try:
            k = socket.create_connection(("127.0.0.1", self.target), 5)
        except OSError:
            c.close()
            return
        with self.lock:
            self.pairs.append((c, k))

    def _relay(self, sk):
        with self.lock:
            pair = next((p for p in self.pairs if sk in p), None)
        if pair is None:
            return
        other = pair[1] if sk is pair[0] else pair[0]
        try:
            data = sk.recv(65536)
            if data:
                other.sendall(data)
                return
        except OSError:
            pass
        self._drop(pair)

    def _drop(self, pair):
        with self.lock:
            if pair in self.pairs:
                self.pairs.remove(pair)
        for x in pair:
            x.close()

    def cut(self):
        self.open = False
        for pair in list(self.pairs):
            self._drop(pair)

    def mend(self):
        self.open = True

    def close(self):
        self.done = True
        self.thread.join(5)     # it looks at done every 0.1 s
        self.cut()
        self.ls.close()


class Client:
    """A protocol client (visitor or agent) with a line reader."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.buf = b""
        self.events = []

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def readline(self, timeout=20):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("no line from server")
            self.s.settimeout(left)
            data = self.s.recv(65536)
            if not data:
                raise EOFError("server closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, line, timeout=20):
        """Send a request; return (final line, rows). Events are kept."""
        self.send("@c " + line)
        rows = []
        while True:
            got = self.readline(timeout)
            if got.startswith("* "):
                self.events.append(got)
            elif got.startswith("@c + "):
                rows.append(got[3:])
            elif got.startswith("@c "):
                return got[3:], rows

    def expect_event(self, prefix, timeout=20):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.startswith(prefix):
                    return self.events.pop(i)
            got = self.readline(max(0.01, end - time.time()))
            if got.startswith("* "):
                self.events.append(got)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class Console:
    """kefu running in a private tmux server."""

    count = 0

    def __init__(self, cmd, cols=80, rows=24, env=None):
        Console.count += 1
        self.name = "kefutest%d-%d" % (os.getpid(), Console.count)
        self.env = dict(os.environ)
        self.env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        self.env.pop("TMUX", None)
        if env:
            self.env.update(env)
        self.tmux(["new-session", "-d", "-x", str(cols), "-y", str(rows),
                   cmd], first=True)

    def tmux(self, args, first=False):
        base = ["tmux", "-L", self.name]
        if first:
            base += ["-f", "/dev/null"]
        return subprocess.run(base + args, env=self.env, check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60).stdout.decode("utf-8", "replace")

    def keys(self, *keys):
        self.tmux(["send-keys", "-t", "0"] + list(keys))

    def type(self, text):
        self.tmux(["send-keys", "-t", "0", "-l", text])

    def screen(self):
        return self.tmux(["capture-pane", "-p", "-t", "0"])

    def wait(self, pred, timeout=30):
        """Poll the screen until pred(screen) is true; return the screen."""
        end = time.time() + timeout
        scr = ""
        while time.time() < end:
            scr = self.screen()
            if pred(scr):
                return scr
            time.sleep(0.05)
        return None

    def wait_text(self, text, timeout=30):
        return self.wait(lambda s: text in s, timeout)

    def resize(self, cols, rows):
        self.tmux(["resize-window", "-t", "0", "-x", str(cols), "-y", str(rows)])

    def _tree(self):
        """Pids of every process under the tmux pane (the shell, kefu and
        anything kefu runs)."""
        out = self.tmux(["display-message", "-p", "-t", "0", "#{pane_pid}"]).strip()
        if not out.isdigit():
            return []
        kids = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
        tree, todo = [], [int(out)]
        while todo:
            p = todo.pop()
            tree.append(p)
            todo.extend(kids.get(p, []))
        return tree

    def close(self):
        """End the tmux server, and with it the console. A console that
        has not exited 10 s after its terminal went away is killed: an
        AddressSanitizer build's leak check at exit can hang on a busy
        machine, and a console left behind would spin for the rest of the
        run and slow every later test."""
        tree = self._tree()
        self.tmux(["kill-server"])
        deadline = time.time() + 10
        while tree and time.time() < deadline:
            tree = [p for p in tree if os.path.exists("/proc/%d" % p)
                    and not _zombie(p)]
            if tree:
                time.sleep(0.1)
        for p in tree:
            try:
                os.kill(p, 9)
            except OSError:
                pass

    @classmethod
    def agent(cls, kefu, port, user="alice", password="alice123", cols=80, rows=24):
        """The console logged in as user; waits until it shows [online]."""
        con = cls("%s --server 127.0.0.1:%d --user %s --no-bell; echo kefu-exit=$?; sleep 60"
                  % (kefu, port, user), cols=cols, rows=rows,
                  env={"KEFU_PASSWORD": password})
        con.wait_text("[online]", 15)
        return con


class Tap:
    """TAP output: one numbered line per check, the screen on a failure."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, screen=None):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc))
        if not cond:
            self.failed += 1
            if screen:
                for line in screen.splitlines():
                    print("#   |" + line)
        sys.stdout.flush()
        return cond

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def skip(why):
    print("1..0 # SKIP " + why)
    sys.exit(0)


def binaries():
    """(kefud, kefu) from the environment, or skip the test."""
    kefud, kefu = os.environ.get("KEFUD", ""), os.environ.get("KEFU", "")
    if shutil.which("tmux") is None:
        skip("tmux not installed")
    if not (os.access(kefud, os.X_OK) and os.access(kefu, os.X_OK)):
        skip("kefud or kefu not built")
    return kefud, kefu


def width(s):
    """Terminal cells of s (CJK wide, combining marks none)."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def col_of(line, needle):
    i = line.find(needle)
    return -1 if i < 0 else width(line[:i])


def fits(screen, cols, rows):
    lines = screen.rstrip("\n").split("\n")
    return len(lines) <= rows and all(width(l) <= cols for l in lines)


def line_with(screen, needle):
    """The first screen line containing needle, or ""."""
    for line in (screen or "").split("\n"):
        if needle in line:
            return line
    return ""


class Desk:
    """One kefud, one console and the protocol clients of a scenario."""

    def __init__(self, kefud, kefu, cols=80, rows=24, **cfg):
        self.dir = tmpdir()
        self.cols, self.rows = cols, rows
        self.srv = Server(kefud, self.dir, **cfg)
        self.kefu = kefu
        self.clients = []
        self.con = None
        self.srv.start()
        self.con = Console.agent(kefu, self.srv.port, cols=cols, rows=rows)

    def client(self, login=None):
        c = Client(self.srv.port)
        self.clients.append(c)
        if login:
            c.cmd("LOGIN %s :%s123" % (login, login))
        return c

    def visitor(self, args):
        v = self.client()
        final, _ = v.cmd("HELLO " + args)
        return v, dict(w.split("=", 1) for w in final.split()[1:] if "=" in w)

    def take(self, args):
        """A visitor says HELLO args and the console's agent takes the chat
        with F2; returns (visitor, HELLO fields) once the tab is there."""
        v, info = self.visitor(args)
        self.con.wait(lambda s: "Queue (" in s and "Queue (0)" not in s)
        self.con.keys("F2")
        self.con.wait(lambda s: " Chats:" in s and "Queue (0)" in s)
        return v, info

    def close(self):
        if self.con:
            self.con.close()
        for c in self.clients:
            c.close()
        self.srv.stop()
        rmtree(self.dir)


def settle(path, quiet=0.4, limit=5):
    """Size of a capture file (tmux pipe-pane) once it stopped growing for
    `quiet` seconds, waiting at most `limit`: the bytes a console wrote."""
    end = time.time() + limit
    last, since = -1, time.time()
    while time.time() < end:
        n = os.path.getsize(path) if os.path.exists(path) else 0
        if n != last:
            last, since = n, time.time()
        elif time.time() - since >= quiet:
            break
        time.sleep(0.05)
    return last


def event(client, prefix, timeout=8):
    try:
        return client.expect_event(prefix, timeout)
    except (TimeoutError, EOFError, OSError):
        return None


def run_scenarios(scenarios, tap):
    """Run (function, label, cols, rows[, server settings]) scenarios, each
    with its own kefud and console; only those named on the command line
    if any are. Returns the exit status."""
    kefud, kefu = binaries()
    for sc in scenarios:
        fn, label, cols, rows = sc[:4]
        if len(sys.argv) > 1 and fn.__name__ not in sys.argv[1:]:
            continue
        d = Desk(kefud, kefu, cols, rows, **(sc[4] if len(sc) > 4 else {}))
        try:
            fn(d, d.con, "%dx%d %s:" % (cols, rows, label))
        finally:
            d.close()
    return tap.done()


def tap():
    """A scenario file's Tap and its ok()."""
    t = Tap()
    return t, t.ok


def main(scenarios, tap):
    """A scenario file's entry point: run_scenarios(), exit with its status."""
    sys.exit(run_scenarios(scenarios, tap))


def tmpdir():
    return tempfile.mkdtemp(prefix="kefu-console-")


def rmtree(d):
    shutil.rmtree(d, ignore_errors=True)
