#!/usr/bin/env python3
"""Black-box tests of the case-loop HTTP API (DESIGN.md §6) against a real
`bihuan serve` process on a random loopback port.

Usage: test_api.py PATH/TO/bihuan
"""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Server, wait_for  # noqa: E402

BIHUAN = None
S = None  # the shared server: demo units and users, no demo cases

GRID = "44030300100101"          # 黄贝街道, first community, first grid
STREET = "440303001"
OTHER_GRID = "44030300200101"    # 翠竹街道

# One category per case kind, and the unit + handler it is dispatched to.
KINDS = {
    "city_event": ("E0501", "440303-CG", "cg"),
    "city_component": ("C0101", "440303-SW", "sw"),
    "hotline": ("H02", "440303-CG", "cg"),
    "petition": ("P01", "440303-XF", "xf"),
    "hazard": ("S02", "440303-YJGL", "yjgl"),
    "dispute": ("D01", STREET, "hb_jd"),
    "env_complaint": ("V01", "440303-STHJ", "sthj"),
    "rating_rectify": ("R01", "440303-ZWFW", "zwfw"),
}


def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=0)
    S.start()


def tearDownModule():
    rc = S.stop()
    assert rc == 0, "serve exited %d on SIGTERM" % rc


def new_case(client, **over):
    body = {"category": "E0501", "title": "测试占道经营", "description": "网格员上报井盖破损，占道经营",
            "unit": GRID, "location": {"lat": 22.548, "lng": 114.137, "address": "深南东路1号"}}
    body.update(over)
    return client.post("/api/v1/cases", body)


class HealthAndMetrics(unittest.TestCase):
    def test_healthz(self):
        r = S.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "ok"})

    def test_metrics(self):
        S.request("GET", "/healthz")
        self.assertEqual(S.request("GET", "/metrics").status, 401)
        self.assertEqual(S.request("GET", "/metrics", token=S.login("zhzx01")).status, 403)
        r = S.request("GET", "/metrics", token=S.login("admin"))
        self.assertEqual(r.status, 200)
        text = r.raw.decode()
        self.assertIn('bihuan_http_requests_total{method="GET",route="/healthz",code="2xx"}', text)
        self.assertIn('bihuan_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}', text)
        self.assertIn("bihuan_cases{status=", text)

    def test_unknown_path_and_method(self):
        r = S.request("GET", "/api/v1/nothing")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.err()["code"], "not_found")
        r = S.request("PUT", "/api/v1/cases")
        self.assertEqual(r.status, 405)


class Session(unittest.TestCase):
    def test_login_ok(self):
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["token"].startswith("bh_"))
        self.assertEqual(r.json["user"]["role"], "operator")
        self.assertTrue(r.json["expires_at"].endswith("+08:00"))

    def test_login_errors(self):
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": "wrong-password"})
        self.assertEqual((r.status, r.err()["code"]), (401, "unauthenticated"))
        r = S.request("POST", "/api/v1/session", {"username": "nobody", "password": "x" * 10})
        self.assertEqual(r.status, 401)
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01"})
        self.assertEqual((r.status, r.err()["field"]), (400, "password"))
        r = S.request("POST", "/api/v1/session", raw=b"{not json")
        self.assertEqual((r.status, r.err()["field"]), (400, "body"))
        r = S.request("POST", "/api/v1/session", {"username": "zhzx01", "password": PASSWORD, "otp": 1})
        self.assertEqual((r.status, r.err()["field"]), (400, "otp"))

    def test_throttling(self):
        for _ in range(5):
            r = S.request("POST", "/api/v1/session", {"username": "jt", "password": "wrong-wrong"})
            self.assertEqual(r.status, 401)
        r = S.request("POST", "/api/v1/session", {"username": "jt", "password": PASSWORD})
        self.assertEqual((r.status, r.err()["code"]), (429, "rate_limited"))
        self.assertIn("秒后再试", r.err()["message"])
        # Another account from the same address is not locked by it.
        r = S.request("POST", "/api/v1/session", {"username": "sthj", "password": PASSWORD})
        self.assertEqual(r.status, 201)

    def test_token_required_and_logout(self):
        r = S.request("GET", "/api/v1/cases")
        self.assertEqual(r.status, 401)
        self.assertIn("Bearer", r.headers.get("WWW-Authenticate", ""))
        r = S.request("GET", "/api/v1/cases", token="bh_forged")
        self.assertEqual(r.status, 401)
        t = S.request("POST", "/api/v1/session", {"username": "leader", "password": PASSWORD}).json["token"]
        self.assertEqual(S.request("GET", "/api/v1/categories", token=t).status, 200)
        self.assertEqual(S.request("DELETE", "/api/v1/session", token=t).status, 204)
        self.assertEqual(S.request("GET", "/api/v1/categories", token=t).status, 401)


class Categories(unittest.TestCase):
    def test_list(self):
        r = S.as_("zhzx01").get("/api/v1/categories")
        self.assertEqual(r.status, 200)
        v01 = [c for c in r.json["items"] if c["code"] == "V01"][0]
        self.assertEqual(v01["kind"], "env_complaint")
        close = [c for c in v01["policy"]["clocks"] if c["name"] == "close"][0]
        self.assertEqual((close["limit"], close["red"], close["basis"]), (7, 5, "working_days"))


