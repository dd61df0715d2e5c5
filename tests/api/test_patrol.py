#!/usr/bin/env python3
"""The patrol loop through its HTTP API (DESIGN.md §9, docs/API.md):
check-ins and every error path with the field named, flags, idempotent
client ids, hazards from a check-in through rectification and, for a
major one, its case through 复查, due patrols and figures on a hand-built
dataset, the configuration, and who may do what.

The demo district's objects were registered on 2023-01-01; grid
44030300100101 holds a component (monthly plan) and a red enterprise
(monthly), grid 44030300100102 a component and an orange enterprise
(quarterly).  The server's clock is the real one, so the periods used
are months that have ended.

Usage: test_patrol.py PATH/TO/bihuan
"""
import datetime
import io
import csv
import os
import json
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Server  # noqa: E402

BIHUAN = None
S = None
O = {}  # object ids by name
GOOD = {"fire_exit": "畅通", "extinguisher": "完好有效", "wiring": "规范"}

TODAY = datetime.date.today()
# Two whole months that have ended, in one year (make-ups do not cross a
# year): last month and the one before, or November and October of last
# year early in a year.
if TODAY.month > 2:
    LAST = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
else:
    LAST = datetime.date(TODAY.year - 1, 11, 1)
PREV = (LAST - datetime.timedelta(days=1)).replace(day=1)
LAST_END = ((LAST + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1))


def month(d):
    return d.strftime("%Y-%m")


def at(d, day, hour=10):
    return "%s-%02dT%02d:00:00+08:00" % (d.strftime("%Y-%m"), day, hour)


def objects_of(grid):
    r = S.as_("admin").get("/api/v1/objects?grid=%s&limit=200" % grid)
    assert r.status == 200, r
    return r.json["items"]


def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=0)
    S.start()
    for grid in ("44030300100101", "44030300100102", "44030300100103", "44030300100201",
                 "44030300200101"):
        for o in objects_of(grid):
            O["%s/%s" % (grid, o["kind"])] = o
    admin = S.as_("admin")
    for u, role, unit in [("leader_p", "leader", "440303"), ("op_p", "operator", "440303"),
                          ("wg1", "reporter", "440303001"), ("wg2", "reporter", "440303001"),
                          ("wg_far", "reporter", "440303002"), ("yj", "handler", "440303-YJGL"),
                          ("pub_p", "public", "440303")]:
        r = admin.post("/api/v1/users", {"username": u, "password": PASSWORD, "role": role, "unit": unit})
        assert r.status == 201, r


def tearDownModule():
    S.stop()


def checkin(user, obj, **kw):
    body = {"object": obj["id"], "client_id": kw.pop("client_id", str(uuid.uuid4())),
            "location": kw.pop("location", {"lat": obj["location"]["lat"], "lng": obj["location"]["lng"],
                                            "crs": "wgs84", "accuracy": 10}),
            "answers": kw.pop("answers", GOOD if obj["kind"] == "enterprise" else {"state": "完好"})}
    body.update(kw)
    return S.as_(user).post("/api/v1/patrols", body)


