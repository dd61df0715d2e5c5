#!/usr/bin/env python3
"""Categories and SLA policies edited by the administrator (issue 15).

An edit is a new version in force for cases reported from then on; a case
keeps the policy of the version it was reported under, across actions,
restarts and a changed categories file.

Usage: test_categories.py PATH/TO/bihuan PATH/TO/data/categories.json
"""
import json
import os
import sqlite3
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
CATEGORIES = None
S = None
GRID = "44030300100101"
PINNED = {}  # the cases of test_3, read again after restarts


def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=0)
    S.start()


def tearDownModule():
    if S:
        rc = S.stop()
        assert rc == 0, "serve exited %d on SIGTERM" % rc


def report(user="zhzx01", category="E0101", desc="分类时限测试"):
    r = S.as_(user).post("/api/v1/cases", {"category": category, "description": desc, "unit": GRID})
    assert r.status == 201, r
    return r.json


def clock(case, name):
    return next(c for c in case["clocks"] if c["name"] == name)


def expected_deadline(started_at, days):
    """The calendar's deadline for that many working days from the day a
    clock started (GET /api/v1/calendar/deadline)."""
    q = urllib.parse.urlencode({"start": started_at[:10], "amount": days, "basis": "working_days"})
    r = S.as_("zhzx01").get("/api/v1/calendar/deadline?" + q)
    assert r.status == 200, r
    return r.json["deadline"]


def policy(doc, key):
    return next(p for p in doc["policies"] if p["key"] == key)


def put_policy(user, key, clocks, version=None):
    headers = {"If-Match": '"%d"' % version} if version else None
    return S.as_(user).put("/api/v1/categories/policies/" + key, {"clocks": clocks}, headers=headers)


