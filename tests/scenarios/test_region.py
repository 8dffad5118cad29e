"""Region routing (区域分流, routing.regions and routing.geoip_db): a
visitor who names no group goes to the group of the first rule, in the
order of the configuration, that their address (CIDR ranges, IPv4 and
IPv6) or its country/region (from a MaxMind DB, built here by mkmmdb.py)
matches; group= always wins; the region shows on the visitor card.
Hostile input: bad rules are config errors with their line; a database
that is not one, truncated, or lying in its metadata stops kefud at start
with a message; values of the wrong type or shape in a database that
opens mean "no region", never a crash."""
import os, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "web"))
from kefutest import Server, Tap, kv, Client
import mkmmdb
from wsclient import WSClient

t = Tap()
GROUPS = [{"name": n, "mode": "manual"} for n in
          ("sales", "tech", "vip", "cn", "cngd")]

ENTRIES = [
    ("198.51.100.0/24", mkmmdb.city("CN", "BJ")),
    ("192.0.2.0/24", mkmmdb.city("CN", "GD")),
    ("192.0.2.128/25", mkmmdb.city("cn")),         # narrower, no subdivision
    ("2001:db8:2::/48", mkmmdb.city("JP", "13")),
    ("2001:db8:3::/48", mkmmdb.city("US", "CA")),
    ("100.64.0.0/16", {"country": {"iso_code": "CHINA!"}}),        # too long
    ("100.65.0.0/16", {"country": {"iso_code": 86}}),              # a number
    ("100.66.0.0/16", {"country": "CN"}),                          # no map
    ("100.67.0.0/16", {"country": {"iso_code": "C\nN"}}),          # control
    ("100.68.0.0/16", None),                                       # raw below
]
RAW = {9: lambda off: bytes([0x20 | (off >> 8), off & 0xff])}   # a pointer to itself
RULES = [
    {"cidr": "10.99.0.0/16", "group": "nosuch"},
    {"cidr": "127.0.0.9/32", "group": "vip"},
    {"cidr": "203.0.113.0/25, 2001:db8:1::/48", "group": "vip"},
    {"cidr": "203.0.113.0/24", "group": "tech"},
    {"country": "CN", "region": "GD", "group": "cngd"},
    {"country": "CN", "group": "cn"},
    {"country": "JP, KR", "group": "tech"},
    {"cidr": "198.51.100.0/24", "group": "vip"},
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def ws_hello(srv, addr, args=":hi"):
    w = WSClient(srv.http_port, origin="http://127.0.0.1:%d" % srv.http_port,
                 extra="X-Forwarded-For: %s\r\n" % addr)
    final, _ = w.cmd("HELLO name=v " + args)
    return w, final


def group_of(staff, chat):
    final, rows = staff.cmd("QUEUE")
    for r in rows:
        if r.split()[0] == chat:
            return kv(r).get("group")
    return None


def card(staff, visitor):
    final, rows = staff.cmd("VISITOR " + visitor)
    out = {}
    for r in rows:
        out.update(kv(r))
    return out


def routing(srv, adm):
    cases = [
        ("203.0.113.5", "vip", "", "in both 203.0.113.0/25 (vip) and /24 (tech): the first rule wins"),
        ("203.0.113.200", "tech", "", "only in 203.0.113.0/24: tech"),
        ("2001:db8:1::5", "vip", "", "IPv6 range 2001:db8:1::/48: vip"),
        ("2001:db8:1:ffff::1", "vip", "", "IPv6 range: last /64 of the /48 still vip"),
        ("2001:db8:4::1", "sales", "", "IPv6 outside every rule and the database: the default group"),
        ("192.0.2.1", "cngd", "CN-GD", "country CN region GD: cngd"),
        ("192.0.2.200", "cn", "CN", "narrower network without a subdivision: CN, the country rule"),
        ("198.51.100.7", "cn", "CN-BJ",
         "CN-BJ: the country rule comes before the later, narrower CIDR rule, and wins"),
        ("2001:db8:2::9", "tech", "JP-13", "IPv6 looked up in the database: JP, rule 'JP, KR'"),
        ("2001:db8:3::9", "sales", "US-CA", "a country no rule names: default group, region on the card"),
        ("10.99.3.4", "sales", "", "a rule naming a group that does not exist: the default group"),
        ("100.64.0.1", "sales", "", "database value too long: no region"),
        ("100.65.0.1", "sales", "", "database value of the wrong type: no region"),
        ("100.66.0.1", "sales", "", "database value not a map: no region"),
        ("100.67.0.1", "sales", "", "database value with a control byte: no region"),
        ("100.68.0.1", "sales", "", "database value that is a pointer to itself: no region"),
        ("::ffff:203.0.113.9", "vip", "", "an IPv4-mapped IPv6 address matches the IPv4 range"),
    ]
    for addr, want, region, desc in cases:
        w, final = ws_hello(srv, addr)
        f = kv(final) if final else {}
        got = group_of(adm, f.get("chat", "?"))
        c = card(adm, f.get("visitor", "0")) if final and final.startswith("OK") else {}
        t.ok(got == want and c.get("region", "") == region and c.get("addr") == addr,
             "%s: %s (group %s, region %r)" % (addr, desc, want, region),
             (final, got, c.get("region"), c.get("addr")))
        w.close()
    w, final = ws_hello(srv, "192.0.2.1", "group=tech :hi")
    f = kv(final)
    t.ok(group_of(adm, f["chat"]) == "tech" and card(adm, f["visitor"]).get("region") == "CN-GD",
         "group= named by the visitor wins over the rules; the region is still on the card", final)
    # HELLO again after * ENDED on the same connection, no group: routed again
    t.ok(w.cmd("END")[0].startswith("OK"), "END")
    final, _ = w.cmd("HELLO :again")
    t.ok(final.startswith("OK") and group_of(adm, kv(final)["chat"]) == "cngd",
         "HELLO again without group= after * ENDED: routed by the rules again", final)
    tok = kv(final)["token"]
    w.close()
    # back with the token from another address: the rule of the new address
    w2, final = ws_hello(srv, "203.0.113.7", "token=%s :back" % tok)
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("resumed") == "1" and
         group_of(adm, f["chat"]) == "cngd",
         "a resumed chat keeps its group (no re-routing)", final)
    w2.close()
    # a real TCP source address (not a header): 127.0.0.9 is in a rule
    c9 = Client(port=srv.port, source="127.0.0.9")
    h = c9.hello("name=local :hi")
    t.ok(group_of(adm, h["chat"]) == "vip" and card(adm, h["visitor"]).get("addr") == "127.0.0.9",
         "TCP from 127.0.0.9 (rule 127.0.0.9/32): vip", h)
    c1 = Client(port=srv.port, source="127.0.0.10")
    h = c1.hello("name=local :hi")
    t.ok(group_of(adm, h["chat"]) == "sales", "TCP from 127.0.0.10: no rule, default group", h)
    c9.close(); c1.close()


