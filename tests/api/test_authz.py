#!/usr/bin/env python3
"""Authorization matrix: endpoints x roles x inside/outside jurisdiction,
each with the exact expected status (docs/ROLES.md).

Jurisdiction is the unit subtree.  A second district (440304) holds the
"outside" objects for district-level users; street 440303002 holds them
for the street-level users of 440303001.

Usage: test_authz.py PATH/TO/bihuan
"""
import csv
import io
import os
import sqlite3
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Server  # noqa: E402

BIHUAN = None
S = None
W = {}  # the world: case and object ids

# user: (role, unit)
USERS = {
    "admin": ("admin", "440303"), "leader": ("leader", "440303"), "hb_leader": ("leader", "440303001"),
    "zhzx01": ("operator", "440303"), "cg": ("handler", "440303-CG"), "hb_jd": ("handler", "440303001"),
    "wgy_hb": ("reporter", "440303001"), "citizen": ("public", "440303"),
    # 城管执法局: a sibling department whose code has 440303-CG as a prefix
    "cgzf": ("handler", "440303-CGZF"),
    "sw": ("handler", "440303-SW"),
}


def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=0)
    S.start()
    admin = S.as_("admin")
    for code, typ, parent in [("440304", "district", None), ("440304001", "street", "440304"),
                              ("440304001001", "community", "440304001"),
                              ("44030400100101", "grid", "440304001001")]:
        body = {"code": code, "name": "邻区" + code, "type": typ}
        if parent:
            body["parent"] = parent
        assert admin.post("/api/v1/units", body).status == 201
    assert admin.post("/api/v1/users", {"username": "op2", "password": PASSWORD, "role": "operator",
                                        "unit": "440304"}).status == 201
    assert admin.post("/api/v1/units", {"code": "440303-CGZF", "name": "城市管理综合执法局",
                                        "type": "department", "parent": "440303"}).status == 201
    assert admin.post("/api/v1/users", {"username": "cgzf", "password": PASSWORD, "role": "handler",
                                        "unit": "440303-CGZF"}).status == 201
    def case(user, grid):
        r = S.as_(user).post("/api/v1/cases", {"category": "E0501", "title": "矩阵", "description": "矩阵",
                                               "unit": grid})
        assert r.status == 201, r
        return r.json["id"]
    W["street1"] = case("wgy_hb", "44030300100101")        # reported by wgy_hb
    W["street1_cg"] = case("zhzx01", "44030300100101")     # dispatched to 城管局
    S.as_("zhzx01").act(W["street1_cg"], "register")
    S.as_("zhzx01").act(W["street1_cg"], "dispatch", to_unit="440303-CG")
    W["street1_cgzf"] = case("zhzx01", "44030300100101")   # dispatched to 城管执法局
    S.as_("zhzx01").act(W["street1_cgzf"], "register")
    S.as_("zhzx01").act(W["street1_cgzf"], "dispatch", to_unit="440303-CGZF")
    W["street2"] = case("wgy_cz", "44030300200101")
    W["other"] = case("op2", "44030400100101")
    W["citizen"] = case("citizen", "44030300100101")
    def obj(user, grid):
        r = S.as_(user).post("/api/v1/objects", {"kind": "household", "name": "重点户", "grid": grid})
        assert r.status == 201, r
        return r.json["id"]
    W["obj1"] = obj("zhzx01", "44030300100101")
    W["obj2"] = obj("zhzx01", "44030300200101")
    W["obj_other"] = obj("op2", "44030400100101")
    def project(code, unit):
        r = admin.post("/api/v1/projects", {"code": code, "name": "矩阵项目" + code, "unit": unit,
                                            "category": "矩阵", "year": 2023, "planned_investment": 100,
                                            "total_investment": 500, "start": "2023-01-01", "end": "2024-12-31"})
        assert r.status == 201, r
        return r.json["id"]
    W["prj_cg"] = project("MX-CG", "440303-CG")
    W["prj_cgzf"] = project("MX-CGZF", "440303-CGZF")
    W["prj_other"] = project("MX-OTHER", "440304001")
    W["prj_sw"] = [p["id"] for p in admin.get("/api/v1/projects?unit=440303-SW&period=2023").json["items"]
                   if p["code"] == "ZD2023-05"][0]


def tearDownModule():
    assert S.stop() == 0


