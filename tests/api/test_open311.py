#!/usr/bin/env python3
"""Open311 GeoReport v2 (/open311/v2/) in XML and JSON, API keys, grid
polygons and locating, against a real `bihuan serve`.

Usage: test_open311.py PATH/TO/bihuan
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
S = None
KEY = None
INSIDE = (22.5325, 114.0804)      # grid 44030300100101 of the demo map
OUTSIDE = (39.9, 116.4)           # Beijing: no grid here
GRID = "44030300100101"


CHECKED = {"xml": 0, "json": 0}


def wellformed(r, path):
    """Every answer under /open311/v2/ is well-formed in the URL's format:
    xmllint for XML, a JSON parser for JSON, and nothing else."""
    ctype = r.headers.get("Content-Type", "")
    want = "application/json" if path.split("?")[0].endswith(".json") else "text/xml"
    assert ctype.startswith(want), "%s answered %d as %r, not %s" % (path, r.status, ctype, want)
    if ctype.startswith("text/xml"):
        p = subprocess.run(["xmllint", "--noout", "-"], input=r.raw, capture_output=True)
        assert p.returncode == 0, "%s: xmllint: %s\n%r" % (path, p.stderr.decode(), r.raw[:300])
        CHECKED["xml"] += 1
    elif ctype.startswith("application/json"):
        json.loads(r.raw)
        CHECKED["json"] += 1
    else:
        raise AssertionError("%s answered %d with Content-Type %r" % (path, r.status, ctype))


def setUpModule():
    global S, KEY
    S = Server(BIHUAN)
    S.demo(cases=0)
    KEY = S.run("apikey", "add", "--db", S.db, "--name", "citizen-app", "--role", "public",
                "--unit", "440303").stdout.strip()
    S.start()
    request = S.request

    def checked(method, path, *a, **kw):
        r = request(method, path, *a, **kw)
        if path.startswith("/open311/"):
            wellformed(r, path)
        return r
    S.request = checked


def tearDownModule():
    assert S.stop() == 0
    # the suite did look at both formats, errors included
    assert CHECKED["xml"] >= 15 and CHECKED["json"] >= 15, CHECKED


def get(path, **kw):
    return S.request("GET", "/open311/v2/" + path, **kw)


def post(fmt, fields, **kw):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    return S.request("POST", "/open311/v2/requests." + fmt, raw=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw)


def xml(r):
    assert r.raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), r.raw[:80]
    return ET.fromstring(r.raw)


def new_request(**extra):
    fields = {"api_key": KEY, "service_code": "E0501", "lat": INSIDE[0], "long": INSIDE[1],
              "description": "早市摊位占用人行道"}
    fields.update(extra)
    r = post("json", fields)
    assert r.status == 200, r
    return r.json[0]["service_request_id"]


class Discovery(unittest.TestCase):
    def test_both_formats(self):
        j = get("discovery.json").json
        self.assertEqual(j["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2")
        self.assertIn("application/json", j["endpoints"][0]["formats"])
        x = xml(get("discovery.xml"))
        self.assertEqual(x.tag, "discovery")
        self.assertEqual([f.text for f in x.find("endpoints/endpoint/formats")], ["text/xml", "application/json"])
        self.assertTrue(x.findtext("changeset").endswith("+08:00"))

    def test_unknown_format(self):
        r = get("discovery.yaml")  # GeoReport's own format (XML) for what is neither
        self.assertEqual(r.status, 404)
        self.assertEqual(xml(r).findtext("error/code"), "404")


class Errors(unittest.TestCase):
    """Every error under /open311/v2/ in GeoReport's format, in the URL's
    format - also those the server answers before any handler."""

    def test_no_such_path(self):
        r = get("nosuch.xml")
        self.assertEqual(r.status, 404)
        x = xml(r)
        self.assertEqual((x.tag, x.findtext("error/code")), ("errors", "404"))
        self.assertTrue(x.findtext("error/description"))
        r = get("nosuch.json")
        self.assertEqual((r.status, r.json[0]["code"]), (404, 404))
        self.assertEqual(xml(get("services/V01/extra.xml")).findtext("error/code"), "404")

    def test_method_not_allowed(self):
        for method, path in (("PUT", "servicerequestupdates.xml"), ("PUT", "requests.xml"),
                             ("DELETE", "services.xml")):
            r = S.request(method, "/open311/v2/" + path, raw=b"")
            self.assertEqual(r.status, 405, (method, path))
            self.assertEqual(xml(r).findtext("error/code"), "405")
        r = S.request("PUT", "/open311/v2/requests.json", raw=b"")
        self.assertEqual((r.status, r.json[0]["code"]), (405, 405))

    def test_body_too_large(self):
        body = b"description=" + b"x" * (2 << 20)
        r = S.request("POST", "/open311/v2/requests.xml", raw=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.assertEqual(xml(r).findtext("error/code"), "413")

    def test_json_api_keeps_its_errors(self):
        r = S.request("GET", "/api/v1/nosuch")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "not_found")
        r = S.request("DELETE", "/api/v1/categories", raw=b"")
        self.assertEqual((r.status, r.json["error"]["field"]), (405, "method"))

    def test_echoed_input_stays_well_formed(self):
        # a long Chinese attribute name cut by the message bound, a control character
        r = post("xml", {"api_key": KEY, "service_code": "E0501", "lat": INSIDE[0], "long": INSIDE[1],
                         "attribute[%s" % ("很长的属性名" * 20): "x"})
        self.assertEqual(r.status, 400)
        self.assertEqual(xml(r).findtext("error/code"), "400")
        r = post("xml", {"api_key": KEY, "service_code": "E0501", "lat": INSIDE[0], "long": INSIDE[1],
                         "description": "垂直制表\x0b符与退格\x08"})
        self.assertEqual(r.status, 200, r)
        rid = xml(r).findtext("request/service_request_id")
        self.assertIn("垂直制表", xml(get("requests/%s.xml" % rid)).findtext("request/description"))


class Services(unittest.TestCase):
    def test_list(self):
        j = get("services.json").json
        codes = {s["service_code"]: s for s in j}
        self.assertIn("E0501", codes)
        self.assertNotIn("H01", codes)  # internal categories are not offered
        self.assertEqual(codes["E0501"]["type"], "realtime")
        self.assertIs(codes["C0101"]["metadata"], True)
        self.assertIs(codes["E0501"]["metadata"], False)
        self.assertIsInstance(codes["E0501"]["service_code"], str)
        x = xml(get("services.xml"))
        self.assertEqual(x.tag, "services")
        svc = [s for s in x.findall("service") if s.findtext("service_code") == "V01"][0]
        self.assertEqual(svc.findtext("service_name"), "环境信访投诉")
        self.assertEqual(svc.findtext("group"), "生态环境")

    def test_definition(self):
        j = get("services/C0101.json").json
        damage = [a for a in j["attributes"] if a["code"] == "damage"][0]
        self.assertEqual((damage["datatype"], damage["required"], damage["variable"]), ("singlevaluelist", True, True))
        self.assertIn({"key": "missing", "name": "丢失"}, damage["values"])
        x = xml(get("services/V01.xml"))
        self.assertEqual(x.tag, "service_definition")
        attr = x.find("attributes/attribute")
        self.assertEqual(attr.findtext("code"), "pollution_type")
        self.assertEqual(attr.findtext("datatype"), "multivaluelist")
        self.assertEqual(attr.find("values/value").findtext("key"), "noise")

    def test_unknown_service(self):
        r = get("services/ZZZ.xml")
        self.assertEqual(r.status, 404)
        self.assertEqual(xml(r).findtext("error/code"), "404")
        self.assertEqual(get("services/H01.json").status, 404)

    def test_jurisdiction(self):
        self.assertEqual(get("services.json?jurisdiction_id=440303").status, 200)
        r = get("services.json?jurisdiction_id=999999")
        self.assertEqual((r.status, r.json[0]["code"]), (404, 404))


class Create(unittest.TestCase):
    def err(self, r, status, fmt="json"):
        self.assertEqual(r.status, status, r)
        if fmt == "json":
            self.assertEqual(r.json[0]["code"], status)
            return r.json[0]["description"]
        return xml(r).findtext("error/description")

    def test_api_key_required(self):
        self.err(post("xml", {"service_code": "E0501", "lat": INSIDE[0], "long": INSIDE[1]}), 403, "xml")
        self.err(post("json", {"api_key": "bhk_forged", "service_code": "E0501", "lat": 1, "long": 1}), 403)

    def test_validation(self):
        base = {"api_key": KEY, "lat": INSIDE[0], "long": INSIDE[1]}
        self.assertIn("service_code", self.err(post("json", base), 400))
        self.err(post("json", dict(base, service_code="NOPE")), 404)
        self.assertIn("location", self.err(post("json", {"api_key": KEY, "service_code": "E0501"}), 400))
        self.err(post("json", {"api_key": KEY, "service_code": "E0501", "lat": "north", "long": 1}), 400)
        d = self.err(post("json", dict(base, service_code="E0501", lat=OUTSIDE[0], long=OUTSIDE[1])), 400)
        self.assertIn("不在任何网格内", d)
        self.err(post("json", dict(base, service_code="E0501", description="长" * 4001)), 400)
        r = S.request("POST", "/open311/v2/requests.json", body={"api_key": KEY})
        self.assertEqual(r.status, 400)
        self.err(post("json", dict(base, service_code="E0501", jurisdiction_id="999999")), 404)

    def test_attributes(self):
        base = {"api_key": KEY, "lat": INSIDE[0], "long": INSIDE[1], "service_code": "C0101"}
        self.assertIn("damage", self.err(post("json", base), 400))
        self.assertIn("damage", self.err(post("json", dict(base, **{"attribute[damage]": "exploded"})), 400))
        ok = post("json", dict(base, **{"attribute[damage]": "missing", "attribute[component_code]": "4403030101000123"}))
        self.assertEqual(ok.status, 200, ok)
        v01 = {"api_key": KEY, "lat": INSIDE[0], "long": INSIDE[1], "service_code": "V01"}
        self.err(post("json", dict(v01, **{"attribute[pollution_type][]": ["noise", "smog"]})), 400)
        self.err(post("json", dict(v01, **{"attribute[pollution_type][]": "noise", "attribute[occurred_at]": "yesterday"})), 400)
        r = post("json", dict(v01, **{"attribute[pollution_type][]": ["noise", "air"],
                                      "attribute[occurred_at]": "2025-03-03T20:30+08:00"}))
        self.assertEqual(r.status, 200, r)
        one = get("requests/%s.json?extensions=true" % r.json[0]["service_request_id"]).json[0]
        self.assertEqual(one["extended_attributes"]["attributes"],
                         {"pollution_type": ["noise", "air"], "occurred_at": "2025-03-03T20:30+08:00"})

    def test_unknown_attributes_are_kept(self):
        # FixMyStreet sends every field its administrators added; a report must not fail on them
        base = {"api_key": KEY, "lat": INSIDE[0], "long": INSIDE[1], "service_code": "C0101",
                "attribute[damage]": "broken"}
        r = post("json", dict(base, **{"attribute[colour]": "red", "attribute[fms_extra][]": ["a", "b"],
                                       "attribute[closest_address]": "深南东路 1 号"}))
        self.assertEqual(r.status, 200, r)
        rid = r.json[0]["service_request_id"]
        case = S.as_("zhzx01").get("/api/v1/cases/%s" % rid).json
        self.assertEqual(case["attributes"]["damage"], "broken")
        self.assertEqual(case["attributes"]["x-unknown"],
                         {"colour": "red", "fms_extra": ["a", "b"], "closest_address": "深南东路 1 号"})
        # the service's own attributes are still checked; the extras are not read back anonymously
        self.assertIn("damage", self.err(post("json", dict(base, **{"attribute[damage]": "exploded",
                                                                    "attribute[colour]": "red"})), 400))
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        self.assertEqual(one["extended_attributes"]["attributes"], {"damage": "broken"})
        # a name that is not attribute[NAME], or more than 50 extras: refused
        self.err(post("json", dict(base, **{"attribute[]": "x"})), 400)
        self.err(post("json", dict(base, **{"attribute[a[b]]": "x"})), 400)
        many = dict(base, **{"attribute[x%d]" % i: "v" for i in range(51)})
        self.assertIn("at most 50", self.err(post("json", many), 400))

    def test_created_case_is_located_and_unicode(self):
        desc = "人行道井盖缺失 ⚠️ 请尽快处理 — «très urgent»"
        r = post("xml", {"api_key": KEY, "service_code": "C0103", "lat": INSIDE[0], "long": INSIDE[1],
                         "attribute[damage]": "missing", "description": desc, "first_name": "小明",
                         "last_name": "王", "phone": "13812341234", "email": "wxm@example.org",
                         "media_url": "http://127.0.0.1/photo.jpg"})
        self.assertEqual(r.status, 200, r)
        rid = xml(r).findtext("request/service_request_id")
        self.assertIn("已受理", xml(r).findtext("request/service_notice"))
        case = S.as_("zhzx01").get("/api/v1/cases/%s" % rid).json
        self.assertEqual((case["unit"], case["source"], case["description"]), (GRID, "open311", desc))
        self.assertEqual(case["reporter"]["name"], "王小明")
        one = get("requests/%s.json" % rid).json[0]
        self.assertEqual(one["description"], desc)
        self.assertEqual(one["media_url"], "http://127.0.0.1/photo.jpg")
        self.assertNotIn("phone", json.dumps(one))

    def test_coordinates_have_seven_decimals(self):
        r = post("json", {"api_key": KEY, "service_code": "E0501", "lat": "22.5325031", "long": "114.0804117",
                          "description": "坐标精度"})
        self.assertEqual(r.status, 200, r)
        rid = r.json[0]["service_request_id"]
        raw = get("requests/%s.json" % rid).raw.decode()
        self.assertIn('"lat":22.5325031', raw)
        self.assertIn('"long":114.0804117', raw)
        x = xml(get("requests/%s.xml" % rid)).find("request")
        self.assertEqual((x.findtext("lat"), x.findtext("long")), ("22.5325031", "114.0804117"))

    def test_address_id_and_string(self):
        op = S.as_("zhzx01")
        # a grid's code: the request is shown at a point inside the grid
        r = post("json", {"api_key": KEY, "service_code": "E0502", "address_id": GRID})
        self.assertEqual(r.status, 200, r)
        one = get("requests/%s.json" % r.json[0]["service_request_id"]).json[0]
        self.assertEqual(one["address_id"], GRID)
        where = op.get("/api/v1/locate?lat=%r&lng=%r" % (one["lat"], one["long"])).json
        self.assertEqual(where["unit"], GRID, (one, where))
        x = xml(get("requests/%s.xml" % one["service_request_id"])).find("request")
        self.assertEqual(float(x.findtext("lat")), one["lat"])
        # the code on a city component's plate: the component's grid and point
        part = op.get("/api/v1/objects?grid=%s&kind=component" % GRID).json["items"][0]
        r = post("json", {"api_key": KEY, "service_code": "E0502", "address_id": part["code"]})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("待人工定位", r.json[0]["service_notice"])
        one = get("requests/%s.json" % r.json[0]["service_request_id"]).json[0]
        self.assertEqual((one["lat"], one["long"]),
                         (round(part["location"]["lat"], 7), round(part["location"]["lng"], 7)))
        self.assertIn(part["code"], one["address"])
        case = op.get("/api/v1/cases/%s" % one["service_request_id"]).json
        self.assertEqual(case["unit"], GRID)
        # an address alone is placed by the operators: no coordinates until then
        r = post("json", {"api_key": KEY, "service_code": "E0502", "address_string": "深南东路1号"})
        self.assertEqual(r.status, 200, r)
        self.assertIn("待人工定位", r.json[0]["service_notice"])
        one = get("requests/%s.json" % r.json[0]["service_request_id"]).json[0]
        self.assertNotIn("lat", one)  # omitted, not null
        self.assertNotIn("long", one)
        self.assertIsNone(xml(get("requests/%s.xml" % one["service_request_id"])).find("request/lat"))
        self.assertEqual(post("json", {"api_key": KEY, "service_code": "E0502", "address_id": "nowhere"}).status, 400)


class Follow(unittest.TestCase):
    def test_workflow_changes_status(self):
        rid = new_request()
        one = get("requests/%s.json" % rid).json[0]
        self.assertEqual((one["status"], one["service_code"]), ("open", "E0501"))
        self.assertTrue(one["status_notes"].startswith("已上报"))
        self.assertTrue(one["requested_datetime"].endswith("+08:00"))
        self.assertTrue(one["expected_datetime"].endswith("+08:00"))
        self.assertIsNone(one["agency_responsible"])
        op, cg, rep = S.as_("zhzx01"), S.as_("cg"), S.as_("wgy_hb")
        cid = int(rid)
        op.act(cid, "register")
        op.act(cid, "dispatch", to_unit="440303-CG", note="请城管局处置")
        one = get("requests/%s.xml" % rid)
        x = xml(one).find("request")
        self.assertEqual((x.findtext("status"), x.findtext("agency_responsible")), ("open", "城市管理局"))
        self.assertEqual(x.findtext("status_notes"), "已派遣")  # the dispatch note is internal
        cg.act(cid, "accept")
        cg.act(cid, "handle", result="摊位已清理")
        rep.act(cid, "verify_pass")
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        self.assertEqual(one["status"], "closed")
        self.assertTrue(one["status_notes"].startswith("已结案"))
        self.assertEqual(one["extended_attributes"]["detailed_status"], "closed")
        self.assertEqual([n["type"] for n in one["notes"]],
                         ["report", "register", "dispatch", "accept", "handle", "verify_pass"])
        ups = get("servicerequestupdates.json?start_date=2020-01-01T00:00:00%2B08:00&end_date=2020-03-01").json
        self.assertEqual(ups, [])
        ups = [u for u in get("servicerequestupdates.json").json if u["service_request_id"] == rid]
        # FixMyStreet's extended statuses, and bihuan's own state as external_status_code
        self.assertEqual([u["status"] for u in ups],
                         ["open", "investigating", "action_scheduled", "in_progress", "in_progress", "fixed"])
        self.assertEqual(ups[-1]["external_status_code"], "closed")
        self.assertEqual((one["extended_status"], one["external_status_code"]), ("fixed", "closed"))
        x = xml(get("servicerequestupdates.xml"))
        self.assertEqual(x.tag, "service_request_updates")

    def test_refusals_never_read_as_fixed(self):
        op = S.as_("zhzx01")
        cases = {}
        for name, reason in (("elsewhere", "不属于本区管辖，请向市交通局反映"), ("nothing", "现场核实无此问题")):
            rid = new_request(description="拒绝 %s" % name)
            r = op.act(int(rid), "reject", reason=reason)
            self.assertEqual(r.status, 200, r)
            cases[name] = rid
        original = new_request(description="原件")
        dup = new_request(description="重复件")
        r = op.act(int(dup), "merge", into=op.get("/api/v1/cases/%s" % original).json["number"])
        self.assertEqual(r.status, 200, r)
        cases["duplicate"] = dup
        want = {"elsewhere": "not_councils_responsibility", "nothing": "no_further_action",
                "duplicate": "duplicate"}
        ups = get("servicerequestupdates.json").json
        for name, rid in cases.items():
            one = get("requests/%s.json" % rid).json[0]
            self.assertEqual((one["status"], one["extended_status"], one["external_status_code"]),
                             ("closed", want[name], "rejected"), name)
            last = [u for u in ups if u["service_request_id"] == rid][-1]
            self.assertEqual(last["status"], want[name], name)
            self.assertNotEqual(last["status"], "fixed")
        x = xml(get("requests/%s.xml" % cases["elsewhere"])).find("request")
        self.assertEqual(x.findtext("extended_status"), "not_councils_responsibility")

    def test_unknown_request_and_tokens(self):
        self.assertEqual(get("requests/999999999.json").status, 404)
        self.assertEqual(xml(get("requests/abc.xml")).findtext("error/code"), "404")
        rid = new_request()
        number = S.as_("zhzx01").get("/api/v1/cases/%s" % rid).json["number"]
        t = get("tokens/%s.json" % number).json[0]
        self.assertEqual((t["service_request_id"], t["token"]), (rid, number))
        self.assertEqual(get("tokens/nosuchtoken.json").status, 404)
        self.assertEqual(xml(get("tokens/nosuchtoken.xml")).findtext("error/code"), "404")


def post_update(fmt, fields, **kw):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    return S.request("POST", "/open311/v2/servicerequestupdates." + fmt, raw=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw)


def fms_update(rid, update_id, text, status="OPEN", **extra):
    """The fields FixMyStreet's Open311 client posts for a comment
    (_populate_service_request_update_params, without extended updates)."""
    fields = {"api_key": KEY, "jurisdiction_id": "440303", "service_request_id": rid,
              "update_id": update_id, "status": status, "description": text,
              "updated_datetime": "2026-12-01T09:30:00+08:00", "email": "li.ming@example.org",
              "first_name": "明", "last_name": "李"}
    fields.update(extra)
    return post_update("xml", fields)


class Updates(unittest.TestCase):
    """FixMyStreet's POST servicerequestupdates: a citizen's comment becomes
    a note on the case, a reopen request on a closed one, at most once per
    update_id."""

    def posted_id(self, r):
        self.assertEqual(r.status, 200, r)
        # what FixMyStreet reads: $obj->{request_update}->{update_id}
        uid = xml(r).findtext("request_update/update_id")
        self.assertTrue(uid, r.raw)
        return uid

    def history(self, rid, user="zhzx01"):
        return S.as_(user).get("/api/v1/cases/%s" % rid).json

    def test_comment_once_and_read_back(self):
        rid = new_request(description="井盖缺失")
        uid = self.posted_id(fms_update(rid, "fms-501", "井盖还是没有盖上，晚上很危险"))
        case = self.history(rid)
        last = case["history"][-1]
        self.assertEqual((last["action"], last["action_label"]), ("comment", "留言"))
        self.assertEqual((last["note"], last["ext_id"]), ("井盖还是没有盖上，晚上很危险", "fms-501"))
        self.assertEqual(last["extra"]["email"], "li.ming@example.org")  # the operator may call back
        # the client's time, but never before the history's last entry
        self.assertEqual(last["at"], case["history"][-2]["at"])
        self.assertEqual(case["status"], "reported")  # a comment changes nothing else
        self.assertFalse(case["reopen_requested"])
        self.assertNotIn("extra", self.history(rid, "leader")["history"][-1])  # personal data
        # FixMyStreet retries after a timeout: the same update_id writes nothing
        self.assertEqual(self.posted_id(fms_update(rid, "fms-501", "井盖还是没有盖上，晚上很危险")), uid)
        self.assertEqual(len(self.history(rid)["history"]), len(case["history"]))
        # the JSON form answers the same
        r = post_update("json", {"api_key": KEY, "service_request_id": rid, "update_id": "fms-501",
                                 "status": "OPEN", "description": "x"})
        self.assertEqual((r.status, r.json[0]["update_id"]), (200, uid))
        # read back in the public feed under the id FixMyStreet was given (so it skips its own)
        ups = [u for u in get("servicerequestupdates.json").json if u["service_request_id"] == rid]
        mine = [u for u in ups if u["update_id"] == uid]
        self.assertEqual(len(mine), 1, ups)
        self.assertEqual(mine[0]["description"], "留言：井盖还是没有盖上，晚上很危险")
        self.assertNotIn("li.ming", json.dumps(ups))
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        self.assertEqual(one["notes"][-1]["type"], "comment")
        self.assertNotIn("li.ming", json.dumps(one))
        time.sleep(1.1)  # a whole second after the report: the client's time is kept
        when = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(microsecond=0)
        self.posted_id(fms_update(rid, "fms-502", "补充：在路口东侧", updated_datetime=when.isoformat()))
        self.assertEqual(self.history(rid)["history"][-1]["at"], when.isoformat())

    def test_reopen_request_on_a_closed_case(self):
        rid = new_request(description="路面坑洼")
        cid = int(rid)
        op, cg, rep = S.as_("zhzx01"), S.as_("cg"), S.as_("wgy_hb")
        for who, action, kw in ((op, "register", {}), (op, "dispatch", {"to_unit": "440303-CG"}),
                                (cg, "accept", {}), (cg, "handle", {"result": "已修补"}),
                                (rep, "verify_pass", {})):
            self.assertEqual(who.act(cid, action, **kw).status, 200, action)
        # "fixed" from the citizen on a closed case is a plain comment, and so is a state
        # FixMyStreet last knew (it sends one with every comment)
        self.posted_id(fms_update(rid, "fms-601", "谢谢，修好了", status="FIXED"))
        self.posted_id(fms_update(rid, "fms-600", "谢谢", status="IN_PROGRESS"))
        case = self.history(rid)
        self.assertEqual((case["history"][-1]["action"], case["reopen_requested"]), ("comment", False))
        # FixMyStreet's "not fixed" sends OPEN: a reopen request, the case stays closed
        self.posted_id(fms_update(rid, "fms-602", "又塌了一块", status="OPEN"))
        case = self.history(rid)
        self.assertEqual(case["history"][-1]["action"], "reopen_request")
        self.assertEqual(case["history"][-1]["action_label"], "申请重新办理")
        self.assertEqual((case["status"], case["reopen_requested"]), ("closed", True))
        self.assertEqual(get("requests/%s.json" % rid).json[0]["status"], "closed")
        # the operators' queue of reopen requests
        queue = op.get("/api/v1/cases?reopen_requested=true").json["items"]
        self.assertIn(cid, [c["id"] for c in queue])
        self.assertTrue(all(c["reopen_requested"] for c in queue))
        r = op.act(cid, "reopen", reason="市民反映未修好")
        self.assertEqual(r.status, 200, r)
        case = self.history(rid)
        self.assertEqual((case["status"], case["reopen_requested"]), ("dispatched", False))
        self.assertNotIn(cid, [c["id"] for c in op.get("/api/v1/cases?reopen_requested=true").json["items"]])
        # on an open case "OPEN" is a comment again
        self.posted_id(fms_update(rid, "fms-603", "盼尽快", status="open"))
        self.assertEqual(self.history(rid)["history"][-1]["action"], "comment")

    def test_refused_updates(self):
        rid = new_request(description="垃圾满溢")
        good = {"api_key": KEY, "service_request_id": rid, "update_id": "u1", "status": "OPEN",
                "description": "还没清"}

        def refused(fields, status, word, fmt="xml"):
            r = post_update(fmt, fields)
            self.assertEqual(r.status, status, (fields, r))
            text = xml(r).findtext("error/description") if fmt == "xml" else r.json[0]["description"]
            self.assertIn(word, text)

        refused({k: v for k, v in good.items() if k != "api_key"}, 403, "api_key")
        refused(dict(good, api_key="bhk_forged"), 403, "api_key", "json")
        refused(dict(good, service_request_id="abc"), 400, "service_request_id")
        refused(dict(good, service_request_id="999999999"), 404, "999999999")
        refused({k: v for k, v in good.items() if k != "update_id"}, 400, "update_id", "json")
        refused(dict(good, update_id="x" * 101), 400, "update_id")
        refused(dict(good, description=""), 400, "description")
        refused(dict(good, updated_datetime="yesterday"), 400, "updated_datetime")
        # another client's request, and a case that did not come in through Open311
        other = S.run("apikey", "add", "--db", S.db, "--name", "other-app", "--role", "public",
                      "--unit", "440303").stdout.strip()
        refused(dict(good, api_key=other), 404, rid)
        r = S.as_("wgy_hb").post("/api/v1/cases", {"category": "E0501", "title": "网格员上报",
                                                    "description": "内部", "unit": GRID})
        refused(dict(good, service_request_id=str(r.json["id"])), 404, "not found")
        self.assertEqual(len(self.history(rid)["history"]), 1)  # nothing was written
        # a status FixMyStreet may add one day is kept with the comment, not refused
        r = post_update("xml", dict(good, update_id="u-new", status="SOLVED_BY_MAGIC"))
        self.assertEqual(r.status, 200, r)
        last = self.history(rid)["history"][-1]
        self.assertEqual((last["action"], last["extra"]["status"]), ("comment", "SOLVED_BY_MAGIC"))
        refused(dict(good, update_id="u-long", description="长" * 1334), 400, "4000 bytes")
        # extended updates: update_id_ext instead of update_id
        r = post_update("xml", dict({k: v for k, v in good.items() if k != "update_id"},
                                    update_id_ext="77", service_request_id_ext="12"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.history(rid)["history"][-1]["ext_id"], "77")
        # a withdrawn request takes no more comments
        self.assertEqual(S.as_("zhzx01").act(int(rid), "unpublish", reason="测试撤回").status, 200)
        refused(dict(good, update_id="u-after"), 404, rid)

    def test_grid_workers_comments_stay_internal(self):
        rid = new_request(description="占道经营")
        # the grid worker of the area reads the Open311 case and comments on it: his words stay inside
        r = S.as_("wgy_hb").act(int(rid), "comment", note="内部：摊主是熟人")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["history"][-1]["action"], "comment")
        self.posted_id(fms_update(rid, "fms-701", "早上七点最严重"))
        ups = [u for u in get("servicerequestupdates.json").json if u["service_request_id"] == rid]
        self.assertNotIn("内部", json.dumps(ups, ensure_ascii=False))
        self.assertIn("留言：早上七点最严重", [u["description"] for u in ups])
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        self.assertNotIn("内部", json.dumps(one, ensure_ascii=False))
        self.assertEqual([n["description"] for n in one["notes"] if n["type"] == "comment"], ["早上七点最严重"])
        # a citizen's comment is not the council's word: status_notes stays the state
        self.assertEqual(one["status_notes"], "已上报")

    def test_the_same_update_at_once(self):
        """FixMyStreet's retry racing its first try: one comment."""
        rid = new_request(description="两次同时提交")
        results = []

        def send():
            results.append(fms_update(rid, "fms-race", "同一条留言"))
        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual({r.status for r in results}, {200}, [r.raw for r in results])
        self.assertEqual(len({xml(r).findtext("request_update/update_id") for r in results}), 1)
        comments = [e for e in self.history(rid)["history"] if e["action"] == "comment"]
        self.assertEqual(len(comments), 1)


