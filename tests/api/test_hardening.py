#!/usr/bin/env python3
"""Issue 17: the exposures, authentication and robustness fixes, each
against a real `bihuan serve` (the sibling-department leak is in
test_authz.py).

Usage: test_hardening.py PATH/TO/bihuan
"""
import concurrent.futures
import os
import re
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Server, wait_for  # noqa: E402

BIHUAN = None
S = None


def setUpModule():
    global S
    S = Server(BIHUAN, extra_env={"BIHUAN_METRICS_TOKEN": "scrape-secret-1234",
                                  "BIHUAN_TRUSTED_PROXIES": "127.0.0.1"})
    S.demo(cases=0)
    S.start()


def tearDownModule():
    assert S.stop() == 0


def login(user, password=PASSWORD, xff=None):
    h = {"X-Forwarded-For": xff} if xff else None
    return S.request("POST", "/api/v1/session", {"username": user, "password": password}, headers=h)


def raw_login(user, password, xff_headers):
    """A login with several X-Forwarded-For headers (urllib merges duplicates)."""
    import http.client
    import json as _json
    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
    c.putrequest("POST", "/api/v1/session")
    for v in xff_headers:
        c.putheader("X-Forwarded-For", v)
    body = _json.dumps({"username": user, "password": password}).encode()
    c.putheader("Content-Type", "application/json")
    c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    c.send(body)
    r = c.getresponse()
    out = harness.Response(r.status, dict(r.getheaders()), r.read())
    c.close()
    return out


def metric(name):
    text = S.request("GET", "/metrics", token="scrape-secret-1234").raw.decode()
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


def case_body(**over):
    body = {"category": "E0501", "title": "井盖缺失", "description": "路口井盖缺失", "unit": "44030300100101"}
    body.update(over)
    return body


class Exposures(unittest.TestCase):
    def test_external_id_replay_shows_nothing_to_others(self):
        # a 12345 ticket filed by the command centre in street 1
        op = S.as_("zhzx01")
        r = op.post("/api/v1/cases", case_body(source="hotline", external_id="12345-2026-0001",
                                               reporter={"name": "张三", "phone": "13812345678"}))
        self.assertEqual(r.status, 201, r)
        first = r.json["id"]
        # the same ticket again by the same operator: the case, as a replay
        r = op.post("/api/v1/cases", case_body(source="hotline", external_id="12345-2026-0001"))
        self.assertEqual((r.status, r.json["id"]), (200, first), r)
        # another street's grid worker guessing the ticket number learns nothing
        other = S.as_("wgy_cz")
        r = other.post("/api/v1/cases", case_body(source="grid", external_id="12345-2026-0001",
                                                  unit="44030300200101"))
        self.assertEqual(r.status, 201, r)   # another source: another ticket space
        # an operator of another district does: a conflict, without the case
        admin = S.as_("admin")
        for code, typ, parent in [("440305", "district", None), ("440305001", "street", "440305"),
                                  ("440305001001", "community", "440305001"),
                                  ("44030500100101", "grid", "440305001001")]:
            body = {"code": code, "name": "邻区" + code, "type": typ}
            if parent:
                body["parent"] = parent
            self.assertIn(admin.post("/api/v1/units", body).status, (201, 409))
        self.assertIn(admin.post("/api/v1/users", {"username": "op5", "password": PASSWORD, "role": "operator",
                                                   "unit": "440305"}).status, (201, 409))
        r = S.as_("op5").post("/api/v1/cases", case_body(source="hotline", external_id="12345-2026-0001",
                                                         unit="44030500100101"))
        self.assertEqual((r.status, r.err().get("code")), (409, "conflict"), r)
        self.assertEqual(set(r.json), {"error"}, r)
        self.assertNotIn("13812345678", r.raw.decode())
        self.assertNotIn("井盖缺失", r.raw.decode())

    def test_sources_per_role(self):
        citizen = S.as_("citizen")
        for source, status in (("petition", 403), ("superior", 403), ("hotline", 403), ("citizen", 201)):
            r = citizen.post("/api/v1/cases", case_body(source=source))
            self.assertEqual(r.status, status, (source, r))
            if status == 403:
                self.assertEqual(r.err()["field"], "source")
        r = citizen.post("/api/v1/cases", case_body())
        self.assertEqual((r.status, r.json["source"]), (201, "citizen"))
        grid = S.as_("wgy_hb")
        for source, status in (("petition", 403), ("grid", 201), ("inspection", 201)):
            self.assertEqual(grid.post("/api/v1/cases", case_body(source=source)).status, status, source)
        self.assertEqual(S.as_("zhzx01").post("/api/v1/cases", case_body(source="petition")).status, 201)
        # a public API key cannot pick its source either
        key = S.as_("admin").post("/api/v1/apikeys", {"name": "hardening-pub", "role": "public",
                                                      "unit": "440303"}).json["key"]
        r = S.request("POST", "/api/v1/cases", case_body(source="superior"), token=key)
        self.assertEqual(r.status, 403, r)

    def test_metrics_need_a_token(self):
        self.assertEqual(S.request("GET", "/metrics").status, 401)
        self.assertEqual(S.request("GET", "/metrics", token="wrong-secret").status, 401)
        self.assertEqual(S.request("GET", "/metrics", token=S.login("leader")).status, 403)
        r = S.request("GET", "/metrics", token="scrape-secret-1234")
        self.assertEqual(r.status, 200)
        self.assertIn("bihuan_cases{", r.raw.decode())


