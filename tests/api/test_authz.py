#!/usr/bin/env python3
"""Authorization matrix: endpoints x roles x inside/outside jurisdiction,
each with the exact expected status (docs/ROLES.md).

Jurisdiction is the unit subtree.  A second district (440304) holds the
"outside" objects for district-level users; street 440303002 holds them
for the street-level users of 440303001.

Usage: test_authz.py PATH/TO/bihuan
"""
import os
import sys
import unittest

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
    def case(user, grid):
        r = S.as_(user).post("/api/v1/cases", {"category": "E0501", "title": "矩阵", "description": "矩阵",
                                               "unit": grid})
        assert r.status == 201, r
        return r.json["id"]
    W["street1"] = case("wgy_hb", "44030300100101")        # reported by wgy_hb
    W["street1_cg"] = case("zhzx01", "44030300100101")     # dispatched to 城管局
    S.as_("zhzx01").act(W["street1_cg"], "register")
    S.as_("zhzx01").act(W["street1_cg"], "dispatch", to_unit="440303-CG")
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
            "street1":    dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=404),
            "street1_cg": dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=200, hb_jd=200, wgy_hb=200, citizen=404),
            "street2":    dict(admin=200, leader=200, hb_leader=404, zhzx01=200, cg=404, hb_jd=404, wgy_hb=404, citizen=404),
            "other":      dict(admin=200, leader=404, hb_leader=404, zhzx01=404, cg=404, hb_jd=404, wgy_hb=404, citizen=404),
            "citizen":    dict(admin=200, leader=200, hb_leader=200, zhzx01=200, cg=404, hb_jd=200, wgy_hb=200, citizen=200),
        }
        for name, exp in cases.items():
            self.check("GET", "/api/v1/cases/%d" % W[name], exp)

    def test_lists_follow_reads(self):
        for user in USERS:
            ids = {c["id"] for c in S.as_(user).get("/api/v1/cases?limit=200").json["items"]}
            for name in ("street1", "street1_cg", "street2", "other", "citizen"):
                seen = S.as_(user).get("/api/v1/cases/%d" % W[name]).status == 200
                self.assertEqual(W[name] in ids, seen, "%s list vs read of %s" % (user, name))

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

    def test_admin_only(self):
        others = {u: 403 for u in USERS if u != "admin"}
        self.check("GET", "/api/v1/users", dict(others, admin=200))
        self.check("GET", "/api/v1/apikeys", dict(others, admin=200))
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


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