class CreateErrors(unittest.TestCase):
    def setUp(self):
        self.c = S.as_("wgy_hb")

    def expect(self, r, status, field, code=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.err().get("field"), field, r)
        if code:
            self.assertEqual(r.err()["code"], code)
        self.assertTrue(r.err()["message"])

    def test_bad_json(self):
        self.expect(self.c.post("/api/v1/cases", raw=b'{"title": }'), 400, "body", "invalid_argument")
        self.expect(self.c.post("/api/v1/cases", raw=b'[1,2]'), 400, "body")
        self.expect(self.c.post("/api/v1/cases", raw=b''), 400, "body")
        self.expect(self.c.post("/api/v1/cases", raw=b'{"a":1,"a":2}'), 400, "body")

    def test_wrong_types(self):
        self.expect(new_case(self.c, title=5), 400, "title")
        self.expect(new_case(self.c, location={"lat": "north", "lng": 1}), 400, "location.lat")
        self.expect(new_case(self.c, location=[1, 2]), 400, "location")
        self.expect(new_case(self.c, reporter="张三"), 400, "reporter")

    def test_missing_and_unknown_fields(self):
        body = {"title": "t", "description": "d", "unit": GRID}
        self.expect(self.c.post("/api/v1/cases", body), 400, "category")
        self.expect(new_case(self.c, colour="red"), 400, "colour")
        self.expect(new_case(self.c, location={"lat": 1, "lng": 2, "alt": 3}), 400, "location.alt")
        self.expect(new_case(self.c, location={"lat": 22.5}), 400, "location.lng")
        self.expect(new_case(self.c, title="长" * 67), 400, "title")  # 201 bytes

    def test_title_is_derived_when_absent(self):
        body = {"category": "E0501", "description": "早市摊位占用人行道。每天早上六点开始", "unit": GRID}
        r = self.c.post("/api/v1/cases", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["title"], "占道经营：早市摊位占用人行道")
        # with an address: category and address
        r = self.c.post("/api/v1/cases", dict(body, location={"lat": 22.548, "lng": 114.137, "address": "深南东路1号"}))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["title"], "占道经营：深南东路1号")
        # an empty title is no title; a long first sentence is cut, and says so
        r = self.c.post("/api/v1/cases", dict(body, title="", description="小区东门外的早市摊位每天都把人行道占满了，行人只能走机动车道"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["title"], "占道经营：小区东门外的早市摊位每天都把人行道占满了…")

    def test_bad_values(self):
        self.expect(new_case(self.c, category="Z99"), 400, "category")
        self.expect(new_case(self.c, unit="44030300199999"), 400, "unit")
        self.expect(new_case(self.c, source="telepathy"), 400, "source")
        self.expect(new_case(self.c, urgency="panic"), 400, "urgency")
        self.expect(new_case(self.c, location={"lat": 91, "lng": 1}), 400, "location.lat")
        self.expect(new_case(self.c, unit=OTHER_GRID), 403, "unit", "permission_denied")

    def test_oversized_body(self):
        big = json.dumps({"category": "E0501", "title": "x", "description": "井" * 700000,
                          "unit": GRID}).encode()
        self.assertGreater(len(big), 1 << 20)
        r = self.c.post("/api/v1/cases", raw=big)
        self.expect(r, 413, "body", "payload_too_large")

    def test_bad_query_strings(self):
        c = S.as_("zhzx01")
        self.expect(c.get("/api/v1/cases?q=%E4%B"), 400, "query")
        self.expect(c.get("/api/v1/cases?q=%FF%FE"), 400, "q")
        self.expect(c.get("/api/v1/cases?colour=red"), 400, "colour")
        self.expect(c.get("/api/v1/cases?status=lost"), 400, "status")
        self.expect(c.get("/api/v1/cases?light=purple"), 400, "light")
        self.expect(c.get("/api/v1/cases?limit=0"), 400, "limit")
        self.expect(c.get("/api/v1/cases?from=yesterday"), 400, "from")
        self.expect(c.get("/api/v1/cases?cursor=garbage"), 400, "cursor")
        self.expect(c.get("/api/v1/cases?sort=relevance"), 400, "sort")
        self.expect(c.get("/api/v1/cases?q=%20%21"), 400, "q")
        self.assertEqual(c.get("/api/v1/cases/abc").status, 404)
        self.assertEqual(c.get("/api/v1/cases/999999999").status, 404)


class Lifecycle(unittest.TestCase):
    def walk(self, kind):
        code, unit, handler = KINDS[kind]
        rep, op, h = S.as_("wgy_hb"), S.as_("zhzx01"), S.as_(handler)
        r = new_case(rep, category=code, title="%s 全流程" % kind)
        self.assertEqual(r.status, 201, r)
        case = r.json
        cid = case["id"]
        self.assertEqual(case["kind"], kind)
        self.assertEqual(case["status"], "reported")
        self.assertTrue(r.headers["Location"].endswith("/%d" % cid))
        self.assertTrue(all(c["deadline"] is None or c["deadline"].endswith("+08:00") for c in case["clocks"]))
        steps = [(op, "register", {}, "registered"),
                 (op, "dispatch", {"to_unit": unit}, "dispatched"),
                 (h, "accept", {}, "accepted"),
                 (h, "handle", {"result": "已处置完毕"}, "handled"),
                 (rep, "verify_pass", {}, "closed"),
                 (op, "rate", {"rating": 5}, "closed")]
        version = case["version"]
        for who, action, fields, status in steps:
            r = who.act(cid, action, version=version, **fields)
            self.assertEqual(r.status, 200, (action, r))
            self.assertEqual(r.json["status"], status, action)
            self.assertEqual(r.json["version"], version + 1)
            version = r.json["version"]
        full = op.get("/api/v1/cases/%d" % cid).json
        self.assertEqual([e["action"] for e in full["history"]],
                         ["report", "register", "dispatch", "accept", "handle", "verify_pass", "rate"])
        self.assertEqual(full["handling_unit"], unit)
        self.assertEqual(full["rating"], 5)
        # an operator may also open a category Open311 offers to anonymous reads
        public = code in [x["service_code"] for x in S.request("GET", "/open311/v2/services.json").json]
        self.assertEqual(full["allowed_actions"], [{"action": "rate", "label": "评价"},
                                                   {"action": "reopen", "label": "重新打开"}]
                         + ([{"action": "publish", "label": "公开"}] if public else []))
        for c in full["clocks"]:
            self.assertIn(c["state"], ("stopped", "not_started"), c)
        return full

    def test_every_kind(self):
        for kind in KINDS:
            with self.subTest(kind=kind):
                self.walk(kind)

    def test_rework_return_suspend_extend(self):
        rep, op, cg, leader = S.as_("wgy_hb"), S.as_("zhzx01"), S.as_("cg"), S.as_("leader")
        cid = new_case(rep).json["id"]
        op.act(cid, "register")
        op.act(cid, "dispatch", to_unit="440303-CG")
        r = cg.act(cid, "return", reason="不属于本单位职责")
        self.assertEqual(r.json["status"], "registered")
        self.assertIsNone(r.json["handling_unit"])
        op.act(cid, "dispatch", to_unit="440303-CG")
        cg.act(cid, "accept")
        r = leader.act(cid, "extend", clock="handle", amount=2, reason="需协调")
        self.assertEqual(r.status, 200, r)
        handle = [c for c in r.json["clocks"] if c["name"] == "handle"][0]
        self.assertEqual((handle["limit"], handle["extension"]), (5, 2))
        r = leader.act(cid, "extend", clock="handle", amount=4, reason="再延")
        self.assertEqual((r.status, r.err()["field"]), (409, "amount"))
        r = leader.act(cid, "extend", clock="nosuch", amount=1, reason="x")
        self.assertEqual((r.status, r.err()["field"]), (400, "clock"))
        r = op.act(cid, "suspend", reason="等待产权单位确认")
        self.assertEqual(r.json["status"], "suspended")
        self.assertTrue(all(c["state"] in ("paused", "stopped", "not_started") for c in r.json["clocks"]))
        r = op.act(cid, "resume")
        self.assertEqual(r.json["status"], "accepted")
        cg.act(cid, "handle", result="已清理")
        r = rep.act(cid, "verify_fail", reason="仍有摊位")
        self.assertEqual((r.json["status"], r.json["rework_count"]), ("dispatched", 1))
        handle = [c for c in r.json["clocks"] if c["name"] == "handle"][0]
        self.assertEqual((handle["state"], handle["extension"]), ("running", 0))
        r = leader.act(cid, "supervise", level=2, note="请加快处置")
        self.assertEqual((r.json["supervised"], r.json["supervise_level"]), (True, 2))

    def test_reject_and_merge(self):
        rep, op = S.as_("wgy_hb"), S.as_("zhzx01")
        first = new_case(rep).json
        dup = new_case(rep).json["id"]
        r = op.act(dup, "merge", into=first["number"])
        self.assertEqual(r.json["status"], "rejected")
        other = new_case(rep).json["id"]
        self.assertEqual(op.act(other, "merge", into="nope").err()["field"], "into")
        r = op.act(other, "reject", reason="不属于受理范围")
        self.assertEqual(r.json["status"], "rejected")
        self.assertTrue(all(c["state"] != "running" for c in r.json["clocks"]))

    def test_action_errors(self):
        rep, op, cg, sw = S.as_("wgy_hb"), S.as_("zhzx01"), S.as_("cg"), S.as_("sw")
        cid = new_case(rep).json["id"]
        r = op.act(cid, "accept")
        self.assertEqual((r.status, r.err()["code"]), (409, "failed_precondition"))
        self.assertIn("已上报", r.err()["message"])
        self.assertIn("立案(register)", r.err()["message"])
        r = rep.act(cid, "register")
        self.assertEqual((r.status, r.err()["code"]), (403, "permission_denied"))
        op.act(cid, "register")
        r = op.act(cid, "dispatch")
        self.assertEqual((r.status, r.err()["field"]), (400, "to_unit"))
        r = op.act(cid, "dispatch", to_unit="440303-NOPE")
        self.assertEqual((r.status, r.err()["field"]), (400, "to_unit"))
        op.act(cid, "dispatch", to_unit="440303-CG")
        r = sw.act(cid, "accept")  # another department cannot even see it
        self.assertEqual(r.status, 404)
        r = cg.act(cid, "accept", reason=7)
        self.assertEqual((r.status, r.err()["field"]), (400, "reason"))
        r = cg.act(cid, "teleport")
        self.assertEqual((r.status, r.err()["field"]), (400, "action"))
        r = cg.post("/api/v1/cases/%d/actions" % cid, {"reason": "x"})
        self.assertEqual((r.status, r.err()["field"]), (400, "action"))
        r = cg.act(cid, "accept", extra=1)
        self.assertEqual((r.status, r.err()["field"]), (400, "extra"))

    def test_stale_version(self):
        rep, op = S.as_("wgy_hb"), S.as_("zhzx01")
        case = new_case(rep).json
        cid, v = case["id"], case["version"]
        self.assertEqual(op.act(cid, "register", headers={"If-Match": '"%d"' % v}).status, 200)
        r = op.act(cid, "dispatch", to_unit="440303-CG", headers={"If-Match": '"%d"' % v})
        self.assertEqual((r.status, r.err()["code"], r.err()["field"]), (409, "conflict", "version"))
        r = op.act(cid, "dispatch", to_unit="440303-CG", version=v)
        self.assertEqual(r.status, 409)
        r = op.act(cid, "dispatch", to_unit="440303-CG", headers={"If-Match": "banana"})
        self.assertEqual((r.status, r.err()["field"]), (400, "If-Match"))
        r = op.act(cid, "dispatch", to_unit="440303-CG", version=v + 1)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["ETag"], '"%d"' % (v + 2))