def hostile_config(srv_bin, tmp):
    bad = [
        ("cidr: 10.0.0.0/33", "prefix over 32"),
        ("cidr: fe80::/129", "IPv6 prefix over 128"),
        ("cidr: 10.0.0.0/-1", "negative prefix"),
        ("cidr: 10.0.0.0/08", "prefix with a leading zero"),
        ("cidr: 10.0.0/8", "three-part address"),
        ("cidr: 10.0.0.0/", "empty prefix"),
        ("cidr: '10.0.0.0/8;rm'", "junk after the range"),
        ("cidr: '1.2.3.4/ 8'", "space inside the range"),
        ("cidr: '%s'" % ("1" * 70), "an item of 70 bytes"),
        ("cidr: ''", "no range at all"),
        ("country: CHN", "a three-letter country"),
        ("country: 'C!'", "a country with punctuation"),
        ("country: CN\n    region: 'G D X Y!'", "a bad region code"),
        ("region: GD", "region without country"),
        ("cidr: 10.0.0.0/8\n    country: CN", "both cidr and country"),
        ("cidr: 10.0.0.0/8\n    group: [a, b]", "group as a list"),
        ("cidr: 10.0.0.0/8\n    colour: red", "an unknown key"),
        ("group: sales", "neither cidr nor country"),
    ]
    for rule, desc in bad:
        if "group:" not in rule:
            rule += "\n    group: sales"
        path = os.path.join(tmp, "bad.yml")
        with open(path, "w") as f:
            f.write("routing:\n  regions:\n  - %s\n" % rule)
        p = subprocess.run([srv_bin, "-c", path, "check-config"], capture_output=True,
                           text=True, timeout=60)
        t.ok(p.returncode != 0 and "regions" in p.stderr and "line" in p.stderr,
             "check-config refuses a rule with %s, naming the key and line" % desc,
             (p.returncode, p.stderr.strip()))
    many = ", ".join("10.%d.0.0/16" % i for i in range(65))
    path = os.path.join(tmp, "many.yml")
    with open(path, "w") as f:
        f.write("routing:\n  regions:\n  - cidr: '%s'\n    group: sales\n" % many)
    p = subprocess.run([srv_bin, "-c", path, "check-config"], capture_output=True, text=True,
                       timeout=60)
    t.ok(p.returncode != 0 and "more than 64" in p.stderr,
         "check-config refuses a rule with 65 ranges", p.stderr.strip())
    with open(path, "w") as f:
        f.write("routing:\n  regions:\n  - cidr: [10.0.0.0/8, '2001:db8::/32']\n    group: x\n"
                "  - country: [cn, tw]\n    region: [gd, 11]\n    group: y\n")
    p = subprocess.run([srv_bin, "-c", path, "check-config"], capture_output=True, text=True,
                       timeout=60)
    t.ok(p.returncode == 0, "rules as YAML lists, codes in lower case: ok", p.stderr.strip())


