"""test_kill9 - durability: kill kefud with SIGKILL at random points while
visitors stream messages, restart it on the same database, and check that
every message that got `OK seq=N` is in the transcript with that seq, in
the order it was sent, and that the chats resume (HELLO token=.. resumed=1,
then SAY works again). The kill comes at a random point once every stream
has had MIN_ACKS messages acknowledged (waited for, however loaded the
machine), so each round checks acknowledged messages, never none.
"""
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests", "scenarios"))
from kefutest import Server, Tap, Client, kv, text  # noqa: E402

ROUNDS = int(os.environ.get("KILL9_ROUNDS", "4"))
VISITORS = 3
WINDOW = 8
MIN_ACKS = 5        # per stream, before the kill
IO_TIMEOUT = 120    # s without a reply before a stream gives up: a failure
WAIT_ACKS = 600     # s the streams have, together, to reach MIN_ACKS each


class Streamer(threading.Thread):
    """Sends tagged SAYs with a window of WINDOW in flight until the
    connection dies; records which texts were acknowledged with which seq."""

    def __init__(self, port, token, rnd, vid, killed):
        super().__init__(daemon=True)
        self.port, self.token, self.rnd, self.vid = port, token, rnd, vid
        self.killed = killed     # set just before the SIGKILL
        self.acked = []          # (seq, text) in send order
        self.sent = 0
        self.error = None
        self.resumed = threading.Event()
        self.enough = threading.Event()     # MIN_ACKS acked, or it ended

    def run(self):
        try:
            self.stream()
        finally:
            self.enough.set()   # ended: nothing more to wait for

    def ended(self, why):
        """The connection ended: expected only once the kill has begun."""
        if not self.killed.is_set() and self.error is None:
            self.error = "%s before the kill (%d acknowledged)" % (why, len(self.acked))

    def stream(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), IO_TIMEOUT)
        except OSError as e:
            self.error = "connect: %s" % e
            return
        s.settimeout(IO_TIMEOUT)
        f = s.makefile("rb")
        try:
            s.sendall(("@h HELLO token=%s\n" % self.token).encode())
            while True:     # the transcript replay may come first
                line = f.readline().decode()
                if not line.startswith("* "):
                    break
            if "resumed=1" not in line:
                self.error = "resume failed: %r" % line
                return
            self.resumed.set()
            pending = {}
            deadline = time.time() + 2 * WAIT_ACKS
            n = 0
            while time.time() < deadline:
                while len(pending) < WINDOW:
                    n += 1
                    t = "r%d-v%d-m%d" % (self.rnd, self.vid, n)
                    pending["m%d" % n] = t
                    s.sendall(("@m%d SAY :%s\n" % (n, t)).encode())
                    self.sent += 1
                raw = f.readline()
                if not raw:
                    self.ended("end of stream")
                    return          # killed
                line = raw.decode().rstrip("\n")
                if not line.startswith("@m"):
                    continue
                tag, rest = line[1:].split(" ", 1)
                t = pending.pop(tag, None)
                if rest.startswith("OK seq=") and t is not None:
                    self.acked.append((int(rest[7:].split()[0]), t))
                    if len(self.acked) >= MIN_ACKS:
                        self.enough.set()
                elif t is not None:
                    self.error = "unexpected reply %r" % line
                    return
            self.ended("still streaming at the deadline")
        except socket.timeout:
            self.error = "no reply from kefud in %d s" % IO_TIMEOUT
        except OSError as e:
            self.ended("connection error (%s)" % e)
        finally:
            s.close()


def main():
    t = Tap()
    srv = Server(extra={"limits": {"msg_rate": 100000, "msg_burst": 100000,
                                   "chat_messages": 0, "chat_bytes": 0},
                        "log_level": "warn"})
    try:
        srv.start()
    except (RuntimeError, OSError) as e:
        t.skip_all("kefud did not start: %s" % e)
    rng = random.Random(int(os.environ.get("KILL9_SEED", "0")) or None)
    try:
        agent = srv.client()
        agent.login("alice")
        visitors = []
        for i in range(VISITORS):
            c = srv.client()
            info = c.hello("name=k%d group=sales :durability" % i)
            visitors.append((info["token"], int(info["chat"])))
        t.ok(len(visitors) == VISITORS, "visitors got chats")
        acked = {chat: [] for _, chat in visitors}
        for rnd in range(1, ROUNDS + 1):
            for c in list(srv.clients):
                c.close()
            srv.clients = []
            killed = threading.Event()
            ths = [Streamer(srv.port, tok, rnd, i, killed)
                   for i, (tok, _) in enumerate(visitors)]
            for th in ths:
                th.start()
            # the kill comes at a random point after every stream has had
            # MIN_ACKS OKs (waited for, not assumed after a sleep; a
            # stream that ends first says why in its error)
            end = time.time() + WAIT_ACKS
            for th in ths:
                th.enough.wait(max(0.0, end - time.time()))
            time.sleep(rng.uniform(0.0, 0.5))   # the random point, not a wait
            killed.set()
            srv.kill9()
            for th in ths:
                th.join(60)
            errs = [th.error for th in ths if th.error]
            t.ok(not errs, "round %d: streams ran until the kill" % rnd, "\n".join(errs))
            got = [len(th.acked) for th in ths]
            t.ok(min(got) >= MIN_ACKS, "round %d: every stream had at least %d messages "
                 "acknowledged before SIGKILL (%s)" % (rnd, MIN_ACKS, got))
            for (tok, chat), th in zip(visitors, ths):
                acked[chat].extend(th.acked)
            srv.start()
        agent = srv.client()
        agent.login("alice")
        for i, (tok, chat) in enumerate(visitors):
            final, rows = agent.cmd_all("TRANSCRIPT %d" % chat)
            stored = {}
            order = []
            for r in rows:
                seq = int(r.split()[0])
                stored[seq] = text(r)
                order.append(seq)
            missing = [(s, m) for s, m in acked[chat] if stored.get(s) != m]
            t.ok(final is not None and final.startswith("OK") and not missing,
                 "chat %d: all %d acknowledged messages stored with their seq"
                 % (chat, len(acked[chat])), "missing: %r" % missing[:5])
            seqs = [s for s, _ in acked[chat]]
            t.ok(seqs == sorted(seqs) and order == sorted(order),
                 "chat %d: acknowledged messages are in send order" % chat)
        for i, (tok, chat) in enumerate(visitors):
            c = srv.client()
            final, _ = c.cmd("HELLO token=%s" % tok)
            ok = final is not None and "resumed=1" in final and kv(final).get("chat") == str(chat)
            f2, _ = c.cmd("SAY :after restart")
            t.ok(ok and f2 is not None and f2.startswith("OK seq="),
                 "chat %d resumes after the kills" % chat, "%r / %r" % (final, f2))
        t.ok(srv.alive(), "kefud still running")
    finally:
        srv.cleanup()
    t.done()


main()
