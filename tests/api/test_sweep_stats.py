#!/usr/bin/env python3
"""Statistics arithmetic on a hand-built dataset, and the SLA sweep
(lights change and red clocks are supervised automatically) with a
categories file whose clocks run in seconds.

Usage: test_sweep_stats.py PATH/TO/bihuan PATH/TO/data/categories.json
"""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, wait_for  # noqa: E402

BIHUAN = CATEGORIES = None


def case(client, grid, category="E0501", **kw):
    body = {"category": category, "title": "统计测试", "description": "统计测试案件", "unit": grid}
    body.update(kw)
    r = client.post("/api/v1/cases", body)
    assert r.status == 201, r
    return r.json["id"]


class Stats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(BIHUAN)
        cls.s.demo(cases=0)
        cls.s.start()
        s = cls.s
        hb, cz, op, cg = s.as_("wgy_hb"), s.as_("wgy_cz"), s.as_("zhzx01"), s.as_("cg")
        g1, g2 = "44030300100101", "44030300200101"

        def through_handle(cid):
            op.act(cid, "register")
            op.act(cid, "dispatch", to_unit="440303-CG")
            cg.act(cid, "accept")
            cg.act(cid, "handle", result="已处置")

        a = case(hb, g1)                     # closed on time, rated 5
        through_handle(a)
        hb.act(a, "verify_pass")
        op.act(a, "rate", rating=5)
        b = case(hb, g1)                     # reworked once, closed, rated 2
        through_handle(b)
        hb.act(b, "verify_fail", reason="未整改到位")
        cg.act(b, "accept")
        cg.act(b, "handle", result="再次处置")
        hb.act(b, "verify_pass")
        op.act(b, "rate", rating=2)
        c = case(hb, g1)                     # registered and dispatched, open
        op.act(c, "register")
        op.act(c, "dispatch", to_unit="440303-CG")
        d = case(hb, g1)                     # rejected
        op.act(d, "reject", reason="不属于受理范围")
        e = case(op, g2, "H02", source="hotline")   # closed, not rated
        through_handle(e)
        op.act(e, "verify_pass")
        case(cz, g2, "D01")                  # only reported
        for cid in (a, b, c, d, e):
            assert op.get("/api/v1/cases/%d" % cid).status == 200

    @classmethod
    def tearDownClass(cls):
        assert cls.s.stop() == 0

    def stats(self, user="leader", **params):
        q = "&".join("%s=%s" % kv for kv in params.items())
        r = self.s.as_(user).get("/api/v1/stats/cases?" + q)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_totals(self):
        t = self.stats()["total"]
        want = {"reported": 6, "registered": 4, "due": 3, "closed": 3, "closed_on_time": 3,
                "overdue": 0, "handled": 3, "reworked": 1, "rated": 2, "satisfied": 1, "open": 1}
        self.assertEqual({k: t[k] for k in want}, want)
        self.assertEqual(t["close_rate"], 1.0)
        self.assertEqual(t["on_time_close_rate"], 1.0)
        self.assertAlmostEqual(t["rework_rate"], 1 / 3)
        self.assertEqual(t["satisfaction_rate"], 0.5)
        self.assertGreaterEqual(t["avg_handle_hours"], 0)

    def test_states_formula_and_period(self):
        j = self.stats(**{"from": "2000-01-01", "to": "2100-01-01"})
        self.assertEqual(j["period"]["from"], "2000-01-01T00:00:00+08:00")
        self.assertEqual(j["period"]["to"], "2100-01-02T00:00:00+08:00")
        self.assertIn("结案数 / 应结案数", j["formulas"]["close_rate"])
        self.assertEqual(j["labels"]["on_time_close_rate"], "按期结案率")
        self.assertEqual(j["total"]["reported"], 6)
        empty = self.stats(**{"from": "2000-01-01", "to": "2000-12-31"})["total"]
        self.assertEqual((empty["reported"], empty["close_rate"]), (0, None))

    def test_group_by_unit(self):
        j = self.stats(group_by="unit")
        g = {x["key"]: x for x in j["groups"]}
        self.assertEqual(sorted(g), ["440303001", "440303002"])
        self.assertEqual(g["440303001"]["name"], "黄贝街道")
        self.assertEqual((g["440303001"]["reported"], g["440303001"]["registered"], g["440303001"]["closed"],
                          g["440303001"]["reworked"], g["440303001"]["satisfaction_rate"]), (4, 3, 2, 1, 0.5))
        self.assertEqual((g["440303002"]["reported"], g["440303002"]["closed"]), (2, 1))
        for k in ("reported", "registered", "due", "closed", "handled"):
            self.assertEqual(sum(x[k] for x in j["groups"]), j["total"][k])
        sub = self.stats(unit="440303001", group_by="unit")
        self.assertEqual([x["key"] for x in sub["groups"]], ["440303001001"])
        self.assertEqual(sub["total"]["reported"], 4)

    def test_group_by_source_and_category(self):
        src = {x["key"]: x["reported"] for x in self.stats(group_by="source")["groups"]}
        self.assertEqual(src, {"grid": 5, "hotline": 1})
        names = {x["key"]: x["name"] for x in self.stats(group_by="source")["groups"]}
        self.assertEqual(names["hotline"], "12345热线")
        cat = {x["key"]: x["reported"] for x in self.stats(group_by="category")["groups"]}
        self.assertEqual(cat, {"E0501": 4, "H02": 1, "D01": 1})

    def test_errors(self):
        r = self.s.as_("wgy_cz").get("/api/v1/stats/cases?unit=440303001")
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "unit"))
        r = self.s.as_("leader").get("/api/v1/stats/cases?group_by=weather")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "group_by"))
        r = self.s.as_("leader").get("/api/v1/stats/cases?from=2024-01-02&to=2024-01-01")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "to"))


