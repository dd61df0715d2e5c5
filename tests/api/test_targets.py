#!/usr/bin/env python3
"""The target loop through its HTTP API (DESIGN.md §9, docs/API.md,
docs/TARGETS.md): the demo district's board at the end of its half-year
(2023-06-30) with every street's indicators, derived values equal to the
case and patrol figures, entered values worked through by hand (with a
"1-5月累计" entry), the June flags, entry errors with the field named,
corrections that keep their history, and who may do what.

Usage: test_targets.py PATH/TO/bihuan
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
S = None
BOARD = None
STREETS = ["440303%03d" % i for i in range(1, 11)]
INDICATORS = ["case_close_rate", "case_on_time_rate", "case_satisfaction", "patrol_coverage",
              "hazard_rectification", "fixed_investment", "safety_accidents", "waste_sorting"]


def setUpModule():
    global S, BOARD
    S = Server(BIHUAN)
    S.demo(cases=600, patrols=True)
    S.start()
    r = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=2023H1")
    assert r.status == 200, r
    BOARD = r.json


def tearDownModule():
    S.stop()


def row(unit, indicator, board=None):
    rows = [x for x in (board or BOARD)["rows"] if x["unit"] == unit and x["indicator"] == indicator]
    assert len(rows) == 1, (unit, indicator, rows)
    return rows[0]


def entered(unit, indicator, year, history=False):
    r = S.as_("admin").get("/api/v1/targets/actuals?unit=%s&year=%d&indicator=%s%s"
                           % (unit, year, indicator, "&history=true" if history else ""))
    assert r.status == 200, r
    return r.json["items"]


def ytd(items, upto):
    """Year to date of a sum indicator's entries, by hand: a cumulative
    entry replaces the months before it."""
    total = 0.0
    for x in sorted(items, key=lambda x: x["period"]):
        m = int(x["period"][5:])
        if m > upto:
            continue
        total = x["value"] if x["cumulative"] else total + x["value"]
    return total


class Board(unittest.TestCase):
    def test_every_street_every_indicator(self):
        self.assertEqual(BOARD["as_of"], "2023-06-30")
        self.assertEqual(BOARD["year"], 2023)
        for unit in STREETS:
            for ind in INDICATORS:
                x = row(unit, ind)
                for k in ("target", "actual", "completion", "time_progress", "gap", "yoy", "rank", "card"):
                    self.assertIn(k, x)
                self.assertIsNotNone(x["completion"], x)
                self.assertGreaterEqual(x["rank"], 1)
        # departments: the case indicators only
        depts = {x["unit"] for x in BOARD["rows"] if "-" in x["unit"]}
        self.assertEqual(len(depts), 10)
        for x in BOARD["rows"]:
            if "-" in x["unit"]:
                self.assertTrue(x["indicator"].startswith("case_"), x)

    def test_time_progress_and_gap(self):
        # 固定资产投资 counts by months: 6/12; a rate's target holds all year
        x = row("440303001", "fixed_investment")
        self.assertAlmostEqual(x["time_progress"], 0.5)
        self.assertAlmostEqual(x["gap"], x["completion"] - 0.5)
        self.assertIn("序时进度", x["gap_text"])
        y = row("440303001", "case_close_rate")
        self.assertAlmostEqual(y["time_progress"], 1.0)
        self.assertAlmostEqual(y["gap"], y["completion"] - 1.0)
        self.assertTrue(y["gap_text"] in ("达到目标",) or y["gap_text"].startswith("低于目标"), y)

    def test_ranks_with_ties_among_streets(self):
        for ind in INDICATORS:
            rows = sorted((row(u, ind) for u in STREETS), key=lambda x: -x["completion"])
            for i, x in enumerate(rows):
                # standard competition ranking: 1 + how many are strictly better
                better = sum(1 for y in rows if y["completion"] > x["completion"] + 1e-9)
                self.assertEqual(x["rank"], better + 1, (ind, x))

    def test_cards_follow_the_rules(self):
        for x in BOARD["rows"]:
            gap = x["gap"]
            want = "red" if gap < -0.2 else "yellow" if gap < -0.1 else "blue" if gap < -0.05 else None
            self.assertEqual(x["card"], want, x)
        # the demo has streets behind on investment and ahead of it
        cards = {row(u, "fixed_investment")["card"] for u in STREETS}
        self.assertTrue(cards & {"red", "yellow"}, cards)
        self.assertIn(None, cards)

    def test_unit_totals_ranked(self):
        streets = [u for u in BOARD["units"] if u["type"] == "street"]
        self.assertEqual(len(streets), 10)
        for u in streets:
            score = sum(x["score"] for x in BOARD["rows"] if x["unit"] == u["unit"])
            self.assertAlmostEqual(u["score"], score, places=6)
            self.assertEqual(u["rank"], 1 + sum(1 for v in streets if v["score"] > u["score"] + 1e-9))


class Cli(unittest.TestCase):
    """`bihuan target` and `bihuan project` print the API's figures."""

    def test_board(self):
        p = S.run("target", "board", "--db", S.db, "--unit", "440303", "--period", "2023H1")
        lines = [l.split("\t") for l in p.stdout.splitlines()]
        self.assertEqual(len(lines), len(BOARD["rows"]))
        self.assertIn("截至 2023-06-30", p.stderr)
        names = {i["code"]: i["name"] for i in BOARD["indicators"]}
        got = {(l[0], l[2]): l for l in lines}
        for x in BOARD["rows"]:
            l = got[(x["unit"], names[x["indicator"]])]
            self.assertEqual(len(l), 11, l)
            want = "-" if x["completion"] is None else "%.1f%%" % (x["completion"] * 100)
            self.assertEqual(l[5], want, l)
            self.assertEqual(l[7], x["gap_text"] or "-", l)
            self.assertEqual(l[8], x["yoy_text"], l)
            self.assertEqual(l[9], str(x["rank"]) if x["rank"] else "-", l)
            self.assertEqual(l[10], x["card"] or "-", l)

    def test_projects(self):
        api = S.as_("admin").get("/api/v1/projects?unit=440303&period=2023H1").json
        p = S.run("project", "list", "--db", S.db, "--unit", "440303", "--period", "2023H1")
        lines = {l.split("\t")[0]: l.split("\t") for l in p.stdout.splitlines()}
        self.assertEqual(len(lines), len(api["items"]))
        for x in api["items"]:
            l = lines[x["code"]]
            pc = "-" if x["plan_completion"] is None else "%.1f%%" % (x["plan_completion"] * 100)
            self.assertEqual([l[5], l[6], l[9]], [pc, x["light"], str(x["milestones_overdue"])], l)
        s = api["summary"]
        self.assertIn("重点项目 %d 个，已开工 %d 个、竣工 %d 个" % (s["projects"], s["started"], s["finished"]), p.stderr)
        self.assertIn("占年度计划 %.1f%%" % (s["plan_completion"] * 100), p.stderr)

    def test_flags_awarded_once(self):
        p = S.run("target", "flags", "--db", S.db, "--unit", "440303", "--month", "2022-12")
        lines = [l.split("\t") for l in p.stdout.splitlines()]
        api = S.as_("leader").get("/api/v1/targets/flags?unit=440303&year=2022").json["items"]
        self.assertEqual(sorted((l[0], l[1]) for l in lines), sorted((f["unit"], f["label"]) for f in api))
        self.assertGreaterEqual(len(lines), 6)  # 3 and 3, more with ties at the edges
        again = S.run("target", "flags", "--db", S.db, "--unit", "440303", "--month", "2022-12", check=False)
        self.assertEqual(again.returncode, 1)
        self.assertIn("不能重复评定", again.stderr)

    def test_usage_errors(self):
        for args, text in ((["board", "--db", S.db], "--unit"), (["board", "--db", S.db, "--unit", "440303",
                           "--period", "2023H3"], "期间"), (["flags", "--db", S.db, "--unit", "440303",
                           "--month", "2023-13"], "月份"), (["nosuch"], "未知子命令")):
            p = S.run("target", *args, check=False)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(text, p.stderr)
        self.assertIn("target board", S.run("target", "--help").stdout)