class Authentication(unittest.TestCase):
    def test_unknown_users_cost_a_hash_too(self):
        before = metric("bihuan_pwhash_total")
        self.assertEqual(login("no-such-user", "wrong-password-1").status, 401)
        self.assertEqual(metric("bihuan_pwhash_total") - before, 1)
        # the inactive get the same treatment
        S.as_("admin").post("/api/v1/users", {"username": "gone", "password": PASSWORD, "role": "reporter",
                                              "unit": "440303001"})
        S.request("PUT", "/api/v1/users/gone", {"active": False}, token=S.login("admin"))
        before = metric("bihuan_pwhash_total")
        self.assertEqual(login("gone").status, 401)
        self.assertEqual(metric("bihuan_pwhash_total") - before, 1)

    def test_failures_slow_the_guesser_not_the_owner(self):
        attacker, owner = "203.0.113.7", "198.51.100.20"
        for _ in range(6):
            r = login("admin", "wrong-password", xff=attacker)
            if r.status == 429:
                break
        self.assertEqual(r.status, 429, r)
        self.assertIn("秒后再试", r.err()["message"])
        # the administrator, from elsewhere, is not locked out
        self.assertEqual(login("admin", xff=owner).status, 201)
        # what the client writes left of the proxy's entry proves nothing: the
        # rightmost untrusted hop is the address, with or without a port, and
        # over every X-Forwarded-For header (a proxy may add its own)
        for r in (login("admin", "wrong-password", xff="198.51.100.99, " + attacker),
                  login("admin", "wrong-password", xff="198.51.100.99, " + attacker + ":5555"),
                  raw_login("admin", "wrong-password", ["198.51.100.98", attacker])):
            self.assertEqual(r.status, 429, r)

    def test_x_forwarded_for_only_from_trusted_proxies(self):
        other = Server(BIHUAN, db=S.db)   # same store, no trusted proxies
        other.start()
        try:
            for i in range(6):
                r = other.request("POST", "/api/v1/session", {"username": "sthj", "password": "nope-nope"},
                                  headers={"X-Forwarded-For": "192.0.2.%d" % i})
            # every attempt came from 127.0.0.1 whatever the header said: the pair backs off
            self.assertEqual(r.status, 429, r)
        finally:
            other.stop()

    def test_cli_password_reset_ends_sessions(self):
        admin = S.as_("admin")
        self.assertEqual(admin.post("/api/v1/users", {"username": "pwcli", "password": PASSWORD,
                                                      "role": "reporter", "unit": "440303001"}).status, 201)
        self.assertEqual(admin.post("/api/v1/users", {"username": "pwcli", "password": PASSWORD,
                                                      "role": "reporter", "unit": "440303001"}).status, 409)
        tok = login("pwcli").json["token"]
        self.assertEqual(S.request("GET", "/api/v1/cases", token=tok).status, 200)
        # `bihuan user add` on an existing user is how an operator resets a password
        S.run("user", "add", "--db", S.db, "--username", "pwcli", "--role", "reporter", "--unit", "440303001",
              env={"BIHUAN_PASSWORD": "reset-pass-4321"})
        self.assertEqual(S.request("GET", "/api/v1/cases", token=tok).status, 401)
        self.assertEqual(login("pwcli", "reset-pass-4321").status, 201)

    def test_login_from_another_site_is_refused(self):
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": PASSWORD},
                      headers={"Origin": "http://evil.example"})
        self.assertEqual((r.status, r.err()["field"]), (403, "Origin"))
        self.assertNotIn("Set-Cookie", r.headers)
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": PASSWORD},
                      headers={"Origin": "http://127.0.0.1:%d" % S.port})
        self.assertEqual(r.status, 201)
        self.assertNotIn("Secure", r.headers.get("Set-Cookie", ""))
        # behind a trusted proxy that says the client spoke HTTPS, the cookie is Secure
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": PASSWORD},
                      headers={"X-Forwarded-Proto": "https"})
        self.assertIn("; Secure", r.headers.get("Set-Cookie", ""))

    def test_password_change_ends_sessions(self):
        admin = S.as_("admin")
        self.assertEqual(admin.post("/api/v1/users", {"username": "pwchg", "password": PASSWORD,
                                                      "role": "reporter", "unit": "440303001"}).status, 201)
        tok = login("pwchg").json["token"]
        self.assertEqual(S.request("GET", "/api/v1/cases", token=tok).status, 200)
        r = S.request("PUT", "/api/v1/users/pwchg", {"password": "another-pass-9876"}, token=S.login("admin"))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(S.request("GET", "/api/v1/cases", token=tok).status, 401)
        self.assertEqual(login("pwchg", "another-pass-9876").status, 201)

    def test_hashing_is_bounded(self):
        with concurrent.futures.ThreadPoolExecutor(24) as ex:
            codes = list(ex.map(lambda i: login("zhzx01", xff="192.0.2.%d" % i).status, range(24)))
        self.assertTrue(all(c == 201 for c in codes), codes)
        peak = metric("bihuan_pwhash_inflight_max")
        self.assertGreaterEqual(peak, 1)
        self.assertLessEqual(peak, 4)

    def test_security_headers(self):
        for path in ("/", "/healthz", "/api/v1/cases"):
            r = S.request("GET", path)
            self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff", path)
            self.assertIn("frame-ancestors 'none'", r.headers.get("Content-Security-Policy", ""), path)
            self.assertIn("script-src 'self'", r.headers.get("Content-Security-Policy", ""), path)

    def test_session_cookie(self):
        r = login("zhzx01")
        cookie = r.headers.get("Set-Cookie", "")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        value = cookie.split(";")[0]
        self.assertEqual(value, "bh_session=" + r.json["token"])
        self.assertEqual(S.request("GET", "/api/v1/cases", headers={"Cookie": value}).status, 200)
        # a write on the cookie alone is refused: it may come from another site
        r2 = S.request("POST", "/api/v1/cases", case_body(), headers={"Cookie": value})
        self.assertEqual((r2.status, r2.err()["field"]), (403, "X-Requested-With"))
        r2 = S.request("POST", "/api/v1/cases", case_body(),
                       headers={"Cookie": value, "X-Requested-With": "bihuan"})
        self.assertEqual(r2.status, 201, r2)
        r2 = S.request("DELETE", "/api/v1/session", headers={"Cookie": value, "X-Requested-With": "bihuan"})
        self.assertEqual(r2.status, 204)
        self.assertIn("Max-Age=0", r2.headers.get("Set-Cookie", ""))
        self.assertEqual(S.request("GET", "/api/v1/cases", headers={"Cookie": value}).status, 401)