class FixMyStreetClient(unittest.TestCase):
    """tests/api/fms_client.pl: an Open311 client on Perl's LWP and XML::Simple,
    parsing and posting the way FixMyStreet's does."""

    def fms(self, *args):
        dump = tempfile.mkdtemp(dir=S.dir)
        p = subprocess.run(["perl", os.path.join(os.path.dirname(os.path.abspath(__file__)), "fms_client.pl")]
                           + [str(a) for a in args], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, FMS_DUMP=dump))
        self.assertEqual(p.returncode, 0, p.stderr)
        # every answer the client got is well-formed XML too
        bodies = sorted(os.listdir(dump))
        self.assertTrue(bodies)
        for name in bodies:
            x = subprocess.run(["xmllint", "--noout", os.path.join(dump, name)], capture_output=True)
            self.assertEqual(x.returncode, 0, (name, x.stderr))
        return json.loads(p.stdout)

    def test_report_comment_close_reopen(self):
        base = "http://127.0.0.1:%d/open311/v2" % S.port
        out = self.fms("report", base, KEY, "440303", INSIDE[0], INSIDE[1])
        rid = out["service_request_id"]
        op = S.as_("zhzx01")
        case = op.get("/api/v1/cases/%s" % rid).json
        self.assertEqual(case["source"], "open311")
        self.assertTrue(case["description"].startswith("井盖破损"), case["description"])
        # the attributes FixMyStreet adds are kept, the required ones checked
        self.assertIn("fixmystreet_id", case["attributes"]["x-unknown"])
        self.assertTrue(out["required"])
        for name in out["required"]:
            self.assertIn(name[len("attribute["):-1], case["attributes"])
        comments = [e for e in case["history"] if e["action"] == "comment"]
        self.assertEqual([(e["ext_id"], e["note"]) for e in comments], [("7001", "井盖还是没有盖上")])
        self.assertIn("404:", out["refused"])
        cg, rep = S.as_("cg"), S.as_("wgy_hb")
        for who, action, kw in ((op, "register", {}), (op, "dispatch", {"to_unit": "440303-CG"}),
                                (cg, "accept", {}), (cg, "handle", {"result": "已更换井盖"}),
                                (rep, "verify_pass", {})):
            self.assertEqual(who.act(int(rid), action, **kw).status, 200, action)
        self.fms("reopen", base, KEY, "440303", rid)
        case = op.get("/api/v1/cases/%s" % rid).json
        self.assertEqual((case["status"], case["reopen_requested"]), ("closed", True))
        self.assertEqual(case["history"][-1]["ext_id"], "7003")