class Matrix(unittest.TestCase):
    def check(self, method, path, expected, body=None):
        """expected: user -> status"""
        for user, want in expected.items():
            r = S.request(method, path, body, token=S.login(user))
            self.assertEqual(r.status, want, "%s %s as %s (%s): %r" % (method, path, user, USERS.get(user), r))

    def test_read_case(self):
        cases = {
            "street1":    dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=404, cgzf=404),
            "street1_cg": dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=200, hb_jd=200, wgy_hb=200, citizen=404, cgzf=404),
            "street1_cgzf": dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=404, cgzf=200),
            "street2":    dict(admin=200, leader=200, hb_leader=404, zhzx01=200, cg=404, hb_jd=404, wgy_hb=404, citizen=404),
            "other":      dict(admin=200, leader=404, hb_leader=404, zhzx01=404, cg=404, hb_jd=404, wgy_hb=404, citizen=404),
            "citizen":    dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=200),
        }
        for name, exp in cases.items():
            self.check("GET", "/api/v1/cases/%d" % W[name], exp)

    def test_lists_follow_reads(self):
        for user in USERS:
            ids = {c["id"] for c in S.as_(user).get("/api/v1/cases?limit=200").json["items"]}
            for name in ("street1", "street1_cg", "street1_cgzf", "street2", "other", "citizen"):
                seen = S.as_(user).get("/api/v1/cases/%d" % W[name]).status == 200
                self.assertEqual(W[name] in ids, seen, "%s list vs read of %s" % (user, name))

    def test_sibling_departments_sharing_a_prefix(self):
        # 440303-CG is a string prefix of 440303-CGZF: neither sees the other's cases
        for user, own, other in (("cg", "street1_cg", "street1_cgzf"), ("cgzf", "street1_cgzf", "street1_cg")):
            client = S.as_(user)
            self.assertEqual(client.get("/api/v1/cases/%d" % W[own]).status, 200, user)
            self.assertEqual(client.get("/api/v1/cases/%d" % W[other]).status, 404, user)
            ids = {c["id"] for c in client.get("/api/v1/cases?limit=200").json["items"]}
            self.assertIn(W[own], ids, user)
            self.assertNotIn(W[other], ids, user)
            self.assertEqual(client.act(W[other], "accept").status, 404, user)
        # a unit filter on the shorter code does not widen to the sibling
        rows = S.as_("zhzx01").get("/api/v1/cases?unit=440303-CG&limit=200").json["items"]
        self.assertNotIn(W["street1_cgzf"], {c["id"] for c in rows})
        self.check("GET", "/api/v1/stats/cases?unit=440303-CG", dict(cg=200, cgzf=403, zhzx01=200))
        self.check("GET", "/api/v1/stats/cases?unit=440303-CGZF", dict(cg=403, cgzf=200))
        # a department's figures count what was handed to it, not its sibling's
        t = S.as_("zhzx01").get("/api/v1/stats/cases?unit=440303-CGZF").json
        self.assertEqual(t["total"]["registered"], 1, t)

    def test_supervise(self):
        # leader/operator may supervise; others are refused by role (403) when
        # they can see the case, and 404 when they cannot.
        exp_in = dict(admin=403, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=403, wgy_hb=403, citizen=404)
        exp_out = dict(admin=403, leader=404, hb_leader=404, zhzx01=404, cg=404, hb_jd=404, wgy_hb=404, citizen=404)
        self.check("POST", "/api/v1/cases/%d/actions" % W["street1"], exp_in,
                   {"action": "supervise", "level": 1, "note": "矩阵"})
        self.check("POST", "/api/v1/cases/%d/actions" % W["other"], exp_out,
                   {"action": "supervise", "level": 1, "note": "矩阵"})

    def test_handler_actions_only_on_own_unit(self):
        self.check("POST", "/api/v1/cases/%d/actions" % W["street1_cg"], dict(hb_jd=403, wgy_hb=403), {"action": "accept"})
        self.check("POST", "/api/v1/cases/%d/actions" % W["street1_cg"], dict(cg=200), {"action": "accept"})

    def test_stats(self):
        self.check("GET", "/api/v1/stats/cases?unit=440303001",
                   dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=403, hb_jd=200, wgy_hb=200, citizen=200))
        self.check("GET", "/api/v1/stats/cases?unit=440303002",
                   dict(admin=200, leader=200, hb_leader=403, zhzx01=200, cg=403, hb_jd=403, wgy_hb=403, citizen=200))
        self.check("GET", "/api/v1/stats/cases?unit=440304",
                   dict(admin=200, leader=403, hb_leader=403, zhzx01=403, cg=403, hb_jd=403, wgy_hb=403, citizen=403))

    def test_objects(self):
        self.check("GET", "/api/v1/objects/%d" % W["obj1"],
                   dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=403))
        self.check("GET", "/api/v1/objects/%d" % W["obj2"],
                   dict(admin=200, leader=200, hb_leader=404, zhzx01=200, cg=404, hb_jd=404, wgy_hb=404, citizen=403))
        self.check("GET", "/api/v1/objects/%d" % W["obj_other"],
                   dict(admin=200, leader=404, hb_leader=404, zhzx01=404, cg=404, hb_jd=404, wgy_hb=404, citizen=403))
        body = {"kind": "household", "name": "矩阵", "grid": "44030300100101"}
        self.check("POST", "/api/v1/objects", dict(admin=201, zhzx01=201, leader=403, hb_leader=403, cg=403,
                                                    hb_jd=403, wgy_hb=403, citizen=403), body)
        body["grid"] = "44030400100101"
        self.check("POST", "/api/v1/objects", dict(admin=201, zhzx01=403), body)

    def test_audit_chain_status(self):
        admin = S.as_("admin")
        ok = admin.get("/api/v1/audit/verify")
        self.assertEqual(ok.status, 200, ok)
        self.assertTrue(ok.json["intact"])
        self.assertGreater(ok.json["rows"], 0)
        self.assertIsNone(ok.json["bad_seq"])
        # one row's text changed behind the server's back is found, and named; then put back
        con = sqlite3.connect(S.db, timeout=30)
        seq, detail = con.execute("SELECT seq, detail FROM audit WHERE lane = 0 ORDER BY seq LIMIT 1 OFFSET 2").fetchone()
        try:
            with con:
                con.execute("UPDATE audit SET detail = ? WHERE lane = 0 AND seq = ?", ('{"forged":true}', seq))
            bad = admin.get("/api/v1/audit/verify").json
            self.assertEqual((bad["intact"], bad["bad_seq"]), (False, seq), bad)
            self.assertIn("被修改", bad["reason"])
        finally:
            with con:
                con.execute("UPDATE audit SET detail = ? WHERE lane = 0 AND seq = ?", (detail, seq))
            con.close()
        self.assertTrue(admin.get("/api/v1/audit/verify").json["intact"])

    def test_admin_only(self):
        others = {u: 403 for u in USERS if u != "admin"}
        self.check("GET", "/api/v1/users", dict(others, admin=200))
        self.check("GET", "/api/v1/apikeys", dict(others, admin=200))
        self.check("GET", "/api/v1/audit/verify", dict(others, admin=200))
        self.check("PUT", "/api/v1/units/44030300100101/geometry", others,
                   {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]})
        self.check("POST", "/api/v1/units", others, {"code": "440303001011", "name": "x", "type": "community",
                                                     "parent": "440303001"})

    def test_report_in_jurisdiction(self):
        body = {"category": "E0502", "title": "矩阵", "description": "矩阵", "unit": "44030300200101"}
        self.check("POST", "/api/v1/cases", dict(admin=403, leader=403, hb_leader=403, zhzx01=201, cg=403,
                                                  hb_jd=403, wgy_hb=403, citizen=201), body)

    def test_everyone_reads_reference_data(self):
        everyone = {u: 200 for u in USERS}
        for path in ("/api/v1/categories", "/api/v1/units", "/api/v1/calendar/2025",
                     "/api/v1/locate?lat=22.5325&lng=114.0804"):
            self.check("GET", path, everyone)


    # ---- ledgers (台账) ----

    def test_ledger_exports_follow_reads(self):
        everyone_but_public = dict({u: 200 for u in USERS}, citizen=403)
        for kind in ("units", "objects", "cases"):
            self.check("GET", "/api/v1/ledgers/%s.csv" % kind, everyone_but_public)
        self.check("GET", "/api/v1/ledgers/geometries.geojson", everyone_but_public)
        self.check("GET", "/api/v1/ledgers/users.csv", dict({u: 403 for u in USERS}, admin=200))
        for user in USERS:
            if user == "citizen":
                continue
            client = S.as_(user)
            rows = list(csv.reader(io.StringIO(client.get("/api/v1/ledgers/objects.csv").raw.decode("utf-8-sig"))))
            ids = {int(r[0]) for r in rows[1:]}
            for name in ("obj1", "obj2", "obj_other"):
                seen = client.get("/api/v1/objects/%d" % W[name]).status == 200
                self.assertEqual(W[name] in ids, seen, "%s export vs read of %s" % (user, name))
            rows = list(csv.reader(io.StringIO(client.get("/api/v1/ledgers/cases.csv").raw.decode("utf-8-sig"))))
            numbers = {r[0] for r in rows[1:]}
            for name in ("street1", "street1_cg", "street1_cgzf", "street2", "other", "citizen"):
                r = client.get("/api/v1/cases/%d" % W[name])
                number = S.as_("admin").get("/api/v1/cases/%d" % W[name]).json["number"]
                self.assertEqual(number in numbers, r.status == 200, "%s export vs read of %s" % (user, name))

    def upload(self, user, kind, rows, query="?dry_run=true"):
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return S.request("POST", "/api/v1/ledgers/%s%s" % (kind, query), raw=out.getvalue().encode(),
                         token=S.login(user), headers={"Content-Type": "text/csv"})

    def test_ledger_imports(self):
        inside = [["种类", "名称", "所属网格"], ["重点户", "矩阵台账", "44030300100101"]]
        outside = [["种类", "名称", "所属网格"], ["重点户", "矩阵台账", "44030400100101"]]
        want = dict(admin=200, zhzx01=200, leader=403, hb_leader=403, cg=403, hb_jd=403, wgy_hb=403, citizen=403)
        for user, status in want.items():
            self.assertEqual(self.upload(user, "objects", inside).status, status, user)
        # out of jurisdiction: the row is refused (and nothing written); admin has no limit
        r = self.upload("zhzx01", "objects", outside)
        self.assertEqual(r.status, 400, r)
        self.assertIn("不在您的管辖范围", r.json["errors"][0]["reason"])
        self.assertEqual(self.upload("admin", "objects", outside).status, 200)
        cases = [["外部编号", "来源", "类别", "问题描述", "事发单位"], ["M-1", "hotline", "E0501", "矩阵", "44030300100101"]]
        for user, status in want.items():
            self.assertEqual(self.upload(user, "cases", cases).status, status, user)
        admin_only = {u: 403 for u in USERS}
        admin_only["admin"] = 200
        units = [["编码", "名称", "类型", "上级编码"], ["440303001012", "矩阵社区", "社区", "440303001"]]
        users = [["用户名", "角色", "所属单位", "初始密码"], ["matrix_u", "reporter", "440303001", PASSWORD]]
        for user, status in admin_only.items():
            self.assertEqual(self.upload(user, "units", units).status, status, user)
            self.assertEqual(self.upload(user, "users", users).status, status, user)
            r = S.request("POST", "/api/v1/ledgers/geometries?dry_run=true",
                          raw=b'{"type":"FeatureCollection","features":[]}', token=S.login(user))
            self.assertEqual(r.status, status, user)
        # without a token
        self.assertEqual(S.request("GET", "/api/v1/ledgers/units.csv").status, 401)
        self.assertEqual(S.request("POST", "/api/v1/ledgers/units", raw=b"x").status, 401)

    # ---- the target loop: board, targets, actuals, flags, trend, key projects ----

    def test_target_reads(self):
        gov = dict(admin=200, leader=200, zhzx01=200, citizen=403)
        self.check("GET", "/api/v1/targets/board?unit=440303&period=2023H1",
                   dict(gov, hb_leader=403, cg=403, hb_jd=403, wgy_hb=403, cgzf=403, sw=403))
        self.check("GET", "/api/v1/targets/board?unit=440303001&period=2023H1",
                   dict(gov, hb_leader=200, hb_jd=200, wgy_hb=200, cg=403, cgzf=403))
        self.check("GET", "/api/v1/targets/board?unit=440304&period=2023H1",
                   dict(admin=200, leader=403, zhzx01=403, hb_leader=403, citizen=403))
        self.check("GET", "/api/v1/targets/trend?unit=440303002&indicator=fixed_investment&year=2023",
                   dict(gov, hb_leader=403, hb_jd=403, wgy_hb=403, cg=403))
        self.check("GET", "/api/v1/targets/ranking?unit=440303&period=2023-06", dict(gov, hb_jd=403, cg=403))
        self.check("GET", "/api/v1/targets/flags?unit=440303&year=2023", dict(gov, hb_jd=403, cg=403))
        for path in ("/api/v1/targets?unit=440303001&year=2023", "/api/v1/targets/actuals?unit=440303001&year=2023"):
            self.check("GET", path, dict(gov, hb_leader=200, hb_jd=200, wgy_hb=200, cg=403, cgzf=403))
        # a department's own: itself only, not its prefix sibling
        self.check("GET", "/api/v1/targets/actuals?unit=440303-CG&year=2023", dict(cg=200, cgzf=403, zhzx01=200))
        self.check("GET", "/api/v1/targets/actuals?unit=440303-CGZF&year=2023", dict(cg=403, cgzf=200))

    def test_target_writes(self):
        # the district sets its streets' targets; a unit never its own
        body = {"unit": "440303001", "indicator": "fixed_investment", "period": "2025", "value": 1}
        self.check("POST", "/api/v1/targets", dict(admin=201, leader=201, zhzx01=201, hb_leader=403, hb_jd=403,
                                                    cg=403, wgy_hb=403, citizen=403), body)
        body["unit"] = "440304001"
        self.check("POST", "/api/v1/targets", dict(admin=201, leader=403, zhzx01=403), body)
        # a street enters its own actuals; grid workers and other units do not
        body = {"unit": "440303001", "indicator": "fixed_investment", "period": "2023-06", "value": 1}
        self.check("POST", "/api/v1/targets/actuals", dict(admin=201, leader=201, hb_leader=201, zhzx01=201,
                                                            hb_jd=201, cg=403, wgy_hb=403, citizen=403,
                                                            cgzf=403), body)
        body["unit"] = "440303002"
        self.check("POST", "/api/v1/targets/actuals", dict(hb_jd=403, hb_leader=403, leader=201), body)
        # flags: the district's leader or command centre, once
        self.check("POST", "/api/v1/targets/flags", dict(cg=403, hb_leader=403, hb_jd=403, wgy_hb=403, citizen=403,
                                                          zhzx01=201, leader=409), {"unit": "440303", "month": "2023-08"})

    def test_project_reads(self):
        # one project by id: outside the jurisdiction it is not there (404), as a case
        gov = dict(admin=200, leader=200, zhzx01=200, citizen=403, wgy_hb=404, hb_jd=404, hb_leader=404)
        self.check("GET", "/api/v1/projects/%d?period=2023" % W["prj_sw"], dict(gov, sw=200, cg=404))
        self.check("GET", "/api/v1/projects/%d?period=2023" % W["prj_cg"], dict(gov, cg=200, cgzf=404))
        self.check("GET", "/api/v1/projects/%d?period=2023" % W["prj_cgzf"], dict(gov, cg=404, cgzf=200))
        self.check("GET", "/api/v1/projects/%d?period=2023" % W["prj_other"], dict(admin=200, leader=404, zhzx01=404))
        self.check("GET", "/api/v1/projects?unit=440303-CG&period=2023", dict(cg=200, cgzf=403, sw=403, hb_jd=403))
        for user, unit, sees, not_ in (("cg", "440303-CG", "prj_cg", "prj_cgzf"),
                                       ("cgzf", "440303-CGZF", "prj_cgzf", "prj_cg"),
                                       ("zhzx01", "440303-CG", "prj_cg", "prj_cgzf")):
            items = S.as_(user).get("/api/v1/projects?unit=%s&period=2023" % unit).json["items"]
            self.assertEqual({p["unit"] for p in items}, {unit}, (user, unit))
            self.assertIn(W[sees], {p["id"] for p in items})
            self.assertNotIn(W[not_], {p["id"] for p in items})
        ids = {p["id"] for p in S.as_("leader").get("/api/v1/projects?period=2023").json["items"]}
        self.assertIn(W["prj_sw"], ids)
        self.assertNotIn(W["prj_other"], ids)

    def test_project_writes(self):
        owner = dict(admin=201, leader=201, zhzx01=201, sw=201, cg=404, hb_jd=404, hb_leader=404, wgy_hb=403,
                     citizen=403)
        base = "/api/v1/projects/%d" % W["prj_sw"]
        self.check("POST", base + "/investments", owner, {"period": "2023-06", "amount": 1})
        self.check("POST", base + "/logs", owner, {"kind": "weekly", "date": "2023-06-30", "text": "矩阵"})
        # the year's plan and new milestones are the district's
        # (a handler may never plan: refused by role before the project is read)
        self.check("POST", base + "/investments", dict(admin=201, leader=201, zhzx01=201, sw=403, cg=403),
                   {"period": "2023", "amount": 15000})
        self.check("POST", base + "/milestones", dict(admin=201, leader=201, sw=403, cg=403),
                   {"name": "矩阵节点", "planned": "2023-12-31"})
        # the district creates projects for units under it; a unit not for itself
        for user, unit, want in (("cg", "440303-CG", 403), ("hb_leader", "440303-CG", 403),
                                 ("hb_leader", "440303001", 403), ("wgy_hb", "440303001", 403),
                                 ("citizen", "440303001", 403), ("zhzx01", "440304001", 403),
                                 ("leader", "440303-CG", 201), ("zhzx01", "440303001", 201)):
            r = S.as_(user).post("/api/v1/projects", {"code": "MXN-%s-%s" % (user, unit), "name": "矩阵新项目",
                                                      "unit": unit, "category": "矩阵", "total_investment": 500,
                                                      "start": "2023-01-01", "end": "2024-12-31"})
            self.assertEqual(r.status, want, (user, unit, r))
        self.assertEqual(S.request("GET", "/api/v1/projects").status, 401)
        # a grid worker reads its street's (none here), not a department's
        self.check("GET", "/api/v1/projects?unit=440303001&period=2023", dict(wgy_hb=200, hb_jd=200, cg=403))

    # ---- Open311: what an API key may do follows its role and unit ----

    def test_open311_keys(self):
        admin = S.as_("admin")
        keys = {}
        for role in ("leader", "operator", "handler", "reporter", "public"):
            r = admin.post("/api/v1/apikeys", {"name": "matrix-" + role, "role": role, "unit": "440303001"})
            self.assertEqual(r.status, 201, r)
            keys[role] = r.json["key"]

        def post(role, grid):
            body = urllib.parse.urlencode({"api_key": keys[role], "service_code": "E0501",
                                           "address_id": grid, "description": "矩阵"}).encode()
            return S.request("POST", "/open311/v2/requests.json", raw=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        inside = dict(leader=403, operator=200, handler=403, reporter=200, public=200)
        outside = dict(leader=403, operator=403, handler=403, reporter=403, public=200)
        for role in keys:
            self.assertEqual(post(role, "44030300100101").status, inside[role], role)
            self.assertEqual(post(role, "44030300200101").status, outside[role], role)
        # reading is public in GeoReport v2; a revoked key creates nothing
        self.assertEqual(S.request("GET", "/open311/v2/services.json").status, 200)
        self.assertEqual(S.request("DELETE", "/api/v1/apikeys/matrix-public", token=S.login("admin")).status, 204)
        # a name in Chinese goes percent-encoded in the path, as browsers send it
        admin.post("/api/v1/apikeys", {"name": "热线对接", "role": "public", "unit": "440303001"})
        self.assertEqual(S.request("DELETE", "/api/v1/apikeys/%E7%83%AD%E7%BA%BF%E5%AF%B9%E6%8E%A5",
                                   token=S.login("admin")).status, 204)
        listed = {k["name"]: k for k in admin.get("/api/v1/apikeys").json["items"]}
        self.assertIsNotNone(listed["热线对接"]["revoked_at"])
        # an escape that is not UTF-8 stays as sent: a 404 that still says why, in JSON
        r = S.request("GET", "/api/v1/units/%FF", token=S.login("admin"))
        self.assertEqual(r.status, 404, r)
        self.assertIn("%FF", r.json["error"]["message"])
        self.assertEqual(post("public", "44030300100101").status, 403)
        # keys are bearer tokens for the JSON API too, with the same scope
        r = S.request("GET", "/api/v1/cases/%d" % W["street2"], token=keys["operator"])
        self.assertEqual(r.status, 404)
        r = S.request("GET", "/api/v1/cases/%d" % W["street1"], token=keys["operator"])
        self.assertEqual(r.status, 200)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
