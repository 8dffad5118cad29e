"""Scheduled online backups and `kefud restore`: a backup taken while
visitors keep sending messages (backup.step_pages 1, so it takes many
steps with messages stored between them) restores to a database whose
transcripts hold every message acknowledged before the backup started,
and are exact prefixes of what was acknowledged (no holes, nothing else);
backups are mode 0600 and the oldest beyond backup.keep go; restore
refuses a running server, a second server refuses the same database, a
damaged backup is refused with the database untouched, the old database
is kept as a .bak, the restored one is mode 0600 and kefud serves it."""
import hashlib, os, re, shutil, sqlite3, stat, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap

t = Tap()
srv = Server(extra={"limits": {"msg_rate": 100000, "msg_burst": 100000},
                    "backup": {"interval": 2, "keep": 2, "step_pages": 1}})
bdir = os.path.join(srv.dir, "backups")
srv.config["backup"]["dir"] = bdir
srv.start()
PAD = "x" * 200


def wait_log(pattern, after=0, timeout=120):
    """The first match of pattern in kefud's log past offset after."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.compile(pattern).search(srv.log(), after)
        if m:
            return m
        time.sleep(0.05)
    return None


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def messages(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return db.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        db.close()


acked = {}		# chat -> bodies acknowledged, in order
stop = threading.Event()
errors = []


def load(v, chat):
    i = 0
    while not stop.is_set():
        body = "%s-%d-%s" % (chat, i, PAD)
        final, _ = v.cmd("SAY :" + body, 60)
        if final is None or not final.startswith("OK seq="):
            errors.append(final)
            return
        acked[chat].append(body)
        i += 1
        stop.wait(0.005)	# a steady flow, not a flood that fills the disk


try:
    visitors = []
    for n in range(3):
        v = srv.client()
        chat = v.hello("name=V%d group=tech" % n)["chat"]
        acked[chat] = []
        visitors.append((v, chat))
    # grow the database first, so the backup takes a few hundred steps
    for v, chat in visitors:
        for i in range(150):
            body = "%s-pre%d-%s" % (chat, i, PAD)
            v.ok("SAY :" + body)
            acked[chat].append(body)
    threads = [threading.Thread(target=load, args=vc) for vc in visitors]
    for th in threads:
        th.start()
    started = wait_log(r"backup: started (\S+)")
    before = {c: len(b) for c, b in acked.items()}
    t.ok(started is not None, "a scheduled backup starts under load", srv.log()[-2000:])
    path = started.group(1)
    wrote = wait_log(r"backup: wrote %s \(integrity ok\)" % re.escape(path), started.end())
    during = sum(len(b) for b in acked.values()) - sum(before.values())
    t.ok(wrote is not None, "it is written and passes its integrity check")
    stop.set()
    for th in threads:
        th.join(120)
    t.ok(not errors and during > 0,
         "messages kept being acknowledged during the backup (%d)" % during, errors)
    st = os.stat(path)
    t.eq(stat.S_IMODE(st.st_mode), 0o600, "the backup is mode 0600")
    first = os.path.join(srv.dir, "first.db")	# keep=2 will remove it
    shutil.copyfile(path, first)
    path = first

    r = srv.cli("restore", path)
    t.ok(r.returncode == 1 and "stop it" in r.stderr, "restore refuses a running server", r.stderr)
    second = subprocess.run([srv.binary, "-c", srv.config_path, "-l", "127.0.0.1:0", "-s", ""],
                            cwd=srv.dir, capture_output=True, text=True, timeout=60)
    t.ok(second.returncode == 1 and "in use" in second.stderr,
         "a second kefud refuses the same database", second.stderr)

    # more backups: the oldest beyond keep=2 are removed
    deadline = time.time() + 300
    while len(re.findall(r"backup: wrote", srv.log())) < 3 and time.time() < deadline:
        time.sleep(0.1)
    t.ok(len(re.findall(r"backup: wrote", srv.log())) >= 3, "three backups were written")
    names = sorted(n for n in os.listdir(bdir) if re.fullmatch(r"kefu-\d{8}-\d{6}\.db", n))
    t.ok(len(names) == 2 and "backup.keep 2" in srv.log(), "backup.keep 2: two are left", names)

    t.eq(srv.stop(), 0, "kefud stops")
    live = os.path.join(srv.dir, "kefu.db")
    old = digest(live)
    bad = os.path.join(srv.dir, "damaged.db")
    with open(path, "rb") as f:
        data = bytearray(f.read())
    for page in range(2, 10):	# the start of pages 2-9: b-tree headers
        data[4096 * (page - 1):4096 * (page - 1) + 256] = b"\xff" * 256
    with open(bad, "wb") as f:
        f.write(data)
    r = srv.cli("restore", bad)
    t.ok(r.returncode == 1 and "not a sound" in r.stderr and digest(live) == old,
         "a damaged backup is refused; the database is untouched", r.stderr)
    r = srv.cli("restore", os.path.join(srv.dir, "nothing.db"))
    t.ok(r.returncode == 1 and not os.path.exists(os.path.join(srv.dir, "nothing.db")),
         "a missing backup: an error, nothing created", r.stderr)

    old_n = messages(live)
    r = srv.cli("restore", path)
    t.eq(r.returncode, 0, "restore into the stopped server (%s)" % (r.stdout + r.stderr).strip())
    baks = [n for n in os.listdir(srv.dir) if re.fullmatch(r"kefu\.db\.\d{8}-\d{6}\.bak", n)]
    t.ok(len(baks) == 1 and messages(os.path.join(srv.dir, baks[0])) == old_n,
         "the old database is kept whole as a .bak (its WAL folded in)", baks)
    t.eq(stat.S_IMODE(os.stat(live).st_mode), 0o600, "the restored database is mode 0600")

    db = sqlite3.connect("file:%s?mode=ro" % live, uri=True)
    ok_all, detail = True, []
    for chat, bodies in acked.items():
        got = [r[0] for r in db.execute("SELECT body FROM messages WHERE chat=? ORDER BY seq",
                                        (int(chat),))]
        if len(got) < before[chat] or got != bodies[:len(got)]:
            ok_all = False
            detail.append((chat, len(got), before[chat], len(bodies)))
    db.close()
    t.ok(ok_all, "every transcript holds all acknowledged before the backup started, "
         "and is an exact prefix of what was acknowledged", detail)

    srv.start()
    adm = srv.client(); adm.login("admin")
    chat = visitors[0][1]
    final, rows = adm.cmd_all("TRANSCRIPT " + chat)
    t.ok(final is not None and final.startswith("OK ") and len(rows) >= before[chat],
         "kefud serves the restored database", final)
finally:
    stop.set()
    srv.cleanup()
t.done()