class Config(unittest.TestCase):
    """The indicators and rules are data: GET/PUT /api/v1/targets/config
    and `bihuan target config-export/config-import`; the original text is
    put back at the end so the other tests read the shipped rules."""

    def put(self, user, doc):
        raw = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
        return S.request("PUT", "/api/v1/targets/config", raw=raw, token=S.login(user),
                         headers={"Content-Type": "application/json"})

    def test_replace_validate_and_restore(self):
        got = S.as_("leader").get("/api/v1/targets/config")
        self.assertEqual(got.status, 200, got)
        before = got.headers.get("X-Bihuan-Config")  # builtin, or imported by the CLI test
        self.assertIn(before, ("builtin", "imported"))
        original = got.raw
        doc = json.loads(original)
        self.assertEqual([i["code"] for i in doc["indicators"]], INDICATORS)
        self.assertEqual(S.as_("citizen").get("/api/v1/targets/config").status, 403)
        # only the administrator replaces it
        for user in ("leader", "zhzx01", "hb_jd"):
            self.assertEqual(self.put(user, doc).status, 403, user)
        # a bad document is refused with the member named, nothing changed
        bad = json.loads(original)
        bad["indicators"][5]["direction"] = "sideways"
        r = self.put("admin", bad)
        self.assertEqual(r.status, 400, r)
        self.assertIn("indicators[5]", r.json["error"]["field"])
        self.assertEqual(S.as_("leader").get("/api/v1/targets/config").raw, original)
        self.assertEqual(self.put("admin", b"{not json").status, 400)
        try:
            # a new manual indicator and stricter cards: in force at once
            new = json.loads(original)
            new["indicators"].append({"code": "garbage_stations", "name": "新建垃圾分类投放点", "unit": "个",
                                      "direction": "higher", "aggregate": "sum", "basis": "months",
                                      "source": "manual", "weight": 5, "full_at": 1})
            new["cards"]["rules"] = [{"card": "red", "below_gap": -0.01}]
            self.assertEqual(self.put("admin", new).status, 204)
            inds = S.as_("hb_jd").get("/api/v1/targets/indicators").json["items"]
            self.assertEqual(inds[-1]["code"], "garbage_stations")
            r = S.as_("hb_jd").post("/api/v1/targets/actuals", {"unit": "440303001", "indicator": "garbage_stations",
                                                                "period": "2023-06", "value": 4})
            self.assertEqual(r.status, 201, r)
            board = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=2023H1").json
            for x in board["rows"]:
                want = "red" if x["gap"] is not None and x["gap"] < -0.01 else None
                self.assertEqual(x["card"], want, x)
            self.assertEqual(S.as_("leader").get("/api/v1/targets/config").headers.get("X-Bihuan-Config"),
                             "imported")
            audit = S.run("audit", "verify", "--db", S.db)
            self.assertEqual(audit.returncode, 0, audit.stderr)
        finally:
            self.assertEqual(self.put("admin", original).status, 204)
        again = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=2023H1").json
        self.assertEqual([x["card"] for x in again["rows"]], [x["card"] for x in BOARD["rows"]])

    def test_cli_import_reaches_the_running_server(self):
        p = S.run("target", "config-export", "--db", S.db, "-o", os.path.join(S.dir, "targets.json"))
        original = open(os.path.join(S.dir, "targets.json"), encoding="utf-8").read()
        doc = json.loads(original)
        doc["indicators"][0]["name"] = "案件结案率（新口径）"
        path = os.path.join(S.dir, "targets-new.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        bad = os.path.join(S.dir, "targets-bad.json")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(original.replace('"flags"', '"flagz"', 1))
        r = S.run("target", "config-import", "--db", S.db, bad, check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        try:
            S.run("target", "config-import", "--db", S.db, path)
            for _ in range(100):  # the server's sweep (0.2 s here) puts it in force
                names = [i["name"] for i in S.as_("leader").get("/api/v1/targets/indicators").json["items"]]
                if names[0] == "案件结案率（新口径）":
                    break
                time.sleep(0.1)
            self.assertEqual(names[0], "案件结案率（新口径）")
            out = S.run("target", "config-export", "--db", S.db)
            self.assertIn("新口径", out.stdout)
            self.assertIn("已导入", out.stderr)
        finally:
            self.assertEqual(self.put("admin", original.encode()).status, 204)


class Derived(unittest.TestCase):
    """Derived indicators read the very figures of the stats endpoints."""

    def test_case_figures(self):
        for unit in STREETS + ["440303-CG"]:
            st = S.as_("leader").get("/api/v1/stats/cases?unit=%s&from=2023-01-01&to=2023-06-30" % unit)
            self.assertEqual(st.status, 200, st)
            for ind, key in (("case_close_rate", "close_rate"), ("case_on_time_rate", "on_time_close_rate"),
                             ("case_satisfaction", "satisfaction_rate")):
                self.assertAlmostEqual(row(unit, ind)["actual"], st.json["total"][key], places=12,
                                       msg=(unit, ind))

    def test_patrol_figures(self):
        for unit in STREETS:
            st = S.as_("leader").get("/api/v1/stats/patrols?unit=%s&from=2023-01-01&to=2023-06-30" % unit)
            self.assertEqual(st.status, 200, st)
            self.assertAlmostEqual(row(unit, "patrol_coverage")["actual"], st.json["total"]["coverage"],
                                   places=12, msg=unit)
            self.assertAlmostEqual(row(unit, "hazard_rectification")["actual"],
                                   st.json["total"]["rectification_rate"], places=12, msg=unit)

    def test_base_from_before_live(self):
        # the demo went live on 2023-01-01: 2022's derived figures are the old
        # system's, entered month by month (numerator and denominator)
        for unit, ind in (("440303001", "case_close_rate"), ("440303004", "patrol_coverage"),
                          ("440303-CG", "case_satisfaction")):
            x = row(unit, ind)
            self.assertEqual((x["actual_source"], x["base_source"]), ("live", "entered"), x)
            items = [e for e in entered(unit, ind, 2022) if int(e["period"][5:]) <= 6]
            self.assertEqual(len(items), 6)
            base = sum(e["numerator"] for e in items) / sum(e["denominator"] for e in items)
            self.assertAlmostEqual(x["base"], base, places=12)
            self.assertAlmostEqual(x["yoy"], x["actual"] - base, places=12)  # a rate's 同比 in points
            word = "提高" if x["yoy"] > 0 else "降低"
            self.assertEqual(x["yoy_text"], "同比%s%.1f个百分点" % (word, abs(x["yoy"]) * 100), x)
        # an entered indicator is entered in both years
        self.assertEqual(row("440303001", "fixed_investment")["actual_source"], "entered")

    def test_history_only_before_live(self):
        body = {"unit": "440303006", "indicator": "case_close_rate", "period": "2022-12",
                "numerator": 95, "denominator": 100}
        r = S.as_("zhzx01").post("/api/v1/targets/actuals", body)
        self.assertEqual(r.status, 201, r)  # a correction of the old figures
        r = S.as_("zhzx01").post("/api/v1/targets/actuals", dict(body, period="2023-01"))
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "indicator"))
        # the live figure is never overridden: the board still reads the stats
        st = S.as_("leader").get("/api/v1/stats/cases?unit=440303006&from=2023-01-01&to=2023-06-30").json
        now = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=2023H1").json
        self.assertAlmostEqual(row("440303006", "case_close_rate", now)["actual"], st["total"]["close_rate"],
                               places=12)
        # and the corrected December is last year's base of a December board
        dec = S.as_("leader").get("/api/v1/targets/trend?unit=440303006&indicator=case_close_rate&year=2023").json
        old = [e for e in entered("440303006", "case_close_rate", 2022)]
        self.assertAlmostEqual(dec["months"][11]["base"], sum(e["numerator"] for e in old) /
                               sum(e["denominator"] for e in old), places=12)
        self.assertIn(95, [e["numerator"] for e in old if e["period"] == "2022-12"])