def fast_categories(path):
    """X01's 立案 and 结案 run out in 3.6 s (red at 1.8 s)."""
    harness.fast_categories(CATEGORIES, path, [
        ("register", "立案", ["report"], ["register", "reject"], 0.06, 0.01, 0.03),
        ("close", "结案", ["report"], ["verify_pass"], 0.06, 0.01, 0.03)])


class Sweep(unittest.TestCase):
    def test_lights_and_auto_supervision(self):
        path = os.path.join(tempfile.mkdtemp(), "fast.json")
        fast_categories(path)
        s = Server(BIHUAN, categories=path)
        s.demo(cases=0)
        s.start(sweep_interval="0.2")
        try:
            rep, op = s.as_("wgy_hb"), s.as_("zhzx01")
            cid = case(rep, "44030300100101", "X01")
            fresh = rep.get("/api/v1/cases/%d" % cid).json
            self.assertIn(fresh["light"], ("green", "yellow"))

            def listed_light(want):
                items = op.get("/api/v1/cases?category=X01").json["items"]
                return items and items[0]["light"] == want and items[0]

            # The list shows the light the sweep stored (the single view
            # computes it live); red within ~2 s, overdue within ~4 s.
            self.assertTrue(wait_for(lambda: listed_light("red"), timeout=10), "never red")
            hist = wait_for(lambda: [e for e in op.get("/api/v1/cases/%d" % cid).json["history"]
                                     if e["action"] == "supervise"], timeout=5)
            self.assertTrue(hist, "no automatic supervision")
            self.assertEqual((hist[0]["actor"], hist[0]["level"]), ("system", 1))
            self.assertTrue(wait_for(lambda: listed_light("overdue"), timeout=10), "never overdue")
            final = wait_for(lambda: (lambda j: j["supervise_level"] == 2 and j)(
                op.get("/api/v1/cases/%d" % cid).json), timeout=5)
            self.assertTrue(final, "overdue did not escalate supervision")
            self.assertIn("已超期", [e for e in final["history"] if e["action"] == "supervise"][-1]["note"])
            # Overdue shows in the statistics once registered (due, not closed on time).
            op.act(cid, "register")
            t = s.as_("leader").get("/api/v1/stats/cases").json["total"]
            self.assertEqual((t["due"], t["overdue"], t["on_time_close_rate"]), (1, 1, 0.0))
            metrics = s.request("GET", "/metrics", token=s.login("admin")).raw.decode()
            self.assertIn('bihuan_cases{status="registered",light="overdue"} 1', metrics)
        finally:
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN", "CATEGORIES")