class CheckIn(unittest.TestCase):
    def test_checkin_replay_and_flags(self):
        ent = O["44030300100101/enterprise"]
        cid = str(uuid.uuid4())
        r = checkin("wg1", ent, client_id=cid, note="例行检查")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["object"], ent["id"])
        self.assertEqual(r.json["flags"], [])
        self.assertFalse(r.json["late"])
        self.assertEqual(r.json["hazards"], [])
        self.assertLess(r.json["distance_m"], 5)
        # the phone retries: the same check-in, not a second one
        again = checkin("wg1", ent, client_id=cid, note="重发")
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json["id"], r.json["id"])
        self.assertEqual(again.json["note"], "例行检查")
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        # the client id is per user: another worker's phone may use the same one
        other = checkin("wg2", ent, client_id=cid)
        self.assertEqual(other.status, 201, other)
        self.assertNotEqual(other.json["id"], r.json["id"])
        # readable back, with its answers
        got = S.as_("op_p").get("/api/v1/patrols/%d" % r.json["id"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json["answers"]["fire_exit"], "畅通")

    def test_far_and_outside_grid_are_accepted_but_flagged(self):
        ent = O["44030300100101/enterprise"]
        loc = {"lat": ent["location"]["lat"] + 0.02, "lng": ent["location"]["lng"], "crs": "wgs84"}
        r = checkin("wg1", ent, location=loc)
        self.assertEqual(r.status, 201, r)
        self.assertIn("far", r.json["flags"])
        self.assertIn("outside_grid", r.json["flags"])
        self.assertGreater(r.json["distance_m"], 2000)

    def test_gcj02_point_is_converted(self):
        ent = O["44030300100101/enterprise"]
        # the same place as a GCJ-02 map shows it: ~500 m off in raw numbers
        gcj = {"lat": ent["location"]["lat"] - 0.00275, "lng": ent["location"]["lng"] + 0.00495, "crs": "gcj02"}
        r = checkin("wg1", ent, location=gcj)
        self.assertEqual(r.status, 201, r)
        self.assertLess(r.json["distance_m"], 150, r.json)
        self.assertNotIn("far", r.json["flags"])

    def test_error_paths_name_the_field(self):
        ent = O["44030300100101/enterprise"]
        outside = O["44030300200101/enterprise"]
        loc = {"lat": ent["location"]["lat"], "lng": ent["location"]["lng"]}
        cases = [
            ({"object": 999999, "client_id": "x1", "location": loc, "answers": GOOD}, 404, "object"),
            ({"object": outside["id"], "client_id": "x2", "location": loc, "answers": GOOD}, 404, "object"),
            ({"client_id": "x3", "location": loc, "answers": GOOD}, 400, "object"),
            ({"object": ent["id"], "location": loc, "answers": GOOD}, 400, "client_id"),
            ({"object": ent["id"], "client_id": "x4", "answers": GOOD}, 400, "location"),
            ({"object": ent["id"], "client_id": "x5", "location": {"lat": 91, "lng": 114}, "answers": GOOD},
             400, "location.lat"),
            ({"object": ent["id"], "client_id": "x6", "location": {"lat": 22.5, "lng": 214}, "answers": GOOD},
             400, "location.lng"),
            ({"object": ent["id"], "client_id": "x7", "location": dict(loc, crs="mars"), "answers": GOOD},
             400, "location.crs"),
            ({"object": ent["id"], "client_id": "x8", "location": dict(loc, accuracy=-3), "answers": GOOD},
             400, "location.accuracy"),
            ({"object": ent["id"], "client_id": "x9", "location": loc,
              "answers": {"fire_exit": "畅通", "extinguisher": "完好有效"}}, 400, "answers.wiring"),
            ({"object": ent["id"], "client_id": "x10", "location": loc, "answers": dict(GOOD, wiring="挺好")},
             400, "answers.wiring"),
            ({"object": ent["id"], "client_id": "x11", "location": loc, "answers": dict(GOOD, colour="红")},
             400, "answers.colour"),
            ({"object": ent["id"], "client_id": "x12", "location": loc, "answers": GOOD,
              "findings": [{"severity": "huge", "description": "x"}]}, 400, "findings[0].severity"),
            ({"object": ent["id"], "client_id": "x13", "location": loc, "answers": GOOD,
              "findings": [{"severity": "general"}]}, 400, "findings[0].description"),
            ({"object": ent["id"], "client_id": "x14", "location": loc, "answers": GOOD,
              "findings": [{"severity": "major", "description": "x", "on_spot": True}]}, 400, "findings[0].on_spot"),
            ({"object": ent["id"], "client_id": "x15", "location": loc, "answers": GOOD,
              "findings": [{"severity": "general", "description": "x", "type": "nosuch"}]}, 400, "findings[0].type"),
            ({"object": ent["id"], "client_id": "x16", "location": loc, "answers": GOOD,
              "at": "2099-01-01T10:00:00+08:00"}, 400, "at"),
            ({"object": ent["id"], "client_id": "x17", "location": loc, "answers": GOOD, "at": "yesterday"},
             400, "at"),
            ({"object": ent["id"], "client_id": "x18", "location": loc, "answers": GOOD, "colour": 1}, 400, "colour"),
        ]
        for body, status, field in cases:
            r = S.as_("wg1").post("/api/v1/patrols", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertEqual(r.err().get("field"), field, (body, r))
            self.assertTrue(r.err().get("message"), r)
        # nothing was written by any of them
        listed = S.as_("admin").get("/api/v1/patrols?object=%d&limit=200" % ent["id"])
        self.assertFalse([p for p in listed.json["items"] if p["client_id"].startswith("x")])

    def test_who_may_check_in(self):
        ent = O["44030300100101/enterprise"]
        for user, status in [("admin", 201), ("leader_p", 201), ("op_p", 201), ("wg1", 201),
                             ("yj", 403), ("pub_p", 403), ("wg_far", 404)]:
            r = checkin(user, ent)
            self.assertEqual(r.status, status, (user, r))


class Hazards(unittest.TestCase):
    def test_general_hazard_rectified_and_on_spot(self):
        ent = O["44030300100101/enterprise"]
        r = checkin("wg1", ent, answers=dict(GOOD, fire_exit="堵塞"), findings=[
            {"severity": "general", "type": "fire", "description": "消防通道堆放纸箱"},
            {"severity": "general", "description": "灭火器压力不足", "on_spot": True}])
        self.assertEqual(r.status, 201, r)
        h1, h2 = r.json["hazards"]
        self.assertEqual((h1["status"], h1["light"], h1["severity"]), ("open", "green", "general"))
        self.assertEqual(h1["patrol"], r.json["id"])
        self.assertEqual(h1["object"], ent["id"])
        self.assertIsNone(h1["case"])
        self.assertEqual((h2["status"], h2["light"], h2["on_spot"]), ("rectified", "none", True))
        # the deadline of a fire hazard: 5 working days
        found = datetime.date.fromisoformat(h1["found_at"][:10])
        self.assertGreater(datetime.date.fromisoformat(h1["deadline"]), found)
        wg = S.as_("wg1")
        bad = wg.post("/api/v1/hazards/%d/actions" % h1["id"], {"action": "rectify"})
        self.assertEqual((bad.status, bad.err()["field"]), (400, "note"))
        stale = wg.post("/api/v1/hazards/%d/actions" % h1["id"], {"action": "rectify", "note": "x", "version": 7})
        self.assertEqual(stale.status, 409, stale)
        ok = wg.post("/api/v1/hazards/%d/actions" % h1["id"], {"action": "rectify", "note": "已清理通道"})
        self.assertEqual(ok.status, 200, ok)
        self.assertEqual((ok.json["status"], ok.json["rectified_by"], ok.json["version"]), ("rectified", "wg1", 2))
        twice = wg.post("/api/v1/hazards/%d/actions" % h1["id"], {"action": "rectify", "note": "再次"})
        self.assertEqual((twice.status, twice.err()["code"]), (409, "failed_precondition"))
        # outside the jurisdiction: as if absent
        far = S.as_("wg_far").post("/api/v1/hazards/%d/actions" % h1["id"], {"action": "rectify", "note": "x"})
        self.assertEqual(far.status, 404, far)
        self.assertEqual(S.as_("wg_far").get("/api/v1/hazards/%d" % h1["id"]).status, 404)

    def test_major_hazard_becomes_a_case_through_reinspection(self):
        ent = O["44030300100102/enterprise"]
        r = checkin("wg1", ent, findings=[{"severity": "major", "type": "electric",
                                           "description": "配电房线路严重老化", "plan": "停产更换线路",
                                           "supervisor": "区应急管理局局长"}])
        self.assertEqual(r.status, 201, r)
        h = r.json["hazards"][0]
        self.assertEqual(h["severity"], "major")
        self.assertEqual(h["supervisor"], "区应急管理局局长")
        self.assertIsNotNone(h["case"])
        self.assertEqual(h["light"], "green")
        case = S.as_("op_p").get("/api/v1/cases/%d" % h["case"])
        self.assertEqual(case.status, 200, case)
        c = case.json
        self.assertEqual((c["category"], c["status"], c["handling_unit"]), ("S02", "dispatched", "440303-YJGL"))
        self.assertTrue(c["supervised"])
        self.assertIn("挂牌督办：区应急管理局局长", [e.get("note") for e in c["history"]])
        self.assertIn("停产更换线路", c["description"])
        # rectifying a major one happens in its case
        direct = S.as_("wg1").post("/api/v1/hazards/%d/actions" % h["id"], {"action": "rectify", "note": "x"})
        self.assertEqual((direct.status, direct.err()["code"]), (409, "failed_precondition"))
        self.assertIn(str(h["case"]), direct.err()["message"])
        yj, op = S.as_("yj"), S.as_("op_p")
        self.assertEqual(yj.act(h["case"], "accept").status, 200)
        self.assertEqual(yj.act(h["case"], "handle", result="已更换线路").status, 200)
        # 复查 fails: back to the department, the hazard stays open
        self.assertEqual(op.act(h["case"], "verify_fail", reason="仍有裸露线头").status, 200)
        self.assertEqual(S.as_("wg1").get("/api/v1/hazards/%d" % h["id"]).json["status"], "open")
        self.assertEqual(yj.act(h["case"], "accept").status, 200)
        self.assertEqual(yj.act(h["case"], "handle", result="全部更换完毕").status, 200)
        self.assertEqual(op.act(h["case"], "verify_pass").status, 200)
        done = S.as_("wg1").get("/api/v1/hazards/%d" % h["id"])
        self.assertEqual((done.json["status"], done.json["light"], done.json["case_status"]),
                         ("rectified", "none", "closed"))
        self.assertIsNotNone(done.json["rectified_at"])
        # the lists filter by severity and status
        majors = S.as_("leader_p").get("/api/v1/hazards?severity=major&status=rectified&unit=44030300100102")
        self.assertIn(h["id"], [x["id"] for x in majors.json["items"]])
        opened = S.as_("leader_p").get("/api/v1/hazards?severity=major&status=open&unit=44030300100102")
        self.assertNotIn(h["id"], [x["id"] for x in opened.json["items"]])
        for q, field in [("status=done", "status"), ("severity=x", "severity"), ("light=blue", "light"),
                         ("colour=1", "colour"), ("source=x", "source")]:
            self.assertEqual(S.as_("leader_p").get("/api/v1/hazards?" + q).err().get("field"), field, q)


class DueAndFigures(unittest.TestCase):
    """A hand count over two grids and two ended months."""

    @classmethod
    def setUpClass(cls):
        cls.comp = O["44030300100103/component"]
        cls.river = [v for k, v in O.items() if k.startswith("44030300100103/") and k.endswith("section")]
        wg = "wg2"
        # grid 03's component: nothing in PREV, two in LAST (one makes PREV up, late)
        for d in (3, 20):
            r = checkin(wg, cls.comp, at=at(LAST, d))
            assert r.status == 201, r
        cls.late_flags = r.json["late"]
        # a general hazard found in LAST, still open; one rectified on the spot
        r = checkin(wg, cls.comp, at=at(LAST, 25), answers={"state": "破损"},
                    findings=[{"severity": "general", "type": "component", "description": "井盖破损"},
                              {"severity": "general", "description": "井盖松动", "on_spot": True}])
        assert r.status == 201, r
        cls.hazards = r.json["hazards"]

    def test_due_list_counts_by_hand(self):
        r = S.as_("wg2").get("/api/v1/patrols/due?unit=44030300100103&period=%s" % month(PREV))
        self.assertEqual(r.status, 200, r)
        items = {i["object"]: i for i in r.json["items"]}
        comp = items[self.comp["id"]]
        # PREV's slot was missed in PREV, then made up on the 20th of LAST
        self.assertEqual((comp["due"], comp["done"], comp["late"], comp["missed"], comp["status"]),
                         (1, 1, 1, 0, "late"))
        r = S.as_("wg2").get("/api/v1/patrols/due?unit=44030300100103&period=%s" % month(LAST))
        comp = {i["object"]: i for i in r.json["items"]}[self.comp["id"]]
        self.assertEqual((comp["due"], comp["on_time"], comp["late"], comp["status"]), (1, 1, 0, "done"))
        self.assertTrue(self.late_flags)  # the second check-in of LAST was answered late
        for q, field in [("period=2023H3", "period"), ("period=2023&from=2023-01-01", "period"),
                         ("from=2023-05-01&to=2023-04-01", "to"), ("kind=ship", "kind")]:
            self.assertEqual(S.as_("wg2").get("/api/v1/patrols/due?" + q).err().get("field"), field, q)
        self.assertEqual(S.as_("wg_far").get("/api/v1/patrols/due?unit=44030300100103").status, 403)

    def test_stats_equal_a_hand_count(self):
        q = "/api/v1/stats/patrols?unit=44030300100103&from=%s&to=%s" % (
            LAST.isoformat(), LAST_END.isoformat())
        r = S.as_("leader_p").get(q)
        self.assertEqual(r.status, 200, r)
        t = r.json["total"]
        # grid 03 holds the component and a river or forest section
        self.assertEqual(t["objects"], 1 + len(self.river))
        self.assertEqual(t["visits"], 3)        # the 3rd, 20th and 25th
        self.assertEqual(t["hazards"], 2)
        self.assertEqual(t["hazards_major"], 0)
        self.assertEqual(t["rectified"], 1)     # the on-the-spot one
        self.assertAlmostEqual(t["rectification_rate"], 0.5)
        self.assertEqual(t["cases"], 0)
        comp_due = 1
        self.assertGreaterEqual(t["due"], comp_due)
        self.assertEqual(t["done"], 1)          # only the component was patrolled
        self.assertAlmostEqual(t["coverage"], t["done"] / t["due"])
        self.assertIn("coverage", r.json["formulas"])
        self.assertEqual(r.json["period"]["from"], LAST.isoformat())
        # by kind: the component's group has the patrol and both hazards
        by = S.as_("leader_p").get(q + "&group_by=kind").json["groups"]
        comp = [g for g in by if g["key"] == "component"][0]
        self.assertEqual((comp["objects"], comp["due"], comp["done"], comp["visits"], comp["hazards"]),
                         (1, 1, 1, 3, 2))
        # by unit over the community: the grids are the groups and add up
        whole = S.as_("leader_p").get(
            "/api/v1/stats/patrols?unit=440303001001&group_by=unit&from=%s&to=%s" % (
                LAST.isoformat(), LAST_END.isoformat()))
        self.assertEqual(whole.status, 200, whole)
        g03 = [g for g in whole.json["groups"] if g["key"] == "44030300100103"][0]
        self.assertEqual((g03["visits"], g03["hazards"]), (3, 2))
        self.assertEqual(whole.json["total"]["due"], sum(g["due"] for g in whole.json["groups"]))
        # over the district the groups are its ten streets, not its departments
        district = S.as_("leader_p").get("/api/v1/stats/patrols?unit=440303&group_by=unit").json
        self.assertEqual([g["key"] for g in district["groups"]], ["440303%03d" % i for i in range(1, 11)])
        for q2, field in [("group_by=colour", "group_by"), ("from=2023-13-01", "from")]:
            self.assertEqual(S.as_("leader_p").get("/api/v1/stats/patrols?" + q2).err().get("field"), field)
        self.assertEqual(S.as_("pub_p").get("/api/v1/stats/patrols").status, 403)
        self.assertEqual(S.as_("wg_far").get("/api/v1/stats/patrols?unit=440303001").status, 403)


class SectionsAndHouseholds(unittest.TestCase):
    """A section counts as patrolled only when the track covers 60% of its
    line within 50 m; households are visited only when flagged."""

    def test_track_must_cover_the_section(self):
        river = [o for o in objects_of("44030300100303") if o["kind"] == "river_section"][0]
        self.assertEqual(len(river["line"]), 2)
        (lng0, lat), (lng1, _) = river["line"]
        step = (lng1 - lng0) / 10

        def track(d, upto):  # walk east along the line from its start to 'upto' of it
            return [[lng0 + i * step, lat + 0.0001, "%sT%02d:%02d:00+08:00" % (d, 9, i * 5)]
                    for i in range(int(upto * 10) + 1)]
        full_day, short_day = LAST.replace(day=8), LAST.replace(day=22)
        loc = {"lat": lat, "lng": (lng0 + lng1) / 2, "crs": "wgs84", "accuracy": 10}
        ok = {"floating": "无", "outfall": "无异常", "building": "无"}
        full = checkin("wg2", river, at=at(LAST, 8), location=loc, answers=ok,
                       track=track(full_day.isoformat(), 1.0))
        self.assertEqual(full.status, 201, full)
        self.assertGreater(full.json["section_covered"], 0.95)
        self.assertNotIn("track_short", full.json["flags"])
        # turned back after a third: kept and flagged, but it fills no slot
        short = checkin("wg2", river, at=at(LAST, 22), location=loc, answers=ok,
                        track=track(short_day.isoformat(), 0.3))
        self.assertEqual(short.status, 201, short)
        self.assertLess(short.json["section_covered"], 0.6)
        self.assertIn("track_short", short.json["flags"])
        self.assertFalse(short.json["late"])
        due = S.as_("wg2").get("/api/v1/patrols/due?unit=44030300100303&period=%s" % month(LAST))
        row = {i["object"]: i for i in due.json["items"]}[river["id"]]
        weeks = sum(1 for d in range(1, LAST_END.day + 1) if LAST.replace(day=d).weekday() == 6)
        self.assertEqual((row["due"], row["done"], row["missed"]), (weeks, 1, weeks - 1))
        st = S.as_("leader_p").get("/api/v1/stats/patrols?unit=44030300100303&from=%s&to=%s" % (
            LAST.isoformat(), LAST_END.isoformat())).json
        t = st["total"]
        self.assertEqual((t["visits"], t["section_patrols"], t["sections_covered"], t["done"]),
                         (2, 2, 1, 1))
        self.assertAlmostEqual(t["section_coverage_rate"], 0.5)
        self.assertIn("section_coverage_rate", st["formulas"])
        # ~1 km plus ~0.3 km walked
        self.assertAlmostEqual(t["track_km"], 1.3, delta=0.1)

    def test_line_only_on_sections_and_checked(self):
        admin = S.as_("admin")
        ent = O["44030300100101/enterprise"]
        river = [o for o in objects_of("44030300100303") if o["kind"] == "river_section"][0]
        r = S.request("PUT", "/api/v1/objects/%d" % ent["id"], body={"line": [[114, 22.5], [114.01, 22.5]]},
                      token=S.login("admin"))
        self.assertEqual((r.status, r.err().get("field")), (400, "line"), r)
        r = S.request("PUT", "/api/v1/objects/%d" % river["id"], body={"line": [[114, 22.5], [114, 95]]},
                      token=S.login("admin"))
        self.assertEqual((r.status, r.err().get("field")), (400, "line[1]"), r)
        # a good one replaces it, and other edits keep it
        line = [[river["line"][0][0], river["line"][0][1]], [river["line"][1][0], river["line"][1][1]]]
        r = S.request("PUT", "/api/v1/objects/%d" % river["id"], body={"name": river["name"]},
                      token=S.login("admin"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["line"], line)
        self.assertEqual(admin.get("/api/v1/objects/%d" % river["id"]).json["line"], line)

    def test_only_flagged_households_are_due(self):
        def household(grid):
            o = [o for o in objects_of(grid) if o["kind"] == "household"][0]
            due = S.as_("op_p").get("/api/v1/patrols/due?unit=%s&period=%s" % (grid, month(LAST)))
            self.assertEqual(due.status, 200, due)
            return o, {i["object"]: i for i in due.json["items"]}.get(o["id"])
        flagged, row = household("44030300100304")   # community 3: 重点监管户
        self.assertEqual(flagged["risk"], "yellow")
        self.assertEqual((row["due"], row["done"], row["missed"], row["status"]), (2, 0, 2, "missed"))
        plain, row = household("44030300100404")     # community 4: not flagged
        self.assertIsNone(plain["risk"])
        self.assertTrue(row is None or row["due"] == 0, row)


class Enterprise(unittest.TestCase):
    """企业自查: an enterprise account bound to its object."""

    @classmethod
    def setUpClass(cls):
        cls.ent = O["44030300100201/enterprise"]  # no other test patrols it
        cls.other = O["44030300100101/enterprise"]
        admin = S.as_("admin")
        for body, field in [({"role": "enterprise", "unit": "440303"}, "object"),
                            ({"role": "enterprise", "object": O["44030300100101/component"]["id"]}, "object"),
                            ({"role": "reporter", "unit": "440303001", "object": cls.ent["id"]}, "object")]:
            r = admin.post("/api/v1/users", dict(body, username="bad_ent", password=PASSWORD))
            assert (r.status, r.err().get("field")) == (400, field), (body, r)
        r = admin.post("/api/v1/users", {"username": "qiye", "password": PASSWORD, "role": "enterprise",
                                         "object": cls.ent["id"]})
        assert r.status == 201, r
        assert (r.json["unit"], r.json["object"]) == (cls.ent["grid"], cls.ent["id"]), r.json

    def test_self_check_counts_apart_from_government_patrols(self):
        q = S.as_("qiye")
        r = q.post("/api/v1/patrols", {"object": self.ent["id"], "client_id": "self-1", "answers": GOOD,
                                       "findings": [{"severity": "general", "type": "chemical",
                                                     "description": "危化品未分类存放"}]})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["self_check"])
        self.assertFalse(r.json["late"])
        h = r.json["hazards"][0]
        self.assertTrue(h["self_check"])
        # not another enterprise's
        other = q.post("/api/v1/patrols", {"object": self.other["id"], "client_id": "self-2", "answers": GOOD})
        self.assertEqual((other.status, other.err().get("field")), (404, "object"))
        # its own rows only
        mine = q.get("/api/v1/hazards").json["items"]
        self.assertEqual({x["object"] for x in mine}, {self.ent["id"]})
        self.assertEqual({p["object"] for p in q.get("/api/v1/patrols").json["items"]}, {self.ent["id"]})
        self.assertEqual(q.get("/api/v1/objects/%d" % self.ent["id"]).status, 200)
        self.assertEqual(q.get("/api/v1/objects/%d" % self.other["id"]).status, 404)
        self.assertEqual(q.get("/api/v1/objects").status, 403)
        self.assertEqual(q.get("/api/v1/patrols/due").status, 403)
        self.assertEqual(q.get("/api/v1/stats/patrols").status, 403)
        self.assertEqual(q.get("/api/v1/cases").json["items"], [])
        ok = q.post("/api/v1/hazards/%d/actions" % h["id"], {"action": "rectify", "note": "已分类存放"})
        self.assertEqual(ok.status, 200, ok)
        # the figures count it as a self-check, not as a patrol
        day = datetime.date.fromisoformat(r.json["at"][:10]).isoformat()
        st = S.as_("leader_p").get("/api/v1/stats/patrols?unit=%s&from=%s&to=%s" % (self.ent["grid"], day, day))
        t = st.json["total"]
        self.assertGreaterEqual(t["self_checks"], 1)
        self.assertGreaterEqual(t["self_check_hazards"], 1)
        due = S.as_("leader_p").get("/api/v1/patrols/due?unit=%s&from=%s&to=%s" % (self.ent["grid"], day, day))
        row = [i for i in due.json["items"] if i["object"] == self.ent["id"]][0]
        self.assertIsNone(row["last_patrol_at"])  # a self-check is not a government patrol
        # the enterprise account cannot be turned into another role
        upd = S.request("PUT", "/api/v1/users/qiye", token=S.login("admin"), body={"role": "reporter"})
        self.assertEqual((upd.status, upd.err().get("field")), (409, "role"), upd)


class Ledger(unittest.TestCase):
    """The check-in ledger (巡查台账): CSV and .xlsx, each user's own rows, export only."""

    def test_export_csv_and_xlsx(self):
        ent = O["44030300100201/enterprise"]
        r = checkin("wg1", ent, note="台账检查，含逗号,和引号\"", location={
            "lat": ent["location"]["lat"] + 0.01, "lng": ent["location"]["lng"], "crs": "wgs84", "accuracy": 9})
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        raw = S.as_("leader_p").get("/api/v1/ledgers/patrols.csv")
        self.assertEqual(raw.status, 200, raw)
        rows = list(csv.reader(io.StringIO(raw.raw.decode("utf-8-sig"))))
        head = rows[0]
        self.assertEqual(head[:4], ["巡查编号", "对象编号", "对象名称", "对象种类"])
        mine = [dict(zip(head, x)) for x in rows[1:] if x[0] == str(pid)]
        self.assertEqual(len(mine), 1, rows[:3])
        row = mine[0]
        self.assertEqual((row["对象名称"], row["对象种类"], row["巡查类型"], row["巡查人"], row["定位精度（米）"]),
                         (ent["name"], "企业/场所", "政府巡查", "wg1", "9"))
        self.assertIn("距对象较远", row["标记"])
        self.assertEqual(row["巡查情况"], "台账检查，含逗号,和引号\"")
        self.assertAlmostEqual(float(row["距对象（米）"]), 1112, delta=15)
        # every check-in the leader can list is in the ledger
        listed = S.as_("leader_p").get("/api/v1/patrols?limit=200").json["items"]
        self.assertEqual(len(rows) - 1, len(listed))
        # a grid worker of another street sees none of this street's
        far = list(csv.reader(io.StringIO(S.as_("wg_far").get("/api/v1/ledgers/patrols.csv").raw.decode("utf-8-sig"))))
        self.assertFalse([x for x in far[1:] if x[4].startswith("440303001")])
        # .xlsx: a workbook whose sheet holds the same row
        x = S.as_("leader_p").get("/api/v1/ledgers/patrols.xlsx")
        self.assertEqual(x.status, 200, x)
        book = harness.read_xlsx(x.raw)
        self.assertEqual(list(book), ["巡查记录"])
        sheet = book["巡查记录"]
        self.assertEqual(sheet[0], head)
        self.assertEqual(len(sheet), len(rows))
        xrow = dict(zip(head, [r for r in sheet if r[0] == str(pid)][0]))
        for col in ("对象名称", "对象种类", "巡查类型", "巡查人", "标记", "巡查情况"):
            self.assertEqual(xrow[col], row[col], col)
        for col in ("距对象（米）", "定位精度（米）"):
            self.assertAlmostEqual(float(xrow[col]), float(row[col]), places=0, msg=col)
        # export only; the public may not
        up = S.request("POST", "/api/v1/ledgers/patrols", raw=raw.raw, token=S.login("admin"),
                       headers={"Content-Type": "text/csv"})
        self.assertEqual((up.status, up.err().get("field")), (400, "kind"), up)
        self.assertEqual(S.as_("pub_p").get("/api/v1/ledgers/patrols.csv").status, 403)


class Config(unittest.TestCase):
    def test_config_read_replace_and_validate(self):
        r = S.as_("wg1").get("/api/v1/patrol/config")
        self.assertEqual(r.status, 200, r)
        plans = {p["code"]: p for p in r.json["plans"]}
        self.assertEqual(plans["enterprise_red"]["per"], "month")
        self.assertEqual(plans["enterprise_blue"]["per"], "year")
        self.assertEqual(r.headers.get("X-Bihuan-Config"), "builtin")
        cfg = r.json
        bad = dict(cfg, plans=cfg["plans"] + [{"code": "x", "name": "x", "kind": "enterprise", "per": "fortnight"}])
        put = S.request("PUT", "/api/v1/patrol/config", token=S.login("admin"), body=bad)
        self.assertEqual((put.status, put.err().get("field")), (400, "plans[%d].per" % len(cfg["plans"])))
        for user in ("op_p", "wg1"):
            self.assertEqual(S.request("PUT", "/api/v1/patrol/config", token=S.login(user), body=cfg).status, 403)
        # components weekly instead of monthly: in force at once
        new = dict(cfg, plans=[dict(p, per="week") if p["code"] == "component_month" else p for p in cfg["plans"]])
        put = S.request("PUT", "/api/v1/patrol/config", token=S.login("admin"), body=new)
        self.assertEqual(put.status, 204, put)
        got = S.as_("wg1").get("/api/v1/patrol/config")
        self.assertEqual(got.headers.get("X-Bihuan-Config"), "imported")
        due = S.as_("wg1").get("/api/v1/patrols/due?unit=44030300100104&period=%s" % month(LAST))
        comp = [i for i in due.json["items"] if i["kind"] == "component"][0]
        self.assertGreaterEqual(comp["due"], 4)
        put = S.request("PUT", "/api/v1/patrol/config", token=S.login("admin"), body=cfg)
        self.assertEqual(put.status, 204)
        due = S.as_("wg1").get("/api/v1/patrols/due?unit=44030300100104&period=%s" % month(LAST))
        comp = [i for i in due.json["items"] if i["kind"] == "component"][0]
        self.assertEqual(comp["due"], 1)

    def test_running_server_takes_a_cli_import(self):
        # runs after test_config_read_replace_and_validate (by name), which
        # first sees the shipped configuration
        url = "/api/v1/patrols/due?unit=44030300100104&period=%s" % month(LAST)
        comp_due = lambda: [i for i in S.as_("wg1").get(url).json["items"] if i["kind"] == "component"][0]["due"]
        cfg = S.as_("wg1").get("/api/v1/patrol/config").json
        self.assertEqual(comp_due(), 1)
        weekly = dict(cfg, plans=[dict(p, per="week") if p["code"] == "component_month" else p
                                  for p in cfg["plans"]])
        path = os.path.join(S.dir, "weekly.json")
        for doc, want in ((weekly, lambda n: n >= 4), (cfg, lambda n: n == 1)):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            S.run("patrol", "config-import", "--db", S.db, path)
            # the server's sweeper (every 0.2 s here) picks it up; bounded wait
            deadline = time.time() + 10
            while not want(comp_due()) and time.time() < deadline:
                time.sleep(0.1)
            self.assertTrue(want(comp_due()), comp_due())


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