class Policies(unittest.TestCase):
    """In order: each test starts from the version the one before left."""

    def version(self):
        return S.as_("admin").get("/api/v1/categories").json["version"]

    def test_1_read(self):
        r = S.as_("zhzx01").get("/api/v1/categories")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["version"], 1)
        self.assertEqual(r.json["source"], "file")
        self.assertEqual(r.headers["ETag"], '"1"')
        ce = policy(r.json, "city_event")
        self.assertIn("E0101", ce["categories"])
        self.assertEqual([c["name"] for c in ce["clocks"]], ["register", "handle", "close"])
        self.assertEqual(clock(ce, "close")["limit"], 5)
        # the document as shipped, for the administrator only
        d = S.as_("admin").get("/api/v1/categories/document")
        self.assertEqual(d.status, 200)
        with open(CATEGORIES, "rb") as f:
            self.assertEqual(d.raw, f.read())
        self.assertEqual(S.as_("zhzx01").get("/api/v1/categories/document").status, 403)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/categories/versions").status, 403)

    def test_2_refused(self):
        before = self.version()
        # not the administrator
        r = put_policy("zhzx01", "city_event", [{"name": "close", "limit": 8}])
        self.assertEqual((r.status, r.err()["field"]), (403, "role"))
        self.assertEqual(S.request("PUT", "/api/v1/categories/policies/city_event",
                                   {"clocks": [{"name": "close", "limit": 8}]}).status, 401)
        # amounts that break the policy's rules, named at the request's field
        r = put_policy("admin", "city_event", [{"name": "register", "limit": 2},
                                               {"name": "close", "limit": 8, "yellow": 3, "red": 9}])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.err()["field"], "clocks[1].red")
        self.assertIn("“结案”时限", r.err()["message"])
        r = put_policy("admin", "city_event", [{"name": "close", "limit": -1}])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks[0].limit"))
        r = put_policy("admin", "city_event", [{"name": "close", "basis": "lunar"}])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks[0].basis"))
        # what may not be changed here, a clock or policy that does not exist
        r = put_policy("admin", "city_event", [{"name": "close", "stop": ["handle"]}])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks[0].stop"))
        r = put_policy("admin", "city_event", [{"name": "respond", "limit": 1}])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks[0].name"))
        r = put_policy("admin", "no_such", [{"name": "close", "limit": 1}])
        self.assertEqual(r.status, 404)
        r = put_policy("admin", "city_event", [])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks"))
        r = put_policy("admin", "city_event", [{"name": "close", "limit": 8}, {"name": "close", "limit": 9}])
        self.assertEqual((r.status, r.err()["field"]), (400, "clocks[1].name"))
        for v in (0, 2.0, -1, "1"):
            r = S.as_("admin").put("/api/v1/categories/policies/city_event",
                                   {"clocks": [{"name": "close", "limit": 8}], "version": v})
            self.assertEqual((r.status, r.err()["field"]), (400, "version"), v)
        r = S.as_("admin").put("/api/v1/categories/policies/city_event", {"clocks": [{"name": "close", "limit": 8}]},
                               headers={"If-Match": '"0"'})
        self.assertEqual((r.status, r.err()["field"]), (400, "version"))
        # a non-administrator learns nothing from a malformed body
        r = S.as_("zhzx01").put("/api/v1/categories/policies/city_event", {"nonsense": 1})
        self.assertEqual(r.status, 403)
        r = S.as_("admin").put("/api/v1/categories/policies/city_event",
                               {"clocks": [{"name": "close", "limit": 8}], "extra": 1})
        self.assertEqual(r.status, 400)
        # a whole document that does not parse names the entry
        r = S.request("PUT", "/api/v1/categories", raw='{"version":1,"policies":{},"categories":[]}'.encode(),
                      token=S.login("admin"), headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertTrue(r.err()["message"])
        # nothing stored
        self.assertEqual(self.version(), before)

    def test_3_applies_to_the_next_case_only(self):
        a = report(desc="改时限之前上报")
        self.assertEqual(a["policy_version"], 1)
        a_close = clock(a, "close")
        self.assertEqual(a_close["deadline"], expected_deadline(a_close["started_at"], 5))

        r = put_policy("admin", "city_event", [{"name": "close", "limit": 8, "yellow": 5, "red": 7}],
                       version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], 2)
        self.assertEqual((r.json["source"], r.json["updated_by"]), ("admin", "admin"))
        self.assertEqual(clock(policy(r.json, "city_event"), "close")["limit"], 8)
        # other clocks and policies as they were
        self.assertEqual(clock(policy(r.json, "city_event"), "handle")["limit"], 3)
        self.assertEqual(clock(policy(r.json, "city_component"), "close")["limit"], 10)

        b = report(desc="改时限之后上报")
        self.assertEqual(b["policy_version"], 2)
        b_close = clock(b, "close")
        self.assertEqual(b_close["deadline"], expected_deadline(b_close["started_at"], 8))

        # the earlier case keeps its limit through actions and re-reads
        op = S.as_("zhzx01")
        self.assertEqual(op.act(a["id"], "register").status, 200)
        a2 = op.get("/api/v1/cases/%d" % a["id"]).json
        self.assertEqual(clock(a2, "close")["deadline"], a_close["deadline"])
        self.assertEqual(a2["policy_version"], 1)
        # a stale editor is told, and nothing changes
        r = put_policy("admin", "city_event", [{"name": "close", "limit": 9}], version=1)
        self.assertEqual((r.status, r.err()["code"]), (409, "conflict"))
        self.assertEqual(self.version(), 2)
        # the edit is in the audit chain, which still verifies
        v = S.as_("admin").get("/api/v1/audit/verify")
        self.assertEqual(v.status, 200)
        self.assertTrue(v.json["intact"], v.json)
        PINNED.update(a=a["id"], b=b["id"], a_deadline=a_close["deadline"], b_deadline=b_close["deadline"])

    def test_4_restart_keeps_the_edit_and_the_pins(self):
        self.assertEqual(S.stop(), 0)
        S.start()
        self.assertEqual(self.version(), 2)  # the unchanged file does not undo the edit
        op = S.as_("zhzx01")
        a = op.get("/api/v1/cases/%d" % PINNED["a"]).json
        b = op.get("/api/v1/cases/%d" % PINNED["b"]).json
        self.assertEqual(clock(a, "close")["deadline"], PINNED["a_deadline"])
        self.assertEqual(clock(b, "close")["deadline"], PINNED["b_deadline"])
        c = report(desc="重启之后上报")
        self.assertEqual(c["policy_version"], 2)

    def test_5_changed_file_is_a_new_version(self):
        with open(CATEGORIES, encoding="utf-8") as f:
            doc = json.load(f)
        for c in doc["policies"]["city_event"]["clocks"]:
            if c["name"] == "close":
                c.update(limit=10, yellow=6, red=8)
        path = os.path.join(S.dir, "categories-changed.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
        self.assertEqual(S.stop(), 0)
        S.categories = path
        try:
            S.start()
            self.assertIn("作为第 3 版生效", S.log())
            self.assertIn("管理员在第 2 版所做的修改", S.log())
            cur = S.as_("admin").get("/api/v1/categories").json
            self.assertEqual((cur["version"], cur["source"]), (3, "file"))
            self.assertEqual(clock(policy(cur, "city_event"), "close")["limit"], 10)
            d = report(desc="换文件之后上报")
            self.assertEqual(d["policy_version"], 3)
            self.assertEqual(clock(d, "close")["deadline"], expected_deadline(clock(d, "close")["started_at"], 10))
            op = S.as_("zhzx01")
            self.assertEqual(clock(op.get("/api/v1/cases/%d" % PINNED["a"]).json, "close")["deadline"],
                             PINNED["a_deadline"])
            self.assertEqual(clock(op.get("/api/v1/cases/%d" % PINNED["b"]).json, "close")["deadline"],
                             PINNED["b_deadline"])
            vs = S.as_("admin").get("/api/v1/categories/versions").json["items"]
            self.assertEqual([(v["version"], v["source"], v["in_force"]) for v in vs],
                             [(3, "file", True), (2, "admin", False), (1, "file", False)])
        finally:
            S.stop()
            S.categories = None
            S.start()
        # the shipped file again: it differs from the last file stored, so it is version 4
        self.assertEqual(self.version(), 4)

    def test_6_whole_document(self):
        admin = S.as_("admin")
        text = admin.get("/api/v1/categories/document").raw
        doc = json.loads(text)
        doc["categories"].append({"code": "E0199", "name": "测试新增类别", "parent": "E01", "kind": "city_event",
                                  "default_unit_type": "street", "policy": "city_event",
                                  "register_standard": "测试", "close_standard": "测试"})
        raw = json.dumps(doc, ensure_ascii=False).encode()
        v = self.version()
        r = S.request("PUT", "/api/v1/categories", raw=raw, token=S.login("admin"),
                      headers={"Content-Type": "application/json", "If-Match": '"%d"' % (v - 1)})
        self.assertEqual(r.status, 409)
        r = S.request("PUT", "/api/v1/categories", raw=raw, token=S.login("admin"),
                      headers={"Content-Type": "application/json", "If-Match": '"%d"' % v})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], v + 1)
        self.assertIn("E0199", [c["code"] for c in r.json["items"]])
        c = report(category="E0199", desc="新类别的案件")
        self.assertEqual(c["policy_version"], v + 1)
        self.assertEqual(S.request("PUT", "/api/v1/categories", raw=raw, token=S.login("zhzx01")).status, 403)

    def test_7_concurrent_reports_and_edits(self):
        """Reports while the limit changes back and forth: every case's
        deadline is its own version's limit (and the ThreadSanitizer build
        runs this)."""
        admin = S.as_("admin")
        limits = {}
        errors = []

        def reporter(n):
            for i in range(n):
                try:
                    c = report(desc="并发 %d" % i)
                    limits.setdefault(c["policy_version"], []).append(c)
                except AssertionError as e:
                    errors.append(e)

        threads = [threading.Thread(target=reporter, args=(15,)) for _ in range(3)]
        for t in threads:
            t.start()
        versions = {}
        for lim in (4, 6, 7, 5):
            r = put_policy("admin", "city_event", [{"name": "close", "limit": lim, "yellow": 2, "red": 3}])
            self.assertEqual(r.status, 200, r)
            versions[r.json["version"]] = lim
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        checked = 0
        for ver, cases in limits.items():
            doc_lim = versions.get(ver)
            if doc_lim is None:  # reported before the first edit of this test
                continue
            for c in cases:
                cl = clock(c, "close")
                self.assertEqual(cl["deadline"], expected_deadline(cl["started_at"], doc_lim), (ver, c["id"]))
                checked += 1
        self.assertGreater(checked, 0)
        # and as stored: a re-read agrees with what the report answered
        for cases in limits.values():
            for c in cases[:3]:
                again = admin.get("/api/v1/cases/%d" % c["id"]).json
                self.assertEqual(clock(again, "close")["deadline"], clock(c, "close")["deadline"])

    def test_8_another_server_stored_one(self):
        """A version stored behind this server's back (another server on
        the same store; this one's sweep, which would load it, is idle): an
        edit builds on it, not on the one in memory."""
        self.assertEqual(S.stop(), 0)
        S.start(sweep_interval="3600")
        try:
            admin = S.as_("admin")
            mine = admin.get("/api/v1/categories").json["version"]
            doc = json.loads(admin.get("/api/v1/categories/document").raw)
            for c in doc["policies"]["dispute"]["clocks"]:
                c["limit"] += 1  # yellow <= red <= limit still holds
            theirs = mine + 1
            with sqlite3.connect(S.db) as con:
                con.execute("INSERT INTO category_versions(version, body, digest, source, at, by)"
                            " VALUES(?, ?, 'other', 'admin', 0, 'other-server')",
                            (theirs, json.dumps(doc, ensure_ascii=False)))
            # without If-Match: on top of theirs, keeping their change
            r = put_policy("admin", "city_event", [{"name": "close", "limit": 6, "yellow": 2, "red": 3}])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["version"], theirs + 1)
            self.assertEqual(clock(policy(r.json, "city_event"), "close")["limit"], 6)
            self.assertEqual([c["limit"] for c in policy(r.json, "dispute")["clocks"]],
                             [c["limit"] for c in doc["policies"]["dispute"]["clocks"]])
            # an editor who saw the older one: stale
            r = put_policy("admin", "city_event", [{"name": "close", "limit": 7}], version=mine)
            self.assertEqual((r.status, r.err()["code"]), (409, "conflict"))
            vs = admin.get("/api/v1/categories/versions").json["items"]
            self.assertEqual([v["version"] for v in vs], sorted({v["version"] for v in vs}, reverse=True))
            self.assertEqual([v["version"] for v in vs if v["in_force"]], [theirs + 1])
        finally:
            S.stop()
            S.start()

    def test_9_commands_keep_the_version_in_force(self):
        """The server runs with its own file; a command (here stats rebuild,
        which runs with the built-in one) never puts another in force."""
        with open(CATEGORIES, encoding="utf-8") as f:
            doc = json.load(f)
        doc["comment"] = "本地类别文件"
        path = os.path.join(S.dir, "categories-local.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        self.assertEqual(S.stop(), 0)
        S.categories = path
        try:
            S.start()
            v = self.version()
            self.assertEqual(S.stop(), 0)
            p = S.run("stats", "rebuild", "--db", S.db)
            self.assertIn("ok: 统计汇总", p.stdout)
            S.run("audit", "verify", "--db", S.db)
            S.start()
            self.assertEqual(self.version(), v)
            with sqlite3.connect(S.db) as con:
                self.assertEqual(con.execute("SELECT max(version) FROM category_versions").fetchone()[0], v)
        finally:
            S.stop()
            S.categories = None
            S.start()


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN", "CATEGORIES")