class Idempotency(unittest.TestCase):
    def test_idempotency_key(self):
        rep = S.as_("wgy_hb")
        h = {"Idempotency-Key": "retry-%f" % time.time()}
        body = {"category": "E0502", "title": "流动摊贩", "description": "重试测试", "unit": GRID}
        a = rep.post("/api/v1/cases", body, headers=h)
        b = rep.post("/api/v1/cases", body, headers=h)
        self.assertEqual((a.status, b.status), (201, 200))
        self.assertEqual(a.json["id"], b.json["id"])
        self.assertEqual(b.headers.get("Idempotent-Replayed"), "true")
        c = rep.post("/api/v1/cases", body)
        self.assertNotEqual(c.json["id"], a.json["id"])

    def test_prefer_return_minimal(self):
        # RFC 7240: a short 201 for high-volume intake, the full case otherwise;
        # a replay under the same key answers as short, and the case is whole
        rep = S.as_("wgy_hb")
        body = {"category": "E0502", "title": "流动摊贩", "description": "简短答复", "unit": GRID}
        h = {"Idempotency-Key": "minimal-%f" % time.time(), "Prefer": 'respond-async, RETURN = "minimal"'}
        a = rep.post("/api/v1/cases", body, headers=h)
        self.assertEqual(a.status, 201)
        self.assertEqual(a.headers.get("Preference-Applied"), "return=minimal")
        self.assertEqual(set(a.json), {"id", "version", "status", "light"})
        self.assertEqual(a.headers["Location"], "/api/v1/cases/%d" % a.json["id"])
        b = rep.post("/api/v1/cases", body, headers=h)
        self.assertEqual((b.status, b.json, b.headers.get("Idempotent-Replayed")), (200, a.json, "true"))
        full = rep.get("/api/v1/cases/%d" % a.json["id"]).json
        self.assertEqual((full["description"], full["status"], full["version"]),
                         ("简短答复", a.json["status"], a.json["version"]))
        # several fields are one list; the first "return" counts
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
        conn.putrequest("POST", "/api/v1/cases")
        for k, v in (("Authorization", "Bearer " + S.login("wgy_hb")), ("Content-Type", "application/json"),
                     ("Prefer", "handling=lenient"), ("Prefer", "return=minimal")):
            conn.putheader(k, v)
        raw = json.dumps(body).encode()
        conn.putheader("Content-Length", str(len(raw)))
        conn.endheaders(raw)
        c = conn.getresponse()
        self.assertEqual((c.status, c.getheader("Preference-Applied")), (201, "return=minimal"))
        self.assertEqual(set(json.loads(c.read())), {"id", "version", "status", "light"})
        conn.close()
        for other in ("return=representation", "return=minimalist", "return=representation, return=minimal",
                      'foo="a,return=minimal", return=representation', 'x="unterminated'):
            c = rep.post("/api/v1/cases", body, headers={"Prefer": other})
            self.assertEqual(c.status, 201)
            self.assertIsNone(c.headers.get("Preference-Applied"))
            self.assertIn("history", c.json)

    def test_external_id(self):
        op = S.as_("zhzx01")
        ext = "12345-%d" % int(time.time() * 1000)
        a = new_case(op, source="hotline", category="H02", external_id=ext)
        b = new_case(op, source="hotline", category="H02", external_id=ext)
        self.assertEqual((a.status, b.status), (201, 200))
        self.assertEqual(a.json["id"], b.json["id"])
        c = new_case(op, source="citizen", category="H02", external_id=ext)
        self.assertNotEqual(c.json["id"], a.json["id"])