class Anonymous(unittest.TestCase):
    """What anyone reads: cases that came in through Open311, and of their
    history the public steps and words only."""

    def test_other_sources_are_not_public(self):
        r = S.as_("wgy_hb").post("/api/v1/cases", {"category": "E0501", "title": "网格员上报",
                                                    "description": "网格员的内部描述", "unit": GRID})
        self.assertEqual(r.status, 201, r)
        cid = str(r.json["id"])
        self.assertEqual(get("requests/%s.json" % cid).status, 404)
        self.assertNotIn(cid, [x["service_request_id"] for x in get("requests.json?service_code=E0501").json])
        ids = {u["service_request_id"] for u in get("servicerequestupdates.json").json}
        self.assertNotIn(cid, ids)

    def test_internal_notes_stay_internal(self):
        rid = new_request(description="路灯不亮")
        cid = int(rid)
        for user, action, kw in (("zhzx01", "register", {}),
                                 ("zhzx01", "dispatch", {"to_unit": "440303-CG", "note": "内部：派城管局"}),
                                 ("leader", "supervise", {"level": 2, "note": "内部督办意见：本周内办结"}),
                                 ("cg", "return", {"reason": "内部：不属本局"}),
                                 ("zhzx01", "dispatch", {"to_unit": "440303-CG", "note": "内部：再派"}),
                                 ("cg", "accept", {}), ("cg", "handle", {"result": "已更换灯泡"}),
                                 ("wgy_hb", "verify_fail", {"reason": "内部核查：仍不亮"})):
            r = S.as_(user).act(cid, action, **kw)
            self.assertEqual(r.status, 200, (action, r))
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        text = json.dumps(one, ensure_ascii=False)
        self.assertNotIn("内部", text)
        self.assertNotIn("supervise_level", one["extended_attributes"])  # 督办 is internal
        self.assertNotIn("rework_count", one["extended_attributes"])
        types = [n["type"] for n in one["notes"]]
        self.assertNotIn("supervise", types)
        self.assertNotIn("return", types)
        self.assertNotIn("verify_fail", types)
        handle = [n for n in one["notes"] if n["type"] == "handle"][0]
        self.assertEqual(handle["description"], "已更换灯泡")
        ups = [u for u in get("servicerequestupdates.json").json if u["service_request_id"] == rid]
        self.assertNotIn("内部", json.dumps(ups, ensure_ascii=False))
        # the return and the rework change the status: told, without their words
        self.assertEqual([u["status"] for u in ups],
                         ["open", "investigating", "action_scheduled", "investigating", "action_scheduled",
                          "in_progress", "in_progress", "action_scheduled"])  # 返工: back to the handler

    def test_operators_publish_and_withdraw(self):
        op, rep = S.as_("zhzx01"), S.as_("wgy_hb")
        r = rep.post("/api/v1/cases", {"category": "E0501", "title": "网格员上报占道",
                                       "description": "网格员的内部描述：摊主姓张", "unit": GRID})
        cid = r.json["id"]
        rid = str(cid)
        self.assertEqual(get("requests/%s.json" % rid).status, 404)
        self.assertIn("publish", [a["action"] for a in op.get("/api/v1/cases/%d" % cid).json["allowed_actions"]])
        self.assertEqual(rep.act(cid, "publish", note="x").status, 403)  # operators decide
        self.assertEqual(op.act(cid, "publish").status, 400)  # what the public reads must be given
        r = op.act(cid, "publish", note="人行道占道经营，已安排城管处置")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("publish", [a["action"] for a in r.json["allowed_actions"]])
        self.assertIn("unpublish", [a["action"] for a in r.json["allowed_actions"]])
        self.assertEqual(op.act(cid, "publish", note="again").status, 409)
        one = get("requests/%s.json?extensions=true" % rid).json[0]
        self.assertEqual(one["service_code"], "E0501")
        # the public text, never the grid worker's own description
        self.assertEqual(one["description"], "人行道占道经营，已安排城管处置")
        self.assertNotIn("摊主", json.dumps(one, ensure_ascii=False))
        self.assertEqual([n["type"] for n in one["notes"]], ["report"])  # publishing is internal
        self.assertIn(rid, [x["service_request_id"] for x in get("requests.json?service_code=E0501").json])
        ups = [u for u in get("servicerequestupdates.json").json if u["service_request_id"] == rid]
        self.assertEqual([u["status"] for u in ups], ["open"])
        self.assertNotIn("摊主", json.dumps(ups, ensure_ascii=False))
        # withdrawn: gone from every anonymous read again
        self.assertEqual(op.act(cid, "unpublish").status, 400)  # a reason is required
        self.assertEqual(op.act(cid, "unpublish", reason="涉及个人信息").status, 200)
        self.assertEqual(get("requests/%s.json" % rid).status, 404)
        self.assertNotIn(rid, [x["service_request_id"] for x in get("requests.json?service_code=E0501").json])
        self.assertNotIn(rid, [u["service_request_id"] for u in get("servicerequestupdates.json").json])
        # an Open311 request can be withdrawn too, and a category Open311 does not offer
        # cannot be published
        orid = new_request(description="公开后撤回")
        self.assertEqual(op.act(int(orid), "unpublish", reason="重复且含电话号码").status, 200)
        self.assertEqual(get("requests/%s.json" % orid).status, 404)
        public = {x["service_code"] for x in get("services.json").json}
        other = [c["code"] for c in op.get("/api/v1/categories").json["items"]
                 if c["code"] not in public and c["kind"] == "hotline"][0]
        r = op.post("/api/v1/cases", {"category": other, "title": "非公开类别", "description": "d",
                                      "unit": GRID})
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("publish", [a["action"] for a in op.get("/api/v1/cases/%d" % r.json["id"]).json["allowed_actions"]])
        r = op.act(r.json["id"], "publish", note="公开")
        self.assertEqual(r.status, 409, r)
        self.assertIn("不对公众开放", r.json["error"]["message"])

    def test_staff_cannot_make_a_case_public(self):
        for user in ("wgy_hb", "zhzx01"):
            r = S.as_(user).post("/api/v1/cases", {"category": "E0501", "title": "内部", "description": "内部",
                                                    "unit": GRID, "source": "open311"})
            self.assertEqual((r.status, r.json["error"]["field"]), (400, "source"), user)