class Entered(unittest.TestCase):
    def test_investment_by_hand(self):
        for unit in ("440303002", "440303003"):  # 003 reports May as 1-5月累计
            x = row(unit, "fixed_investment")
            now, base = entered(unit, "fixed_investment", 2023), entered(unit, "fixed_investment", 2022)
            actual, last = ytd(now, 6), ytd(base, 6)
            self.assertAlmostEqual(x["actual"], actual, places=6)
            self.assertAlmostEqual(x["completion"], actual / x["target"], places=9)
            self.assertAlmostEqual(x["base"], last, places=6)
            self.assertAlmostEqual(x["yoy"], (actual - last) / last, places=9)
            word = "增长" if actual > last else "下降"
            self.assertEqual(x["yoy_text"], "同比%s%.1f%%" % (word, abs(actual - last) / last * 100))
        may = [e for e in entered("440303003", "fixed_investment", 2023) if e["period"] == "2023-05"]
        self.assertTrue(may[0]["cumulative"])

    def test_ratio_of_sums(self):
        x = row("440303004", "waste_sorting")
        items = entered("440303004", "waste_sorting", 2023)
        num = sum(e["numerator"] for e in items)
        den = sum(e["denominator"] for e in items)
        self.assertAlmostEqual(x["actual"], num / den, places=12)
        # a rate's 同比 is in points
        self.assertIn("个百分点", x["yoy_text"])

    def test_ceiling(self):
        x = row("440303005", "safety_accidents")
        n = sum(e["value"] for e in entered("440303005", "safety_accidents", 2023))
        self.assertAlmostEqual(x["actual"], n)
        self.assertAlmostEqual(x["completion"], 1.0 if n == 0 else x["target"] / n)

    def test_correction_keeps_history(self):
        hb = S.as_("hb_jd")  # 黄贝街道's own account
        body = {"unit": "440303001", "indicator": "fixed_investment", "period": "2023-07", "value": 1000}
        first = hb.post("/api/v1/targets/actuals", body)
        self.assertEqual(first.status, 201, first)
        self.assertEqual(first.json["entered_by"], "hb_jd")
        again = hb.post("/api/v1/targets/actuals", dict(body, value=1500, note="更正：漏报一项目"))
        self.assertEqual(again.status, 201, again)
        cur = [e for e in entered("440303001", "fixed_investment", 2023) if e["period"] == "2023-07"]
        self.assertEqual([e["value"] for e in cur], [1500])
        hist = [e for e in entered("440303001", "fixed_investment", 2023, history=True) if e["period"] == "2023-07"]
        self.assertEqual([e["value"] for e in hist], [1000, 1500])
        # the July board counts the corrected value; the half-year's does not
        jul = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=2023-07").json
        self.assertAlmostEqual(row("440303001", "fixed_investment", jul)["actual"],
                               row("440303001", "fixed_investment")["actual"] + 1500, places=6)

    def test_target_set_by_the_district(self):
        op = S.as_("zhzx01")
        r = op.post("/api/v1/targets", {"unit": "440303002", "indicator": "fixed_investment",
                                        "period": "2024", "value": 150000})
        self.assertEqual(r.status, 201, r)
        q = op.post("/api/v1/targets", {"unit": "440303002", "indicator": "fixed_investment",
                                        "period": "2024Q1", "value": 30000})
        self.assertEqual(q.status, 201, q)
        got = S.as_("leader").get("/api/v1/targets?unit=440303002&year=2024").json["items"]
        self.assertEqual(sorted((t["period"], t["value"]) for t in got), [("2024", 150000), ("2024Q1", 30000)])


