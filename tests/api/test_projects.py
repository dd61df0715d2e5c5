#!/usr/bin/env python3
"""Key projects (重点项目) through the HTTP API (DESIGN.md §9, docs/API.md):
the demo district's twelve projects at the end of its half-year
(2023-06-30) with plan completion worked out by hand from the months
entered, milestone states and lights, the figures of the list, an
earlier as-of day, the writes (create, update under a version,
investments with corrections, milestones, progress log), their errors
with the field named, and who may see and do what.

Usage: test_projects.py PATH/TO/bihuan
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
S = None
H1 = None


def setUpModule():
    global S, H1
    S = Server(BIHUAN)
    S.demo(cases=50)
    S.start()
    r = S.as_("leader").get("/api/v1/projects?unit=440303&period=2023H1")
    assert r.status == 200, r
    H1 = r.json


def tearDownModule():
    S.stop()


def item(code, listing=None):
    rows = [p for p in (listing or H1)["items"] if p["code"] == code]
    assert len(rows) == 1, (code, rows)
    return rows[0]


def detail(pid, who="leader", period="2023H1"):
    r = S.as_(who).get("/api/v1/projects/%d?period=%s" % (pid, period))
    assert r.status == 200, r
    return r.json


NEW = {"code": "T-001", "name": "测试道路工程", "unit": "440303-JT", "category": "交通基础设施",
       "total_investment": 5000, "start": "2026-01-01", "end": "2027-12-31",
       "planned_investment": 1200, "year": 2026,
       "milestones": [{"name": "开工", "planned": "2026-02-01"},
                      {"name": "路基完工", "planned": "2026-10-31"}]}


class HalfYear(unittest.TestCase):
    def test_contract_fields(self):
        self.assertEqual(H1["as_of"], "2023-06-30")
        self.assertEqual(len(H1["items"]), 12)
        for p in H1["items"]:
            for k in ("planned_investment", "completed_investment", "plan_completion",
                      "milestones"):
                self.assertIn(k, p)

    def test_plan_completion_by_hand(self):
        for p in H1["items"]:
            d = detail(p["id"])
            done = sum(v for v in d["months"][:6] if v is not None)
            self.assertAlmostEqual(p["completed_investment"], done, places=6, msg=p["code"])
            # 序时进度 over the months the project runs in 2023, ended by June 30
            first = max(p["start"], "2023-01-01")
            last = min(p["end"], "2023-12-31")
            months = int(last[5:7]) - int(first[5:7]) + 1 if first <= last else 12
            ended = max(0, min(6, int(last[5:7])) - int(first[5:7]) + 1) if first <= "2023-06-30" else 0
            self.assertAlmostEqual(p["time_progress"], ended / months, msg=p["code"])
            if p["planned_investment"]:
                self.assertAlmostEqual(p["plan_completion"], done / p["planned_investment"],
                                       places=9, msg=p["code"])
                self.assertAlmostEqual(p["gap"], p["plan_completion"] - p["time_progress"], places=9)
        # 东湖片区 runs February to December: 5 of its 11 months by June
        self.assertAlmostEqual(item("ZD2023-06")["time_progress"], 5 / 11)
        # 深南东路人行天桥 runs January to October: 6 of 10
        self.assertAlmostEqual(item("ZD2023-03")["time_progress"], 6 / 10)
        # "笋岗西路": 52% of a plan of 12,000 万元 by June
        p = item("ZD2023-01")
        self.assertEqual(p["planned_investment"], 12000)
        self.assertAlmostEqual(p["plan_completion"], 0.52, places=9)
        self.assertEqual(p["unit_name"], "交通运输局")

    def test_summary_adds_up(self):
        s, items = H1["summary"], H1["items"]
        self.assertEqual(s["projects"], 12)
        self.assertEqual(s["started"], sum(p["started"] for p in items))
        self.assertEqual(s["started"], 11)  # 街心公园 starts in September
        self.assertEqual(s["finished"], 1)  # 环卫车辆停保场, 2023-06-26
        self.assertAlmostEqual(s["planned_investment"], sum(p["planned_investment"] for p in items))
        self.assertAlmostEqual(s["completed_investment"],
                               sum(p["completed_investment"] for p in items))
        self.assertAlmostEqual(s["plan_completion"],
                               s["completed_investment"] / s["planned_investment"])
        due = sum(p["milestones_due"] for p in items)
        on_time = sum(p["milestones_on_time"] for p in items)
        self.assertEqual(s["milestones_due"], due)
        self.assertEqual(s["milestones_on_time"], on_time)
        self.assertAlmostEqual(s["on_time_rate"], on_time / due)
        self.assertEqual(s["milestones_overdue"], 2)

    def test_milestone_states_and_lights(self):
        # 布心路: 征拆 planned 03-31 done 05-20 (late); 管线迁改 06-15 not done (overdue)
        p = item("ZD2023-02")
        self.assertEqual([m["status"] for m in p["milestones"]], ["late", "overdue", "pending"])
        self.assertEqual(p["milestones"][1]["status_label"], "逾期未完成")
        self.assertIsNone(p["milestones"][1]["actual"])
        self.assertEqual(p["light"], "red")
        # 深南东路天桥: both due milestones on time, 61% against 50%: green
        p = item("ZD2023-03")
        self.assertEqual([m["status"] for m in p["milestones"]], ["on_time", "on_time", "pending"])
        self.assertEqual(p["light"], "green")
        # 政务服务中心: 一期上线 planned and done on 06-30 is on time
        self.assertEqual([m["status"] for m in item("ZD2023-12")["milestones"]],
                         ["on_time", "on_time", "pending"])
        # 东门老街: no milestone overdue (06-30 is still today), 24% of the plan: 26 points behind
        p = item("ZD2023-08")
        self.assertEqual(p["milestones_overdue"], 0)
        self.assertEqual(p["light"], "red")
        # 黄贝岭: 44% is 6 points behind: the blue card of the target rules
        self.assertEqual(item("ZD2023-09")["light"], "blue")
        # 街心公园 starts in September: nothing spent is not behind
        p = item("ZD2023-11")
        self.assertFalse(p["started"])
        self.assertEqual(p["completed_investment"], 0)
        self.assertEqual(p["light"], "green")

    def test_latest_progress_entry(self):
        # the newest by its date: the 06-28 月调度, written before the 06-26 周检点
        p = item("ZD2023-01")
        self.assertEqual(p["latest_log"]["kind"], "monthly")
        self.assertEqual(p["latest_log"]["kind_label"], "月调度")
        self.assertEqual(p["latest_log"]["date"], "2023-06-28")
        d = detail(p["id"])
        self.assertEqual(len(d["logs"]), 7)  # six 月调度 and one 周检点
        self.assertEqual([x["date"] for x in d["logs"]][:2], ["2023-06-28", "2023-06-26"])
        self.assertEqual(sum(1 for x in d["logs"] if x["kind"] == "monthly"), 6)

    def test_an_earlier_day(self):
        r = S.as_("leader").get("/api/v1/projects?unit=440303&period=2023-03")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["as_of"], "2023-03-31")
        p = item("ZD2023-01", r.json)
        d = detail(p["id"])
        self.assertAlmostEqual(p["completed_investment"], sum(d["months"][:3]))
        self.assertAlmostEqual(p["time_progress"], 0.25)
        # 主线路基 (04-30, done 04-26) was not yet done on March 31
        self.assertEqual([m["status"] for m in p["milestones"]][:2], ["on_time", "pending"])
        # the 06-26 entry was not yet written
        self.assertEqual(p["latest_log"]["date"], "2023-03-28")
        # 布心路's 征拆 (03-31) was due and not done on March 31: pending on its day
        self.assertEqual(item("ZD2023-02", r.json)["milestones"][0]["status"], "pending")

    def test_period_across_years(self):
        r = S.as_("leader").get("/api/v1/projects?from=2022-07-01&to=2023-06-30")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"]["field"], "period")


class Writes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = S.as_("zhzx01").post("/api/v1/projects", NEW)
        assert r.status == 201, r
        cls.p = r.json

    def test_created(self):
        p = self.p
        self.assertEqual(p["code"], "T-001")
        self.assertEqual(p["planned_investment"], 1200)
        self.assertEqual(p["completed_investment"], 0)
        self.assertEqual([m["name"] for m in p["milestones"]], ["开工", "路基完工"])
        self.assertEqual(p["version"], 1)
        r = S.as_("zhzx01").post("/api/v1/projects", NEW)
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["error"]["field"], "code")

    def test_investment_correction_in_force(self):
        pid = self.p["id"]
        jt = S.as_("jt")
        r = jt.post("/api/v1/projects/%d/investments" % pid, {"period": "2026-03", "amount": 150})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["kind"], "completed")
        r = jt.post("/api/v1/projects/%d/investments" % pid,
                    {"period": "2026-03", "amount": 180, "note": "补报"})
        self.assertEqual(r.status, 201, r)
        r = jt.post("/api/v1/projects/%d/investments" % pid, {"period": "2026-04", "amount": 120})
        d = detail(pid, "jt", "2026")
        self.assertEqual(d["months"][2], 180)  # the correction is in force
        self.assertEqual(d["months"][3], 120)
        self.assertAlmostEqual(d["completed_investment"], 300)
        self.assertAlmostEqual(d["completed_total"], 300)  # 150 is superseded, not added
        self.assertAlmostEqual(d["plan_completion"], 300 / 1200)
        # a new plan for the year: the district's, not the department's
        r = jt.post("/api/v1/projects/%d/investments" % pid, {"period": "2026", "amount": 1500})
        self.assertEqual(r.status, 403)
        r = S.as_("leader").post("/api/v1/projects/%d/investments" % pid,
                                 {"period": "2026", "amount": 1500})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["kind"], "planned")
        self.assertAlmostEqual(detail(pid, "jt", "2026")["plan_completion"], 300 / 1500)

    def test_milestone_done_and_log(self):
        pid = self.p["id"]
        ms = self.p["milestones"][0]
        r = S.as_("jt").put("/api/v1/projects/%d/milestones/%d" % (pid, ms["id"]),
                            {"actual": "2026-02-10"})
        self.assertEqual(r.status, 200, r)
        m = [x for x in r.json["milestones"] if x["id"] == ms["id"]][0]
        self.assertEqual((m["actual"], m["status"]), ("2026-02-10", "late"))
        r = S.as_("jt").post("/api/v1/projects/%d/logs" % pid,
                             {"kind": "daily", "date": "2026-03-02", "text": "路基施工",
                              "percent": 0.12, "problems": "雨天停工两天"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["kind_label"], "日推进")
        self.assertEqual(r.json["entered_by"], "jt")
        d = detail(pid, "jt", "2026")
        self.assertEqual(d["latest_log"]["text"], "路基施工")
        self.assertEqual(d["latest_log"]["percent"], 0.12)
        # a milestone is added by the district
        r = S.as_("leader").post("/api/v1/projects/%d/milestones" % pid,
                                 {"name": "竣工验收", "planned": "2027-12-31"})
        self.assertEqual(r.status, 201, r)
        self.assertIn("竣工验收", [x["name"] for x in r.json["milestones"]])

    def test_update_under_version(self):
        pid = self.p["id"]
        body = {k: NEW[k] for k in ("name", "unit", "category", "total_investment", "start", "end")}
        body.update(name="测试道路工程（一期）", started_on="2026-02-10", version=1, note="一期先行")
        for bad in (1e300, -1, 1.5):
            r = S.as_("leader").put("/api/v1/projects/%d" % pid, dict(body, version=bad))
            self.assertEqual((r.status, r.json["error"]["field"]), (400, "version"), bad)
        r = S.as_("leader").put("/api/v1/projects/%d" % pid, body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "测试道路工程（一期）")
        self.assertEqual(r.json["note"], "一期先行")
        self.assertEqual(r.json["started_on"], "2026-02-10")
        self.assertEqual(r.json["version"], 2)
        self.assertEqual(r.json["code"], "T-001")
        r = S.as_("leader").put("/api/v1/projects/%d" % pid, body)  # version 1 again
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["error"]["field"], "version")


class Errors(unittest.TestCase):
    def assertField(self, r, status, field):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["error"]["field"], field, r.json)

    def test_create_errors(self):
        zh = S.as_("zhzx01")
        for change, field in [({"start": "2026-13-01"}, "start"),
                              ({"end": "2025-12-31"}, "end"),
                              ({"total_investment": -5}, "total_investment"),
                              ({"total_investment": "5000"}, "total_investment"),
                              ({"name": ""}, "name"),
                              ({"unit": "440399"}, "unit"),
                              ({"milestones": [{"name": "开工", "planned": "明天"}]},
                               "milestones.planned"),
                              ({"milestones": "开工"}, "milestones"),
                              ({"started_on": "2099-01-01"}, "started_on"),
                              ({"finished_on": "2026-01-05"}, "finished_on"),
                              ({"year": 1e300}, "year"), ({"year": 2026.5}, "year"),
                              ({"colour": "red"}, "colour")]:
            body = dict(NEW, code="E-%s" % field)
            body.update(change)
            self.assertField(zh.post("/api/v1/projects", body), 400, field)

    def test_entry_errors(self):
        pid = item("ZD2023-01")["id"]
        jt = S.as_("jt")
        url = "/api/v1/projects/%d/investments" % pid
        self.assertField(jt.post(url, {"period": "2023-13", "amount": 1}), 400, "period")
        self.assertField(jt.post(url, {"period": "2099-01", "amount": 1}), 400, "period")
        self.assertField(jt.post(url, {"period": "2023-05", "amount": -1}), 400, "amount")
        self.assertField(jt.post(url, {"period": "2023-05"}), 400, "amount")
        url = "/api/v1/projects/%d/logs" % pid
        self.assertField(jt.post(url, {"kind": "hourly", "text": "x"}), 400, "kind")
        self.assertField(jt.post(url, {"kind": "daily", "text": ""}), 400, "text")
        self.assertField(jt.post(url, {"kind": "daily", "text": "x", "percent": 1.5}), 400,
                         "percent")
        self.assertField(jt.post(url, {"kind": "daily", "text": "x", "date": "2099-01-01"}), 400,
                         "date")
        other = item("ZD2023-02")["milestones"][0]["id"]
        r = jt.put("/api/v1/projects/%d/milestones/%d" % (pid, other), {"actual": "2023-05-01"})
        self.assertField(r, 404, "milestone")
        self.assertEqual(S.as_("leader").get("/api/v1/projects/999999").status, 404)


class Access(unittest.TestCase):
    def test_department_sees_its_own(self):
        r = S.as_("jt").get("/api/v1/projects?period=2023H1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["items"])
        self.assertEqual({p["unit"] for p in r.json["items"]}, {"440303-JT"})
        sw = item("ZD2023-04")["id"]  # 水务局's
        r = S.as_("jt").get("/api/v1/projects/%d?period=2023H1" % sw)
        self.assertEqual((r.status, r.json["error"]["field"]), (404, "id"))  # not revealed
        r = S.as_("jt").post("/api/v1/projects/%d/investments" % sw,
                             {"period": "2023-05", "amount": 1})
        self.assertEqual((r.status, r.json["error"]["field"]), (404, "id"))

    def test_street_and_outside(self):
        r = S.as_("hb_jd").get("/api/v1/projects?period=2023H1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"], [])
        self.assertEqual(S.as_("hb_jd").get("/api/v1/projects?unit=440303").status, 403)
        self.assertEqual(S.as_("citizen").get("/api/v1/projects").status, 403)

    def test_who_plans(self):
        body = dict(NEW, code="A-001")
        self.assertEqual(S.as_("jt").post("/api/v1/projects", body).status, 403)
        self.assertEqual(S.as_("wgy_hb").post("/api/v1/projects", body).status, 403)
        # a street's leader cannot set up a department's project
        r = S.as_("hb_leader").post("/api/v1/projects", body)
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "unit"))
        pid = item("ZD2023-01")["id"]
        r = S.as_("wgy_hb").post("/api/v1/projects/%d/logs" % pid, {"kind": "daily", "text": "x"})
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