class Lists(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ids = [new_request(service_code="E0504", description="乱堆物料 %d" % i) for i in range(5)]

    def test_by_ids_and_codes(self):
        j = get("requests.json?service_request_id=%s,%s,999999999" % (self.ids[0], self.ids[1])).json
        self.assertEqual(sorted(x["service_request_id"] for x in j), sorted(self.ids[:2]))
        # service_request_id overrides every other filter
        j = get("requests.json?service_request_id=%s&service_code=V01&status=closed" % self.ids[0]).json
        self.assertEqual(len(j), 1)
        j = get("requests.json?service_code=E0504,E0505").json
        self.assertTrue(set(self.ids) <= {x["service_request_id"] for x in j})
        self.assertTrue(all(x["service_code"] in ("E0504", "E0505") for x in j))
        self.assertEqual(get("requests.json?service_code=E0504&status=closed").json, [])
        x = xml(get("requests.xml?service_code=E0504"))
        self.assertEqual(x.tag, "service_requests")
        self.assertGreaterEqual(len(x.findall("request")), 5)

    def test_paging_and_dates(self):
        p1 = get("requests.json?service_code=E0504&page_size=2&page=1").json
        p2 = get("requests.json?service_code=E0504&page_size=2&page=2").json
        self.assertEqual((len(p1), len(p2)), (2, 2))
        self.assertFalse({x["service_request_id"] for x in p1} & {x["service_request_id"] for x in p2})
        r = get("requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z")
        self.assertEqual(r.status, 400)
        self.assertIn("90", r.json[0]["description"])
        self.assertEqual(get("requests.json?start_date=2025-01-01&end_date=2025-02-01").json, [])
        self.assertEqual(get("requests.json?status=pending").status, 400)
        self.assertEqual(get("requests.json?page_size=101").status, 400)
        self.assertEqual(get("requests.json?page_size=21&extensions=true").status, 400)
        # the default page with extensions is 20, though more requests match
        for i in range(21):
            new_request(service_code="E0505", description="分页 %d" % i)
        self.assertGreater(len(get("requests.json?service_code=E0505").json), 20)
        self.assertEqual(len(get("requests.json?service_code=E0505&extensions=true").json), 20)
        ids = ",".join(str(i) for i in range(1, 102))
        self.assertEqual(get("requests.json?service_request_id=" + ids).status, 400)
        self.assertEqual(get("requests.json?start_date=never").status, 400)


class Keys(unittest.TestCase):
    def test_cli_list_revoke_and_bearer(self):
        key = S.run("apikey", "add", "--db", S.db, "--name", "hotline", "--role", "operator",
                    "--unit", "440303").stdout.strip()
        self.assertTrue(key.startswith("bhk_"))
        r = S.request("GET", "/api/v1/cases?limit=1", token=key)
        self.assertEqual(r.status, 200, r)
        listing = S.run("apikey", "list", "--db", S.db).stdout
        self.assertIn("hotline\toperator\t440303\t", listing)
        self.assertNotIn(key, listing)
        S.run("apikey", "revoke", "--db", S.db, "--name", "hotline")
        self.assertEqual(S.request("GET", "/api/v1/cases?limit=1", token=key).status, 401)
        self.assertIn("revoked", S.run("apikey", "list", "--db", S.db).stdout)
        p = S.run("apikey", "revoke", "--db", S.db, "--name", "hotline", check=False)
        self.assertEqual(p.returncode, 1)
        p = S.run("apikey", "add", "--db", S.db, "--name", "x", "--role", "wizard", "--unit", "440303", check=False)
        self.assertEqual(p.returncode, 2)

    def test_api_management(self):
        admin = S.as_("admin")
        r = admin.post("/api/v1/apikeys", {"name": "fms", "role": "public"})
        self.assertEqual(r.status, 201, r)
        names = [k["name"] for k in admin.get("/api/v1/apikeys").json["items"]]
        self.assertIn("fms", names)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/apikeys").status, 403)
        self.assertEqual(S.request("DELETE", "/api/v1/apikeys/fms", token=S.login("admin")).status, 204)


class Geography(unittest.TestCase):
    def test_locate(self):
        c = S.as_("zhzx01")
        j = c.get("/api/v1/locate?lat=%f&lng=%f" % INSIDE).json
        self.assertEqual((j["found"], j["unit"], j["type"]), (True, GRID, "grid"))
        j = c.get("/api/v1/locate?lat=%f&lng=%f" % OUTSIDE).json
        self.assertIs(j["found"], False)
        self.assertIn("不在任何网格内", j["message"])
        # The same place given in GCJ-02 (as a Chinese web map would) is found too.
        sys.path.insert(0, os.path.dirname(__file__))
        j = c.get("/api/v1/locate?lat=22.52952&lng=114.08533&crs=gcj02").json
        self.assertEqual(j["unit"], GRID, j)
        self.assertEqual(c.get("/api/v1/locate?lat=91&lng=1").status, 400)
        self.assertEqual(c.get("/api/v1/locate?lat=1&lng=1&crs=mars").status, 400)

    def test_case_located_by_coordinates(self):
        r = S.as_("zhzx01").post("/api/v1/cases", {"category": "E0501", "title": "坐标定位", "description": "d",
                                                 "location": {"lat": INSIDE[0], "lng": INSIDE[1]}})
        self.assertEqual((r.status, r.json["unit"]), (201, GRID))
        r = S.as_("zhzx01").post("/api/v1/cases", {"category": "E0501", "title": "界外", "description": "d",
                                                 "location": {"lat": OUTSIDE[0], "lng": OUTSIDE[1]}})
        self.assertEqual((r.status, r.err()["field"]), (400, "location"))

    def test_geometry_put(self):
        admin = S.as_("admin")
        tok = S.login("admin")
        square = {"type": "Polygon", "coordinates": [[[114.3, 22.7], [114.31, 22.7], [114.31, 22.71],
                                                      [114.3, 22.71], [114.3, 22.7]]]}
        put = lambda g, unit="44030301001010": S.request(
            "PUT", "/api/v1/units/%s/geometry" % unit, raw=json.dumps(g).encode(), token=tok)
        self.assertEqual(put(square).status, 204)
        self.assertEqual(admin.get("/api/v1/locate?lat=22.705&lng=114.305").json["unit"], "44030301001010")
        bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        r = put(bowtie)
        self.assertEqual((r.status, r.err()["field"]), (400, "geometry"))
        self.assertIn("Self-intersection", r.err()["message"])
        open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
        self.assertIn("未闭合", put(open_ring).err()["message"])
        self.assertEqual(put({"type": "Point", "coordinates": [1, 2]}).err()["field"], "type")
        self.assertEqual(put({"type": "Polygon", "coordinates": [[[200, 0], [1, 0], [1, 1], [200, 0]]]}).status, 400)
        self.assertEqual(S.request("PUT", "/api/v1/units/44030301001010/geometry", raw=b"{", token=tok).status, 400)
        self.assertEqual(put(square, unit="99999999999999").status, 404)
        r = S.request("PUT", "/api/v1/units/44030301001010/geometry", raw=json.dumps(square).encode(),
                      token=S.login("zhzx01"))
        self.assertEqual(r.status, 403)
        got = S.request("GET", "/api/v1/units/44030301001010/geometry", token=tok)
        self.assertEqual(json.loads(got.raw)["type"], "Polygon")


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