class Masking(unittest.TestCase):
    def test_phone_masked_for_handlers(self):
        op, cg = S.as_("zhzx01"), S.as_("cg")
        cid = new_case(op, source="hotline", reporter={"name": "张三丰", "phone": "13812341234"}).json["id"]
        op.act(cid, "register")
        op.act(cid, "dispatch", to_unit="440303-CG")
        full = op.get("/api/v1/cases/%d" % cid).json["reporter"]
        self.assertEqual((full["phone"], full["masked"]), ("13812341234", False))
        masked = cg.get("/api/v1/cases/%d" % cid).json["reporter"]
        self.assertEqual((masked["phone"], masked["name"], masked["masked"]), ("138****1234", "张**", True))


class Search(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rep = S.as_("wgy_hb")
        tag = "T%d" % int(time.time() * 1000)
        cls.tag = tag
        cls.ids = {}
        for key, desc in [("manhole", "网格员上报井盖破损，%s" % tag),
                          ("mixed", "ABC井盖丢失 %s" % tag),
                          ("stall", "早市占道经营 %s" % tag),
                          ("manhole2", "井盖 井盖 井盖 井盖 井盖 %s" % tag),
                          ("rare3", "鹊桥鹊桥鹊桥 附近路面破损 %s" % tag),
                          ("rare1", "鹊桥 附近路面破损严重 %s" % tag)]:
            cls.ids[key] = new_case(rep, title="检索测试", description=desc).json["id"]

    def find(self, q, extra=""):
        r = S.as_("zhzx01").get("/api/v1/cases?limit=200&q=%s%s" % (
            __import__("urllib.parse").parse.quote(q), extra))
        self.assertEqual(r.status, 200, r)
        return [c["id"] for c in r.json["items"]]

    def test_two_character_word(self):
        found = self.find("井盖 " + self.tag)
        self.assertIn(self.ids["manhole"], found)
        self.assertIn(self.ids["mixed"], found)
        self.assertNotIn(self.ids["stall"], found)

    def test_one_character_and_mixed(self):
        self.assertIn(self.ids["stall"], self.find("占 " + self.tag))
        self.assertEqual(set(self.find("abc井盖 " + self.tag)), {self.ids["mixed"]})
        self.assertEqual(set(self.find("占道经营 " + self.tag)), {self.ids["stall"]})
        self.assertEqual(self.find("井盖破损 占道 " + self.tag), [])

    def test_ranked(self):
        # A rare word (common words like 井盖 get almost no weight from BM25
        # once most cases contain them): more occurrences rank first.
        found = self.find("鹊桥 " + self.tag, "&sort=relevance")
        self.assertEqual(found, [self.ids["rare3"], self.ids["rare1"]])


class ListAndPaging(unittest.TestCase):
    def test_filters_and_cursor(self):
        rep, op = S.as_("wgy_hb"), S.as_("zhzx01")
        made = [new_case(rep, category="C0110", title="路灯不亮%d" % i).json["id"] for i in range(7)]
        seen, cursor = [], None
        while True:
            path = "/api/v1/cases?category=C0110&limit=3" + ("&cursor=" + cursor if cursor else "")
            r = op.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), 3)
            seen += [c["id"] for c in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, sorted(made, reverse=True))
        r = op.get("/api/v1/cases?category=C01&status=reported&source=grid&unit=%s&light=green&limit=200" % STREET)
        ids = [c["id"] for c in r.json["items"]]
        self.assertTrue(set(made) <= set(ids))
        self.assertTrue(all(c["category"].startswith("C01") and c["status"] == "reported"
                            for c in r.json["items"]))
        r = op.get("/api/v1/cases?unit=440303002&category=C0110")
        self.assertEqual(r.json["items"], [])
        r = op.get("/api/v1/cases?category=C0110&sort=created_at&limit=200")
        asc = [c["id"] for c in r.json["items"]]
        self.assertEqual(asc, sorted(asc))
        r = op.get("/api/v1/cases?category=C0110&from=2000-01-01&to=2000-12-31")
        self.assertEqual(r.json["items"], [])

    def test_fields_keep_pages_small(self):
        op = S.as_("zhzx01")
        new_case(S.as_("wgy_hb"), title="字段筛选")
        r = op.get("/api/v1/cases?fields=id,title,light&limit=5")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["items"])
        self.assertTrue(all(set(c) == {"id", "title", "light"} for c in r.json["items"]), r.json["items"][0])
        self.assertIn("next_cursor", r.json)
        full = op.get("/api/v1/cases?limit=5").json["items"]
        self.assertEqual([c["id"] for c in r.json["items"]], [c["id"] for c in full])
        self.assertLess(len(json.dumps(r.json)), len(json.dumps({"items": full})) / 4)
        r = op.get("/api/v1/cases?fields=id,colour&limit=5")
        self.assertEqual((r.status, r.err()["field"]), (400, "fields"))
        self.assertIn("colour", r.err()["message"])
        self.assertIn("title", r.err()["message"])  # the fields there are
        # the other lists take it too
        for path in ("/api/v1/units?fields=code,name", "/api/v1/objects?fields=id,code",
                     "/api/v1/hazards?fields=id,status", "/api/v1/patrols?fields=id",
                     "/api/v1/projects?fields=id,name&period=2023H1"):
            r = S.as_("admin" if "units" in path else "zhzx01").get(path)
            self.assertEqual(r.status, 200, (path, r))
            want = set(path.split("fields=")[1].split("&")[0].split(","))
            self.assertTrue(all(set(x) == want for x in r.json["items"]), (path, r.json["items"][:1]))
            if "hazards" not in path and "patrols" not in path:  # no patrols in this demo
                self.assertTrue(r.json["items"], path)
        # an endpoint that is not a list does not take it
        self.assertEqual(op.get("/api/v1/stats/cases?fields=id").status, 400)

    def test_jurisdiction_in_lists(self):
        rep = S.as_("wgy_hb")
        cid = new_case(rep, title="辖区测试").json["id"]
        others = [c["id"] for c in S.as_("wgy_cz").get("/api/v1/cases?limit=200").json["items"]]
        self.assertNotIn(cid, others)
        self.assertEqual(S.as_("wgy_cz").get("/api/v1/cases/%d" % cid).status, 404)
        mine = [c["id"] for c in S.as_("hb_leader").get("/api/v1/cases?limit=200").json["items"]]
        self.assertIn(cid, mine)