class EventDriven(unittest.TestCase):
    """serve holds connections in a few polling threads and runs handlers on a
    bounded pool (docs/ARCHITECTURE.md "Threads of serve")."""

    def threads(self, srv):
        with open("/proc/%d/status" % srv.proc.pid) as f:
            return int(re.search(r"^Threads:\s+(\d+)", f.read(), re.M).group(1))

    def test_idle_connections_cost_no_threads(self):
        import socket
        socks = [socket.create_connection(("127.0.0.1", S.port)) for _ in range(300)]
        try:
            # one client sends half a request and stops: nobody waits for it
            socks[0].sendall(b"POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            time.sleep(0.3)
            # 64 handler workers, 2 pollers, the writer, sweep, notifier and MHD's own
            self.assertLess(self.threads(S), 100)
            with concurrent.futures.ThreadPoolExecutor(16) as ex:
                codes = list(ex.map(lambda _: S.as_("zhzx01").get("/api/v1/cases?limit=1").status,
                                    range(64)))
            self.assertEqual(codes, [200] * 64)
        finally:
            for c in socks:
                c.close()

    def test_stop_answers_what_it_took(self):
        srv = Server(BIHUAN)
        srv.demo(cases=0)
        srv.start()
        tok = srv.login("zhzx01")
        done = []

        def post(i):
            try:
                r = srv.request("POST", "/api/v1/cases", case_body(title="停止前 %d" % i), token=tok)
                return r.status, (r.json or {}).get("id")
            except Exception:  # noqa: BLE001 - refused or cut once the server is gone
                return None, None

        with concurrent.futures.ThreadPoolExecutor(32) as ex:
            futs = [ex.submit(post, i) for i in range(200)]
            time.sleep(0.2)
            self.assertEqual(srv.stop(), 0)  # SIGTERM with requests in flight
            done = [f.result() for f in futs]
        told = {i for st, i in done if st == 201}
        self.assertTrue(told, "no request was answered before the stop")
        # what the stop refused or cut was not written; what was written was answered
        self.assertLessEqual({st for st, _ in done}, {201, 503, None})
        stored = {r[0] for r in sqlite3.connect(srv.db).execute(
            "SELECT id FROM cases WHERE title LIKE '停止前 %'")}
        self.assertEqual(told, stored)


class TileHost(unittest.TestCase):
    def test_a_tile_template_becomes_a_valid_csp_source(self):
        srv = Server(BIHUAN, extra_env={
            "BIHUAN_TILE_URL": "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}",
            "BIHUAN_TILE_CRS": "gcj02"})
        srv.demo(cases=0)
        srv.start()
        try:
            r = srv.request("GET", "/")
            csp = r.headers.get("Content-Security-Policy", "")
            self.assertIn("img-src 'self' data: blob: https://*.is.autonavi.com;", csp)
            self.assertNotIn("{", csp)
            self.assertEqual(srv.request("GET", "/api/v1/console").json["crs"], "gcj02")
        finally:
            srv.stop()


class IdleSessions(unittest.TestCase):
    def test_idle_timeout_and_purge(self):
        srv = Server(BIHUAN, extra_env={"BIHUAN_SESSION_IDLE_MINUTES": "0.05"})  # 3 s
        srv.demo(cases=0)
        srv.start()
        try:
            tok = srv.login("zhzx01")
            self.assertEqual(srv.request("GET", "/api/v1/cases", token=tok).status, 200)
            time.sleep(4)
            self.assertEqual(srv.request("GET", "/api/v1/cases", token=tok).status, 401)
            # the sweep purges ended sessions (once a minute; the first right away)
            srv.stop()
            srv.start()
            db = sqlite3.connect(srv.db)
            self.assertTrue(wait_for(lambda: db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0,
                                     timeout=10))
            db.close()
        finally:
            srv.stop()


def wgs84_to_gcj02(lng, lat):
    """The published GCJ-02 offset (as geo/crs.c), for building test input."""
    import math
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


class Coordinates(unittest.TestCase):
    def test_a_point_picked_on_a_gcj02_map_lands_where_it_is(self):
        lat, lng = 22.5325, 114.0804          # WGS-84, inside a demo grid
        glng, glat = wgs84_to_gcj02(lng, lat)
        where = S.as_("zhzx01").get("/api/v1/locate?lat=%f&lng=%f" % (lat, lng)).json["unit"]
        body = case_body(location={"lat": glat, "lng": glng, "crs": "gcj02"})
        del body["unit"]
        r = S.as_("zhzx01").post("/api/v1/cases", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["unit"], where)
        self.assertAlmostEqual(r.json["location"]["lat"], lat, places=6)
        self.assertAlmostEqual(r.json["location"]["lng"], lng, places=6)
        r = S.as_("zhzx01").post("/api/v1/cases", dict(body, location={"lat": glat, "lng": glng, "crs": "utm"}))
        self.assertEqual((r.status, r.err()["field"]), (400, "location.crs"))
        # the console is told which system its base layer uses
        self.assertEqual(S.request("GET", "/api/v1/console").json["crs"], "wgs84")


class Sweep(unittest.TestCase):
    def make_cases(self, srv):
        op = srv.as_("zhzx01")
        ids = []
        for _ in range(3):
            r = op.post("/api/v1/cases", case_body())
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["id"])
        return ids

    def test_a_broken_history_is_quarantined_not_fatal(self):
        srv = Server(BIHUAN)
        srv.demo(cases=0)
        srv.start()
        try:
            bad, good1, good2 = self.make_cases(srv)
        finally:
            srv.stop()
        db = sqlite3.connect(srv.db)
        # the bad case's second event is a closure straight after the report:
        # its history no longer replays
        db.execute("INSERT INTO case_events(case_id, seq, action, role, actor, at)"
                   " SELECT case_id, 2, 'verify_pass', 'operator', 'x', at FROM case_events"
                   " WHERE case_id=? AND seq=1", (bad,))
        # and every case is due for the sweep right now, the bad one first
        db.execute("UPDATE cases SET next_change = 1 WHERE id = ?", (bad,))
        db.execute("UPDATE cases SET next_change = 2, light = 'none' WHERE id IN (?, ?)", (good1, good2))
        db.commit()
        srv.start(sweep_interval="0.2")
        try:
            def swept():
                rows = db.execute("SELECT id, next_change FROM cases WHERE id IN (?, ?)", (good1, good2)).fetchall()
                return all(nc is None or nc > 2 for _, nc in rows)
            self.assertTrue(wait_for(swept, timeout=10), "the good cases were not swept")
            q = db.execute("SELECT case_id, reason FROM case_quarantine").fetchall()
            self.assertEqual([c for c, _ in q], [bad])
            self.assertIn("无法重放", q[0][1])
            self.assertIsNone(db.execute("SELECT next_change FROM cases WHERE id=?", (bad,)).fetchone()[0])
            text = srv.request("GET", "/metrics", token=srv.login("admin")).raw.decode()
            self.assertIn("bihuan_sweep_quarantined_total 1", text)
            # new work still flows
            self.assertEqual(srv.as_("zhzx01").post("/api/v1/cases", case_body()).status, 201)
            self.assertIn("案件 %d 已隔离" % bad, srv.log())
        finally:
            srv.stop()
            db.close()

    def test_one_sweeper_among_servers(self):
        a = Server(BIHUAN)
        a.demo(cases=0)
        a.start()
        b = Server(BIHUAN, db=a.db)
        b.start()
        try:
            def leaders():
                out = []
                for srv in (a, b):
                    t = srv.request("GET", "/metrics", token=srv.login("admin")).raw.decode()
                    out.append(int(re.search(r"^bihuan_sweep_leader (\d)$", t, re.M).group(1)))
                return out
            self.assertTrue(wait_for(lambda: sum(leaders()) == 1 and leaders(), timeout=10), leaders())
            first = leaders().index(1)
            # the leader is killed (no release): the other takes over once the lease lapses (10 s)
            (a, b)[first].kill9()
            survivor = (a, b)[1 - first]
            def taken():
                t = survivor.request("GET", "/metrics", token=survivor.login("admin")).raw.decode()
                return "bihuan_sweep_leader 1" in t
            self.assertTrue(wait_for(taken, timeout=20, step=0.5))
        finally:
            a.stop()
            b.stop()


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