class Trend(unittest.TestCase):
    """GET /api/v1/targets/trend: one unit's indicator month by month,
    year to date at each month's end, against the same span last year."""

    def trend(self, unit, indicator, who="leader"):
        r = S.as_(who).get("/api/v1/targets/trend?unit=%s&indicator=%s&year=2023" % (unit, indicator))
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_entered_month_by_month(self):
        t = self.trend("440303003", "fixed_investment")  # reports May as 1-5月累计
        now, base = entered("440303003", "fixed_investment", 2023), entered("440303003", "fixed_investment", 2022)
        months = {int(e["period"][5:]) for e in now}
        self.assertEqual([m["month"] for m in t["months"]], ["2023-%02d" % i for i in range(1, 13)])
        for i, m in enumerate(t["months"], 1):
            if i not in months:  # a month not entered has no year to date
                self.assertIsNone(m["actual"], m)
                continue
            self.assertAlmostEqual(m["actual"], ytd(now, i), places=6, msg=m)
            self.assertAlmostEqual(m["base"], ytd(base, i), places=6, msg=m)
            self.assertAlmostEqual(m["completion"], m["actual"] / t["target"], places=9)
            self.assertAlmostEqual(m["time_progress"], i / 12)
            self.assertTrue(m["yoy_text"].startswith("同比"), m)
        # the month alone (May is reported as 1-5月累计) and 环比 against the month before
        for i in range(2, 7):
            m, prev = t["months"][i - 1], t["months"][i - 2]
            self.assertAlmostEqual(m["value"], ytd(now, i) - ytd(now, i - 1), places=6, msg=m)
            self.assertAlmostEqual(m["mom"], m["value"] / prev["value"] - 1, places=9)
            word = "增长" if m["mom"] > 0 else "下降"
            self.assertEqual(m["mom_text"], "环比%s%.1f%%" % (word, abs(m["mom"]) * 100))
        self.assertEqual((t["months"][0]["mom"], t["months"][0]["mom_text"]), (None, "上期无数据"))
        # June's point is the half-year board's row
        x = row("440303003", "fixed_investment")
        june = t["months"][5]
        for k in ("actual", "base", "completion", "yoy", "card"):
            self.assertEqual(june[k] if k == "card" else round(june[k], 9),
                             x[k] if k == "card" else round(x[k], 9), k)

    def test_derived_equals_stats_each_month(self):
        t = self.trend("440303002", "case_close_rate")
        for i in (1, 3, 6):
            to = ["", "2023-01-31", "", "2023-03-31", "", "", "2023-06-30"][i]
            st = S.as_("leader").get("/api/v1/stats/cases?unit=440303002&from=2023-01-01&to=" + to).json
            self.assertAlmostEqual(t["months"][i - 1]["actual"], st["total"]["close_rate"], places=12)
            # 2022: the old system's figures, entered (the demo went live in 2023)
            old = [e for e in entered("440303002", "case_close_rate", 2022) if int(e["period"][5:]) <= i]
            base = sum(e["numerator"] for e in old) / sum(e["denominator"] for e in old)
            self.assertAlmostEqual(t["months"][i - 1]["base"], base, places=12)
            # the month alone is the stats of that month
            one = S.as_("leader").get("/api/v1/stats/cases?unit=440303002&from=%s-01&to=%s" % (to[:7], to)).json
            self.assertAlmostEqual(t["months"][i - 1]["value"], one["total"]["close_rate"], places=12)

    def test_errors_and_who(self):
        url = "/api/v1/targets/trend?unit=440303001&indicator=%s&year=2023"
        r = S.as_("leader").get(url % "nosuch")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "indicator"))
        r = S.as_("leader").get("/api/v1/targets/trend?unit=440303001&year=2023")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "indicator"))
        r = S.as_("leader").get(url.replace("2023", "2999") % "fixed_investment")
        self.assertEqual((r.status, r.json["error"]["field"]), (409, "year"))  # as the board's
        self.assertEqual(S.as_("citizen").get(url % "fixed_investment").status, 403)
        r = S.as_("hb_jd").get(url.replace("440303001", "440303002") % "fixed_investment")
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "unit"))
        self.assertEqual(S.as_("hb_jd").get(url % "fixed_investment").status, 200)