class Units(unittest.TestCase):
    def test_tree(self):
        u = S.as_("zhzx01").get("/api/v1/units/440303").json
        kids = {k["code"]: k for k in u["children"]}
        self.assertEqual(u["type"], "district")
        self.assertEqual(kids["440303001"]["name"], "黄贝街道")
        self.assertEqual(kids["440303-CG"]["type"], "department")
        g = S.as_("zhzx01").get("/api/v1/units/%s" % GRID).json
        self.assertEqual((g["type"], g["has_geometry"], g["children"]), ("grid", True, []))
        self.assertEqual(S.as_("zhzx01").get("/api/v1/units/999999").status, 404)

    def test_create_update_deactivate(self):
        admin = S.as_("admin")
        r = admin.post("/api/v1/units", {"code": "440303010011", "name": "新建社区", "type": "community",
                                         "parent": "440303010"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["parent"], "440303010")
        self.assertEqual(admin.post("/api/v1/units", {"code": "440303010011", "name": "重复", "type": "community",
                                                      "parent": "440303010"}).status, 409)
        bad = [({"code": "440303009012", "name": "x", "type": "community", "parent": "440303010"}, "code"),
               ({"code": "440303010012", "name": "x", "type": "community", "parent": "440303"}, "parent"),
               ({"code": "44030301001101", "name": "x", "type": "grid", "parent": "440303010011", "x": "1"}, "x"),
               ({"code": "4403030100110", "name": "x", "type": "grid", "parent": "440303010011"}, "code"),
               ({"code": "440303010011-x", "name": "x", "type": "department", "parent": "440303010011"}, "code"),
               ({"code": "440303010012", "name": "x", "type": "hamlet", "parent": "440303010"}, "type"),
               ({"code": "440303010012", "name": "", "type": "community", "parent": "440303010"}, "name")]
        for body, field in bad:
            r = admin.post("/api/v1/units", body)
            self.assertEqual((r.status, r.err().get("field")), (400, field), (body, r))
        self.assertEqual(S.as_("zhzx01").post("/api/v1/units", {"code": "440303010012", "name": "x",
                         "type": "community", "parent": "440303010"}).status, 403)
        self.assertEqual(admin.post("/api/v1/units", {"code": "44030301001101", "name": "新网格", "type": "grid",
                                                      "parent": "440303010011"}).status, 201)
        tok = S.login("admin")
        r = S.request("PUT", "/api/v1/units/44030301001101", {"name": "新网格（改名）"}, token=tok)
        self.assertEqual((r.status, r.json["name"], r.json["active"]), (200, "新网格（改名）", True))
        r = S.request("PUT", "/api/v1/units/44030301001101", {"active": False}, token=tok)
        self.assertEqual((r.status, r.json["active"], r.json["name"]), (200, False, "新网格（改名）"))
        self.assertEqual(S.request("PUT", "/api/v1/units/44030301001101", {"parent": "x"}, token=tok).status, 400)
        r = new_case(S.as_("zhzx01"), unit="44030301001101")
        self.assertEqual((r.status, r.err()["field"]), (400, "unit"))
        r = S.request("DELETE", "/api/v1/units/44030301001101", token=tok)
        self.assertEqual((r.status, r.err()["code"]), (409, "failed_precondition"))
        self.assertEqual(S.request("PUT", "/api/v1/units/44030399999999", {"name": "x"}, token=tok).status, 404)


class Users(unittest.TestCase):
    def test_admin_manages_users(self):
        admin, tok = S.as_("admin"), S.login("admin")
        r = admin.post("/api/v1/users", {"username": "newop", "password": "newop-pass-1", "role": "operator",
                                         "unit": "440303001", "display_name": "新受理员"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(admin.post("/api/v1/users", {"username": "newop", "password": "newop-pass-1",
                                                      "role": "operator", "unit": "440303"}).status, 409)
        self.assertEqual(admin.post("/api/v1/users", {"username": "x2", "password": "short", "role": "operator",
                                                      "unit": "440303"}).err()["field"], "password")
        self.assertEqual(admin.post("/api/v1/users", {"username": "x3", "password": "long-enough-1",
                                                      "role": "king", "unit": "440303"}).err()["field"], "role")
        self.assertEqual(admin.post("/api/v1/users", {"username": "x4", "password": "long-enough-1",
                                                      "role": "operator", "unit": "999999"}).err()["field"], "unit")
        listed = {u["username"]: u for u in admin.get("/api/v1/users").json["items"]}
        self.assertEqual(listed["newop"]["unit"], "440303001")
        self.assertNotIn("pwhash", json.dumps(listed["newop"]))
        self.assertEqual(S.as_("zhzx01").get("/api/v1/users").status, 403)
        t = S.request("POST", "/api/v1/session", {"username": "newop", "password": "newop-pass-1"}).json["token"]
        self.assertEqual(S.request("PUT", "/api/v1/users/newop", {"active": False}, token=tok).status, 204)
        self.assertEqual(S.request("GET", "/api/v1/cases", token=t).status, 401)  # sessions end
        self.assertEqual(S.request("POST", "/api/v1/session", {"username": "newop", "password": "newop-pass-1"}).status, 401)
        self.assertEqual(S.request("PUT", "/api/v1/users/newop", {"active": True, "password": "changed-pass-2"},
                                   token=tok).status, 204)
        self.assertEqual(S.request("POST", "/api/v1/session", {"username": "newop", "password": "changed-pass-2"}).status, 201)
        self.assertEqual(S.request("PUT", "/api/v1/users/nobody", {"active": True}, token=tok).status, 404)
        self.assertEqual(S.request("PUT", "/api/v1/users/newop", {"shoe": "x"}, token=tok).status, 400)


class Objects(unittest.TestCase):
    def test_crud_validation_and_jurisdiction(self):
        op = S.as_("zhzx01")
        r = op.post("/api/v1/objects", {"kind": "enterprise", "name": "华丽五金厂", "grid": GRID,
                                        "type": "production", "risk": "red", "address": "深南东路9号",
                                        "location": {"lat": 22.5325, "lng": 114.0804}})
        self.assertEqual(r.status, 201, r)
        ent = r.json
        self.assertEqual((ent["risk_label"], ent["type_label"]), ("重大风险（红）", "一般生产经营单位"))
        r = op.post("/api/v1/objects", {"kind": "component", "name": "上水井盖", "grid": GRID,
                                        "code": "4403030101900001"})
        self.assertEqual(r.status, 201, r)
        comp = r.json
        bad = [({"kind": "enterprise", "name": "x", "grid": GRID, "type": "production"}, "risk"),
               ({"kind": "enterprise", "name": "x", "grid": GRID, "type": "factory", "risk": "red"}, "type"),
               ({"kind": "enterprise", "name": "x", "grid": GRID, "type": "office", "risk": "pink"}, "risk"),
               ({"kind": "component", "name": "x", "grid": GRID, "code": "1101050101000001"}, "code"),
               ({"kind": "component", "name": "x", "grid": GRID, "code": "44030301"}, "code"),
               ({"kind": "component", "name": "x", "grid": GRID, "code": "4403030101900001"}, "code"),
               ({"kind": "river_section", "name": "x", "grid": STREET}, "grid"),
               ({"kind": "spaceship", "name": "x", "grid": GRID}, "kind"),
               ({"kind": "household", "name": "x", "grid": GRID, "colour": "red"}, "colour")]
        for body, field in bad:
            r = op.post("/api/v1/objects", body)
            self.assertEqual(r.err().get("field"), field, (body, r))
            self.assertIn(r.status, (400, 409), r)
        self.assertEqual(S.as_("wgy_hb").post("/api/v1/objects", {"kind": "household", "name": "x",
                                                                   "grid": GRID}).status, 403)
        # Update: risk lowered after rectification; kind cannot change.
        tok = S.login("zhzx01")
        r = S.request("PUT", "/api/v1/objects/%d" % ent["id"], {"risk": "yellow"}, token=tok)
        self.assertEqual((r.status, r.json["risk"], r.json["name"]), (200, "yellow", "华丽五金厂"))
        self.assertEqual(S.request("PUT", "/api/v1/objects/%d" % ent["id"], {"kind": "household"},
                                   token=tok).status, 400)
        # Lists: by kind and risk, in jurisdiction only.
        items = op.get("/api/v1/objects?kind=enterprise&risk=yellow").json["items"]
        self.assertIn(ent["id"], [o["id"] for o in items])
        # The grid holds the demo's component and ours, newest first.
        comps = op.get("/api/v1/objects?kind=component&grid=%s" % GRID).json["items"]
        self.assertEqual(comps[0]["id"], comp["id"])
        self.assertTrue(all(o["kind"] == "component" and o["grid"] == GRID for o in comps))
        self.assertEqual(len(comps), 2)
        self.assertIn(ent["id"], [o["id"] for o in S.as_("wgy_hb").get("/api/v1/objects").json["items"]])
        theirs = S.as_("wgy_cz").get("/api/v1/objects?limit=200").json["items"]
        self.assertTrue(theirs and all(o["grid"].startswith("440303002") for o in theirs))
        self.assertEqual(S.as_("wgy_cz").get("/api/v1/objects/%d" % ent["id"]).status, 404)
        self.assertEqual(op.get("/api/v1/objects?risk=purple").status, 400)
        p1 = op.get("/api/v1/objects?limit=1").json
        p2 = op.get("/api/v1/objects?limit=1&cursor=" + p1["next_cursor"]).json
        self.assertNotEqual(p1["items"][0]["id"], p2["items"][0]["id"])


class Calendar(unittest.TestCase):
    def test_year_and_deadline(self):
        c = S.as_("zhzx01")
        r = c.get("/api/v1/calendar/2025")
        self.assertEqual((r.json["workdays"], r.json["published"]), (248, True))
        r = c.get("/api/v1/calendar/deadline?start=2025-01-24&amount=5&basis=working_days")
        self.assertEqual(r.json["deadline"], "2025-02-07T23:59:59.999+08:00")
        r = c.get("/api/v1/calendar/deadline?start=2024-12-02&amount=60&basis=civil")
        self.assertEqual(r.json["deadline"], "2025-02-05T23:59:59.999+08:00")
        r = c.get("/api/v1/calendar/deadline?start=2025-03-03T17:00&amount=2&basis=working_hours")
        self.assertEqual(r.json["deadline"], "2025-03-04T10:00:00+08:00")
        r = c.get("/api/v1/calendar/deadline?start=2027-01-04&amount=1")
        self.assertFalse(r.json["schedule_published"])
        self.assertEqual(c.get("/api/v1/calendar/deadline?start=x&amount=1").err()["field"], "start")
        self.assertEqual(c.get("/api/v1/calendar/deadline?start=2025-01-01&amount=1&basis=lunar").err()["field"], "basis")
        self.assertEqual(c.get("/api/v1/calendar/20x5").status, 400)


class ConsoleSupport(unittest.TestCase):
    """What the web console relies on besides the case API."""

    def test_mine_lists_only_own_reports(self):
        wgy = S.as_("wgy_hb")
        mine = new_case(wgy).json["id"]
        other = new_case(S.as_("zhzx01"), unit="44030300100101").json["id"]
        ids = {c["id"] for c in wgy.get("/api/v1/cases?mine=true&limit=200").json["items"]}
        self.assertIn(mine, ids)
        self.assertNotIn(other, ids)
        self.assertTrue(all(c["created_by"] == "wgy_hb" for c in
                            wgy.get("/api/v1/cases?mine=true&limit=200").json["items"]))
        self.assertEqual(wgy.get("/api/v1/cases?mine=yes").status, 400)

    def test_open_and_supervised_filters(self):
        op = S.as_("zhzx01")
        c = new_case(op, unit="44030300100101").json
        r = op.act(c["id"], "supervise", level=2, note="重点督办")
        self.assertEqual(r.status, 200, r)
        sup = op.get("/api/v1/cases?supervised=true&limit=200").json["items"]
        self.assertIn(c["id"], {x["id"] for x in sup})
        self.assertTrue(all(x["supervised"] for x in sup))
        self.assertNotIn(new_case(op, unit="44030300100101").json["id"], {x["id"] for x in sup})
        rej = new_case(op, unit="44030300100101").json
        self.assertEqual(op.act(rej["id"], "reject", reason="重复").status, 200)
        opened = {x["id"] for x in op.get("/api/v1/cases?open=true&limit=200").json["items"]}
        self.assertIn(c["id"], opened)
        self.assertNotIn(rej["id"], opened)

    def test_list_rows_carry_remaining_like_the_detail(self):
        c = new_case(S.as_("zhzx01"), unit="44030300100101").json
        row = [r for r in S.as_("zhzx01").get("/api/v1/cases?limit=200").json["items"] if r["id"] == c["id"]][0]
        detail = {k["name"]: k for k in S.as_("zhzx01").get("/api/v1/cases/%d" % c["id"]).json["clocks"]}
        running = [k for k in row["clocks"] if k["stopped_at"] is None and k["deadline"]]
        self.assertTrue(running)
        for k in running:
            d = detail[k["name"]]
            self.assertEqual(k["remaining_label"], d["remaining_label"])
            self.assertEqual(k["label"], d["label"])
            self.assertAlmostEqual(k["remaining"], d["remaining"], delta=0.01 if d["unit"] != "days" else 0)
            # the time left as people say it, the same in the list and the detail
            self.assertRegex(k["remaining_text"],
                             r"^(剩余|超期) ?(\d+ 个工作日|不足 1 个工作日|\d+ 天|\d+ 小时( \d+ 分)?|\d+ 分)$")
            self.assertEqual(k["remaining_text"], d["remaining_text"])

    def test_console_files_and_config(self):
        r = S.request("GET", "/api/v1/console")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"crs": "wgs84", "tile_url": None, "tile_attribution": None})
        r = S.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.headers["Content-Type"])
        for bad in ("/../CMakeLists.txt", "/assets/%2e%2e/x.js", "/.env", "/index.html/.."):
            self.assertEqual(S.request("GET", bad).status, 404, bad)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
