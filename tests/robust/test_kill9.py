"""test_kill9 - durability: kill kefud with SIGKILL at random points while
visitors stream messages, restart it on the same database, and check that
every message that got `OK seq=N` is in the transcript with that seq, in
the order it was sent, and that the chats resume (HELLO token=.. resumed=1,
then SAY works again).
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


class Streamer(threading.Thread):
    """Sends tagged SAYs with a window of WINDOW in flight until the
    connection dies; records which texts were acknowledged with which seq."""

    def __init__(self, port, token, rnd, vid):
        super().__init__(daemon=True)
        self.port, self.token, self.rnd, self.vid = port, token, rnd, vid
        self.acked = []          # (seq, text) in send order
        self.sent = 0
        self.error = None
        self.resumed = threading.Event()
        self.first_ack = threading.Event()

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), 30)
        except OSError as e:
            self.error = "connect: %s" % e
            return
        s.settimeout(30)
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
            deadline = time.time() + 120
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
                    return          # killed
                line = raw.decode().rstrip("\n")
                if not line.startswith("@m"):
                    continue
                tag, rest = line[1:].split(" ", 1)
                t = pending.pop(tag, None)
                if rest.startswith("OK seq=") and t is not None:
                    self.acked.append((int(rest[7:].split()[0]), t))
                    self.first_ack.set()
                elif t is not None:
                    self.error = "unexpected reply %r" % line
                    return
        except OSError:
            return
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
            ths = [Streamer(srv.port, tok, rnd, i) for i, (tok, _) in enumerate(visitors)]
            for th in ths:
                th.start()
            # the kill comes at a random point after every stream has had
            # its first OK (waited for, not assumed after a sleep)
            for th in ths:
                th.first_ack.wait(60)
            time.sleep(rng.uniform(0.0, 0.5))
            srv.kill9()
            for th in ths:
                th.join(60)
            errs = [th.error for th in ths if th.error]
            t.ok(not errs, "round %d: streams ran until the kill" % rnd, "\n".join(errs))
            got = sum(len(th.acked) for th in ths)
            t.ok(got > 0, "round %d: %d messages acknowledged before SIGKILL" % (rnd, got))
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