class Flags(unittest.TestCase):
    def test_june_flags(self):
        r = S.as_("leader").get("/api/v1/targets/flags?unit=440303&year=2023")
        self.assertEqual(r.status, 200, r)
        june = [f for f in r.json["items"] if f["month"] == "2023-06"]
        self.assertEqual({f["month"] for f in r.json["items"]}, {"2023-%02d" % m for m in range(1, 7)})
        self.assertFalse([f for f in june if "-" in f["unit"]], "departments are ranked, not flagged")
        red = [f for f in june if f["flag"] == "red"]
        yellow = [f for f in june if f["flag"] == "yellow"]
        self.assertGreaterEqual(len(red), 3)
        self.assertGreaterEqual(len(yellow), 3)
        self.assertTrue(all(f["rank"] <= 3 for f in red), red)
        self.assertTrue(all(f["label"] == "流动红旗" for f in red))
        # the June ranking shows the flags awarded on it
        rk = S.as_("leader").get("/api/v1/targets/ranking?unit=440303&period=2023-06")
        self.assertEqual(rk.status, 200, rk)
        flags = {u["unit"]: u["flag"] for u in rk.json["units"]}
        for f in june:
            self.assertEqual(flags[f["unit"]], f["flag"])
        ranks = sorted(u["rank"] for u in rk.json["units"] if u["type"] == "street")
        worst = [u["unit"] for u in rk.json["units"] if u["type"] == "street" and u["rank"] == ranks[-1]]
        self.assertTrue(all(flags[u] == "yellow" for u in worst))

    def test_awarded_once(self):
        r = S.as_("leader").post("/api/v1/targets/flags", {"unit": "440303", "month": "2023-06"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["field"], "month")
        future = S.as_("leader").post("/api/v1/targets/flags", {"unit": "440303", "month": "2099-01"})
        self.assertEqual(future.status, 409, future)  # failed_precondition: not ended yet
        self.assertEqual(future.json["error"]["code"], "failed_precondition")
        street = S.as_("hb_leader").post("/api/v1/targets/flags", {"unit": "440303", "month": "2023-05"})
        self.assertEqual(street.status, 403, street)


class Errors(unittest.TestCase):
    def bad(self, user, path, body, status, field):
        r = S.as_(user).post(path, body)
        self.assertEqual(r.status, status, (body, r))
        self.assertEqual(r.json["error"]["field"], field, (body, r.json))
        return r

    def test_actual_errors(self):
        p = "/api/v1/targets/actuals"
        ok = {"unit": "440303001", "indicator": "fixed_investment", "period": "2023-06", "value": 10}
        self.bad("hb_jd", p, dict(ok, period="2023-13"), 400, "period")
        self.bad("hb_jd", p, dict(ok, period="2023Q2"), 400, "period")
        self.bad("hb_jd", p, dict(ok, period="2099-01"), 400, "period")
        self.bad("hb_jd", p, dict(ok, value="很多"), 400, "value")
        self.bad("hb_jd", p, dict(ok, value=-5), 400, "value")
        self.bad("hb_jd", p, dict(ok, indicator="no_such"), 400, "indicator")
        r = self.bad("hb_jd", p, dict(ok, indicator="case_close_rate"), 400, "indicator")
        self.assertIn("只能填报 2023-01-01 以前的历史数据", r.json["error"]["message"])
        self.bad("hb_jd", p, dict(ok, indicator="waste_sorting"), 400, "numerator")
        self.bad("hb_jd", p, {"unit": "440303001", "indicator": "waste_sorting", "period": "2023-06",
                              "numerator": 5, "denominator": 0}, 400, "denominator")
        self.bad("hb_jd", p, {"unit": "440303001", "indicator": "waste_sorting", "period": "2023-06",
                              "numerator": 9, "denominator": 5}, 400, "numerator")
        self.bad("hb_jd", p, dict(ok, colour="red"), 400, "colour")
        self.bad("hb_jd", p, dict(ok, unit="440303999"), 400, "unit")
        # another street's figures are not hb's to enter
        r = self.bad("hb_jd", p, dict(ok, unit="440303002"), 403, "unit")
        self.assertIn("管辖范围", r.json["error"]["message"])

    def test_target_errors(self):
        p = "/api/v1/targets"
        ok = {"unit": "440303001", "indicator": "fixed_investment", "period": "2025", "value": 100}
        # a street does not set its own targets, nor another's
        self.bad("hb_leader", p, ok, 403, "unit")
        self.bad("hb_leader", p, dict(ok, unit="440303002"), 403, "unit")
        self.bad("hb_jd", p, ok, 403, "role")
        self.bad("leader", p, dict(ok, period="2025H1"), 400, "period")
        self.bad("leader", p, dict(ok, indicator="case_close_rate", value=98), 400, "value")
        self.bad("leader", p, dict(ok, indicator="case_close_rate", period="2025-03", value=0.98), 400, "period")
        self.bad("leader", p, {"unit": "440303001", "indicator": "fixed_investment", "period": "2025"},
                 400, "value")


class Access(unittest.TestCase):
    def test_who_reads_the_board(self):
        url = "/api/v1/targets/board?unit=440303&period=2023H1"
        self.assertEqual(S.as_("citizen").get(url).status, 403)
        self.assertEqual(S.as_("wgy_hb").get("/api/v1/targets/board?unit=440303&period=2023H1").status, 403)
        own = S.as_("hb_leader").get("/api/v1/targets/board?unit=440303001&period=2023H1")
        self.assertEqual(own.status, 200, own)
        self.assertEqual(own.json["rows"], [])  # its communities have no targets
        self.assertEqual(S.request("GET", url).status, 401)

    def test_reporters_do_not_enter(self):
        r = S.as_("wgy_hb").post("/api/v1/targets/actuals", {"unit": "440303001", "indicator": "fixed_investment",
                                                             "period": "2023-06", "value": 1})
        self.assertEqual(r.status, 403, r)

    def test_bad_period(self):
        for q, field in (("period=2023-13", "period"), ("from=2022-12-01&to=2023-01-31", "period")):
            r = S.as_("leader").get("/api/v1/targets/board?unit=440303&" + q)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json["error"]["field"], field)

    def test_indicators(self):
        r = S.as_("hb_jd").get("/api/v1/targets/indicators")
        self.assertEqual(r.status, 200)
        self.assertEqual([i["code"] for i in r.json["items"]], INDICATORS)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