def hostile_db(tmp):
    good = mkmmdb.build(ENTRIES[:2])
    meta_at = good.rindex(mkmmdb.MARKER)
    lying = bytearray(good)
    # node_count in the metadata set far beyond the file
    i = lying.rindex(b"node_count") + len(b"node_count")
    lying[i:i + 4] = bytes([0xc4, 0x7f, 0xff, 0xff])
    dbs = [
        (b"", "an empty file"),
        (b"not a database at all\n" * 50, "a text file"),
        (good[:meta_at // 2], "truncated before the metadata"),
        (good[:meta_at + 8], "truncated inside the metadata marker"),
        (bytes(lying), "metadata whose node_count is beyond the file"),
    ]
    for data, desc in dbs:
        path = write(os.path.join(tmp, "bad.mmdb"), data)
        srv = Server({"routing": {"geoip_db": path}})
        try:
            srv.start()
            t.ok(False, "kefud refuses to start with %s as geoip_db" % desc)
        except RuntimeError as e:
            t.ok("geoip_db" in str(e) and "bad.mmdb" in str(e),
                 "kefud refuses to start with %s as geoip_db, naming it" % desc,
                 str(e)[-300:])
        finally:
            srv.cleanup()
    srv = Server({"routing": {"geoip_db": os.path.join(tmp, "missing.mmdb")}})
    try:
        srv.start()
        t.ok(False, "a missing geoip_db stops kefud")
    except RuntimeError as e:
        t.ok("missing.mmdb" in str(e), "a missing geoip_db stops kefud, naming the file")
    finally:
        srv.cleanup()
    # a tree whose records point past the data section: lookups fail, kefud serves on
    bad = bytearray(mkmmdb.build([("192.0.2.0/24", mkmmdb.city("CN"))]))
    n = bad.index(b"\0" * 16)
    for k in range(0, n, 6):
        if bad[k:k + 3] != b"\0\0\0":
            bad[k + 3:k + 6] = b"\xff\xff\xf0"
    path = write(os.path.join(tmp, "tree.mmdb"), bytes(bad))
    srv = Server({"routing": {"geoip_db": path,
                              "regions": [{"country": "CN", "group": "tech"}]},
                  "groups": GROUPS, "http": {"trust_proxy": "127.0.0.1"}})
    try:
        srv.start()
        adm = srv.client(); adm.login("admin")
        w, final = ws_hello(srv, "192.0.2.1")
        f = kv(final)
        t.ok(group_of(adm, f["chat"]) == "sales" and srv.alive() and
             card(adm, f["visitor"]).get("region") == "" and "geoip: 192.0.2.1" in srv.log(),
             "search tree pointing past the data: lookup error logged, no region, "
             "default group, kefud alive", (final, srv.log()[-500:]))
        w.close()
    finally:
        srv.cleanup()


def main():
    srv_bin = os.environ.get("KEFUD") or os.path.join(
        os.environ.get("top_builddir", "."), "server", "kefud")
    srv = Server({"groups": GROUPS})
    tmp = srv.dir
    for size in (24, 28, 32):
        db = write(os.path.join(tmp, "geo%d.mmdb" % size),
                   mkmmdb.build(ENTRIES, record_size=size, raw_data=RAW))
    srv.config["routing"]["geoip_db"] = os.path.join(tmp, "geo24.mmdb")
    srv.config["routing"]["regions"] = RULES
    srv.config["http"] = {"trust_proxy": "127.0.0.1"}
    srv.config["visitor"] = {"resume_timeout": 300, "per_addr_max": 0, "hello_rate": 0}
    try:
        srv.start()
        adm = srv.client(); adm.login("admin")
        routing(srv, adm)
        srv.stop()
        for size in (28, 32):    # the same lookups with the other record sizes
            srv.config["routing"]["geoip_db"] = os.path.join(tmp, "geo%d.mmdb" % size)
            srv.start()
            adm = srv.client(); adm.login("admin")
            for addr, want in (("192.0.2.1", "cngd"), ("2001:db8:2::9", "tech"),
                               ("192.0.2.129", "cn")):
                w, final = ws_hello(srv, addr)
                t.ok(group_of(adm, kv(final)["chat"]) == want,
                     "record size %d: %s goes to %s" % (size, addr, want), final)
                w.close()
            srv.stop()
        # no database: CIDR rules work, country rules never match, no region
        del srv.config["routing"]["geoip_db"]
        srv.start()
        adm = srv.client(); adm.login("admin")
        w, final = ws_hello(srv, "192.0.2.1")
        f = kv(final)
        t.ok(group_of(adm, f["chat"]) == "sales" and card(adm, f["visitor"]).get("region") == "",
             "without geoip_db a country rule matches nothing and there is no region", final)
        w.close()
        w, final = ws_hello(srv, "2001:db8:1::1")
        t.ok(group_of(adm, kv(final)["chat"]) == "vip", "without geoip_db CIDR rules still route")
        w.close()
        srv.stop()
        hostile_config(srv_bin, tmp)
        hostile_db(tmp)
    finally:
        srv.cleanup()
    t.done()


main()
