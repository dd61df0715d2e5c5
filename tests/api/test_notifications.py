#!/usr/bin/env python3
"""Notifications (issue 14 item 2): the transactional outbox delivered to a
local HTTP receiver (generic webhook signed with HMAC-SHA256, the WeCom and
DingTalk robot formats, DingTalk's 加签) and a local SMTP sink, both started
here; retries with backoff under a receiver that fails its first tries,
dead letters an administrator sees and sends again, no twin on restart.

Usage: test_notifications.py PATH/TO/bihuan PATH/TO/data/categories.json
"""
import base64
import email
import email.header
import email.policy
import hashlib
import hmac
import json
import os
import socketserver
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, wait_for  # noqa: E402

BIHUAN = None
CATEGORIES = None
S = None
GRID = "44030300100101"      # in street 440303001
SECRET = "webhook-secret-测试"
DING_SECRET = "SEC0123456789abcdef"
MAILBOX = "zhihui@example.gov.cn"


# ---- the receivers ----

class Receiver:
    """An HTTP server on loopback that records every request.  Per path:
    /fail-N-... answers 500 to the first N requests, /gone 404, /down 503
    while self.down, the robot paths their robots' JSON answers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.down = True
        rec = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                u = urllib.parse.urlsplit(self.path)
                with rec.lock:
                    rec.requests.append({"path": u.path, "query": urllib.parse.parse_qs(u.query),
                                         "headers": dict(self.headers), "body": body,
                                         "at": time.time()})
                    seen = len([r for r in rec.requests if r["path"] == u.path])
                status, reply = 200, b"ok"
                if u.path.startswith("/fail-"):
                    if seen <= int(u.path.split("-")[1]):
                        status, reply = 500, b"\xff busy \xfe"  # not UTF-8: shown cleaned
                elif u.path == "/gone":
                    status, reply = 404, b"no such hook"
                elif u.path == "/down" and rec.down:
                    status, reply = 503, b"maintenance"
                elif u.path == "/wecom" and len(json.loads(body)["text"]["content"].encode()) > 2048:
                    reply = json.dumps({"errcode": 40058, "errmsg": "content exceed max length 2048"}).encode()
                elif u.path in ("/wecom", "/ding"):
                    reply = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                elif u.path == "/wecom-bad":
                    reply = json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def got(self, path, pred=lambda r: True):
        with self.lock:
            return [r for r in self.requests if r["path"] == path and pred(r)]


class SmtpSink:
    """Enough SMTP to take mail (RFC 5321's EHLO/MAIL/RCPT/DATA), kept in order."""

    def __init__(self):
        self.messages = []
        sink = self

        class H(socketserver.StreamRequestHandler):
            def handle(self):
                w = lambda s: self.wfile.write((s + "\r\n").encode())  # noqa: E731
                w("220 sink ESMTP")
                frm, rcpt = None, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("ascii", "replace").strip()
                    up = cmd.upper()
                    if up.startswith("EHLO"):
                        w("250-sink")
                        w("250 8BITMIME")
                    elif up.startswith("HELO"):
                        w("250 sink")
                    elif up.startswith("MAIL FROM:"):
                        frm, rcpt = cmd[10:].strip(), []
                        w("250 ok")
                    elif up.startswith("RCPT TO:"):
                        rcpt.append(cmd[8:].strip())
                        w("250 ok")
                    elif up == "DATA":
                        w("354 go ahead")
                        data = b""
                        while True:
                            l2 = self.rfile.readline()
                            if l2 in (b".\r\n", b".\n", b""):
                                break
                            data += l2[1:] if l2.startswith(b"..") else l2
                        sink.messages.append({"from": frm, "to": rcpt, "data": data})
                        w("250 queued")
                    elif up == "QUIT":
                        w("221 bye")
                        return
                    else:  # RSET, NOOP
                        w("250 ok")

        class Srv(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Srv(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def parsed(self):
        return [dict(m, msg=email.message_from_bytes(m["data"], policy=email.policy.default))
                for m in list(self.messages)]


R = None
MAIL = None


def fast_categories(path):
    """X01's 结案 runs out in 6 s (red at 3 s)."""
    harness.fast_categories(CATEGORIES, path, [("close", "结案", ["report"], ["verify_pass"], 0.1, 0.02, 0.05)])


def config(**over):
    doc = {
        "base_url": "http://console.example/",
        "smtp": {"url": "smtp://127.0.0.1:%d" % MAIL.port, "from": "bihuan@district.example"},
        "retry": {"first_seconds": 1, "max_seconds": 2, "max_attempts": 3},
        "channels": [
            {"key": "hook", "name": "指挥中心系统", "type": "webhook", "url": R.url("/hook"), "secret": SECRET},
            {"key": "wecom", "name": "指挥中心企业微信群", "type": "wecom",
             "url": R.url("/wecom?key=abc"), "mobiles": ["13800000000"]},
            {"key": "ding", "name": "城管局钉钉群", "type": "dingtalk",
             "url": R.url("/ding?access_token=tok"), "secret": DING_SECRET, "unit": "440303-CG",
             "mobiles": ["13900000000"]},
            {"key": "wecom_bad", "type": "wecom", "url": R.url("/wecom-bad?key=revoked")},
            {"key": "mail", "name": "指挥中心邮箱", "type": "email", "to": [MAILBOX]},
            {"key": "far", "name": "另一街道", "type": "webhook", "url": R.url("/far"), "unit": "440303002"},
            {"key": "flaky", "type": "webhook", "url": R.url("/fail-2-dispatch")},
            {"key": "down", "type": "webhook", "url": R.url("/down")},
            {"key": "gone", "type": "webhook", "url": R.url("/gone")},
            {"key": "hazards", "type": "webhook", "url": R.url("/hazards")},
            {"key": "cards", "type": "webhook", "url": R.url("/cards")},
        ],
        "rules": [
            {"event": "dispatch", "channels": ["hook", "wecom", "ding", "mail", "far", "flaky"]},
            {"event": "red_light", "channels": ["hook"], "categories": ["X01"]},
            {"event": "overdue", "channels": ["hook", "mail"], "categories": ["X01"]},
            {"event": "supervise", "channels": ["down", "gone", "wecom_bad", "wecom"], "categories": ["E01"]},
            {"event": "major_hazard", "channels": ["hazards"]},
            {"event": "red_card", "channels": ["cards"]},
        ],
    }
    doc.update(over)
    return doc


def setUpModule():
    global S, R, MAIL
    R = Receiver()
    MAIL = SmtpSink()
    path = os.path.join(tempfile.mkdtemp(), "fast.json")
    fast_categories(path)
    S = Server(BIHUAN, categories=path)
    S.demo(cases=0)
    S.start()
    r = S.as_("admin").put("/api/v1/notifications/config", config())
    assert r.status == 204, r


def tearDownModule():
    if S:
        rc = S.stop()
        assert rc == 0, "serve exited %d on SIGTERM" % rc


def report(category="E0101", desc="通知测试"):
    r = S.as_("wgy_hb").post("/api/v1/cases", {"category": category, "description": desc, "unit": GRID})
    assert r.status == 201, r
    return r.json


def notices(**q):
    r = S.as_("admin").get("/api/v1/notifications?" + urllib.parse.urlencode(dict(q, limit=200)))
    assert r.status == 200, r
    return r.json


def of_case(cid, event=None):
    return [n for n in notices()["items"] if n["ref"] == "case:%d" % cid and (not event or n["event"] == event)]


def body_of(req):
    return json.loads(req["body"])


class Notifications(unittest.TestCase):
    def test_config_refused_with_the_field(self):
        admin = S.as_("admin")
        for doc, field in [
            (config(rules=[{"event": "dispatch", "channels": ["nope"]}]), "rules[0].channels[0]"),
            (config(rules=[{"event": "flood", "channels": ["hook"]}]), "rules[0].event"),
            (dict(config(), smtp=None), "smtp"),
            (config(channels=[{"key": "w", "type": "wecom", "url": R.url("/wecom"), "secret": "x"}],
                    rules=[]), "channels[0].secret"),
            (config(channels=[{"key": "w", "type": "webhook", "url": "ftp://x/"}], rules=[]), "channels[0].url"),
            (config(channels=[{"key": "m", "type": "email", "to": ["not-an-address"]}], rules=[]),
             "channels[0].to[0]"),
            (config(channels=[{"key": "h", "type": "webhook", "url": R.url("/a\nb")}], rules=[]),
             "channels[0].url"),
            (config(retry={"first_seconds": 0}), "retry.first_seconds"),
        ]:
            r = admin.put("/api/v1/notifications/config", doc)
            self.assertEqual((r.status, r.err().get("field")), (400, field), (field, r))
            self.assertIn("通知配置", r.err()["message"])
        # only the administrator reads it (robot keys, signing secrets) or the outbox
        for user in ("zhzx01", "leader"):
            self.assertEqual(S.as_(user).get("/api/v1/notifications/config").status, 403)
            self.assertEqual(S.as_(user).get("/api/v1/notifications").status, 403)
            self.assertEqual(S.as_(user).put("/api/v1/notifications/config", config()).status, 403)
        got = admin.get("/api/v1/notifications/config")
        self.assertEqual(got.status, 200)
        self.assertEqual(got.json["channels"][0]["secret"], SECRET)  # the refused ones changed nothing

    def test_dispatch_reaches_every_channel_signed_once(self):
        op = S.as_("zhzx01")
        k = report(desc="占道经营 通知测试")
        cid = k["id"]
        op.act(cid, "register")
        # a refused action writes no notice
        r = S.request("POST", "/api/v1/cases/%d/actions" % cid, {"action": "dispatch", "to_unit": "440303-CG"},
                      token=S.login("zhzx01"), headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(of_case(cid), [])
        op.act(cid, "dispatch", to_unit="440303-CG")
        number = S.as_("zhzx01").get("/api/v1/cases/%d" % cid).json["number"]
        mine = lambda r: number in r["body"].decode()  # noqa: E731

        self.assertTrue(wait_for(lambda: R.got("/hook", mine) and R.got("/wecom", mine) and
                                 R.got("/ding", mine) and R.got("/fail-2-dispatch", mine) and
                                 [m for m in MAIL.parsed() if number in m["msg"].get_content()],
                                 timeout=20), notices())
        # generic webhook: JSON with the facts, signed over "<timestamp>.<body>"
        h = R.got("/hook", mine)
        self.assertEqual(len(h), 1)
        h = h[0]
        ts = h["headers"]["X-Bihuan-Timestamp"]
        want = hmac.new(SECRET.encode(), ts.encode() + b"." + h["body"], hashlib.sha256).hexdigest()
        self.assertEqual(h["headers"]["X-Bihuan-Signature"], "sha256=" + want)
        self.assertEqual(h["headers"]["X-Bihuan-Event"], "dispatch")
        b = body_of(h)
        self.assertEqual((b["event"], b["data"]["case"]["id"], b["data"]["case"]["handling_unit"]),
                         ("dispatch", cid, "440303-CG"))
        self.assertTrue(b["subject"].startswith("【派遣】"), b)
        self.assertIn("派遣至：", b["text"])
        self.assertIn("http://console.example/#/cases/%d" % cid, b["text"])
        self.assertEqual(int(h["headers"]["X-Bihuan-Delivery"]), b["id"])
        # WeCom robot: a text message with its @ list
        w = body_of(R.got("/wecom", mine)[0])
        self.assertEqual(w["msgtype"], "text")
        self.assertEqual(w["text"]["mentioned_mobile_list"], ["13800000000"])
        self.assertIn("【派遣】", w["text"]["content"])
        # DingTalk robot: 加签 - timestamp and sign in the address
        d = R.got("/ding", mine)[0]
        self.assertEqual(d["query"]["access_token"], ["tok"])
        dts = d["query"]["timestamp"][0]
        sign = base64.b64encode(hmac.new(DING_SECRET.encode(), (dts + "\n" + DING_SECRET).encode(),
                                         hashlib.sha256).digest()).decode()
        self.assertEqual(d["query"]["sign"], [sign])
        self.assertLess(abs(int(dts) / 1000 - time.time()), 60)
        self.assertEqual(body_of(d)["msgtype"], "text")
        # DingTalk @s a mobile only when the text names it too
        self.assertEqual(body_of(d)["at"]["atMobiles"], ["13900000000"])
        self.assertTrue(body_of(d)["text"]["content"].endswith("@13900000000"), body_of(d))
        # e-mail: UTF-8 subject and body, the notice's Message-ID
        m = [m for m in MAIL.parsed() if number in m["msg"].get_content()]
        self.assertEqual(len(m), 1)
        self.assertEqual(m[0]["to"], ["<%s>" % MAILBOX])
        self.assertTrue(str(m[0]["msg"]["Subject"]).startswith("【派遣】"), m[0]["msg"]["Subject"])
        self.assertIn("占道经营", m[0]["msg"].get_content())
        self.assertTrue(m[0]["msg"]["Message-ID"].startswith("<notice-"))
        # the channel of another street hears nothing of this one's case
        time.sleep(0.5)
        self.assertEqual(R.got("/far", mine), [])
        # the flaky receiver failed twice, then took it: three tries of one notice
        self.assertTrue(wait_for(lambda: {n["channel"]: n for n in of_case(cid)}["flaky"]["status"] == "sent",
                                 timeout=15))
        f = R.got("/fail-2-dispatch", mine)
        self.assertEqual(len(f), 3)
        self.assertEqual(len({r["headers"]["X-Bihuan-Delivery"] for r in f}), 1)
        self.assertGreaterEqual(f[1]["at"] - f[0]["at"], 0.8)  # backoff: 1 s, then 2 s
        self.assertGreaterEqual(f[2]["at"] - f[1]["at"], 1.6)
        listed = {n["channel"]: n for n in of_case(cid)}
        self.assertEqual(set(listed), {"hook", "wecom", "ding", "mail", "flaky"})
        flaky = {n["channel"]: n for n in of_case(cid)}["flaky"]
        self.assertEqual(flaky["attempts"], 3)
        self.assertIn("HTTP 500", flaky["last_error"])
        self.assertTrue(all(n["status"] == "sent" for n in of_case(cid)), of_case(cid))

    def test_red_light_and_overdue_once_each(self):
        k = report(category="X01", desc="快速时限 通知测试")
        cid = k["id"]
        self.assertTrue(wait_for(lambda: len(of_case(cid, "overdue")) == 2, timeout=30), of_case(cid))
        mine = lambda r: body_of(r)["data"]["case"]["id"] == cid  # noqa: E731
        self.assertTrue(wait_for(lambda: R.got("/hook", lambda r: mine(r) and body_of(r)["event"] == "overdue"),
                                 timeout=20))
        red = [r for r in R.got("/hook", mine) if body_of(r)["event"] == "red_light"]
        self.assertEqual(len(red), 1)
        self.assertIn("亮红灯：结案将于", body_of(red[0])["text"])
        over = [r for r in R.got("/hook", mine) if body_of(r)["event"] == "overdue"]
        self.assertIn("已超期：结案已于", body_of(over[0])["text"])
        self.assertEqual(body_of(over[0])["data"]["clock"], "close")
        self.assertTrue(wait_for(lambda: [m for m in MAIL.parsed() if str(m["msg"]["Subject"]).startswith("【超期】")
                                          and k["number"] in m["msg"].get_content()], timeout=20))
        # sweeps that find the same light again add nothing
        time.sleep(1.5)
        self.assertEqual(len(of_case(cid, "red_light")), 1)
        self.assertEqual(len(of_case(cid, "overdue")), 2)  # hook and mail
        self.assertEqual(len([r for r in R.got("/hook", mine) if body_of(r)["event"] == "overdue"]), 1)

    def test_dead_letters_and_retry(self):
        admin = S.as_("admin")
        k = report(category="E0101", desc="督办 通知测试")
        cid = k["id"]
        r = S.as_("zhzx01").act(cid, "supervise", level=1, note="请加快处置。" + "群众反映强烈，" * 180)
        self.assertEqual(r.status, 200, r)
        # /gone answers 404: dead at once; /down 503 and a WeCom robot that
        # answers 200 with an error code: dead after 3 tries (1 s, 2 s)
        self.assertTrue(wait_for(lambda: len([n for n in of_case(cid, "supervise") if n["status"] == "dead"]) == 3,
                                 timeout=30), of_case(cid))
        by = {n["channel"]: n for n in of_case(cid, "supervise")}
        # a note longer than a WeCom message may be: cut, the link kept, taken at once
        self.assertEqual((by["wecom"]["status"], by["wecom"]["attempts"]), ("sent", 1), by["wecom"])
        w = [body_of(r)["text"]["content"] for r in R.got("/wecom") if "督办" in body_of(r)["text"]["content"]
             and k["number"] in body_of(r)["text"]["content"]]
        self.assertEqual(len(w), 1)
        self.assertLessEqual(len(w[0].encode()), 2048)
        self.assertIn("…\n查看：", w[0])  # cut on a whole character, the link kept
        self.assertTrue(w[0].endswith("查看：http://console.example/#/cases/%d" % cid), w[0][-80:])
        self.assertEqual(by["wecom_bad"]["attempts"], 3)
        self.assertIn("企业微信机器人未接受", by["wecom_bad"]["last_error"])
        self.assertIn("93000", by["wecom_bad"]["last_error"])
        self.assertEqual(by["gone"]["attempts"], 1)
        self.assertIn("HTTP 404", by["gone"]["last_error"])
        self.assertEqual(by["down"]["attempts"], 3)
        self.assertIn("HTTP 503", by["down"]["last_error"])
        self.assertIsNone(by["down"]["next_at"])
        dead = notices(status="dead")
        self.assertGreaterEqual(dead["counts"]["dead"], 3)
        self.assertIn(by["down"]["id"], [n["id"] for n in dead["items"]])
        self.assertEqual(S.as_("zhzx01").post("/api/v1/notifications/%d/retry" % by["down"]["id"]).status, 403)
        # the receiver is back: the administrator sends it again
        R.down = False
        before = len(R.got("/down"))
        r = admin.post("/api/v1/notifications/%d/retry" % by["down"]["id"])
        self.assertEqual((r.status, r.json["status"], r.json["attempts"]), (200, "pending", 0), r)
        self.assertTrue(wait_for(lambda: {n["channel"]: n for n in of_case(cid)}["down"]["status"] == "sent",
                                 timeout=15))
        self.assertEqual(len(R.got("/down")), before + 1)
        r = admin.post("/api/v1/notifications/%d/retry" % by["down"]["id"])
        self.assertEqual((r.status, r.err().get("field")), (409, "status"))
        self.assertEqual(admin.post("/api/v1/notifications/999999/retry").status, 404)

    def test_major_hazard(self):
        objs = S.as_("admin").get("/api/v1/objects?grid=44030300100102&limit=200").json["items"]
        ent = [o for o in objs if o["kind"] == "enterprise"][0]
        r = S.as_("wgy_hb").post("/api/v1/patrols", {
            "object": ent["id"], "client_id": str(uuid.uuid4()),
            "location": {"lat": ent["location"]["lat"], "lng": ent["location"]["lng"], "crs": "wgs84", "accuracy": 10},
            "answers": {"fire_exit": "畅通", "extinguisher": "完好有效", "wiring": "规范"},
            "findings": [{"severity": "major", "type": "electric", "description": "配电房线路严重老化",
                          "supervisor": "区应急管理局局长"}]})
        self.assertEqual(r.status, 201, r)
        h = r.json["hazards"][0]
        self.assertTrue(wait_for(lambda: [x for x in R.got("/hazards") if body_of(x)["data"]["hazard"]["id"] == h["id"]],
                                 timeout=15))
        got = [x for x in R.got("/hazards") if body_of(x)["data"]["hazard"]["id"] == h["id"]]
        self.assertEqual(len(got), 1)
        b = body_of(got[0])
        self.assertTrue(b["subject"].startswith("【挂牌督办】"), b)
        self.assertIn("区应急管理局局长", b["text"])
        self.assertEqual(b["data"]["hazard"]["case"], h["case"])


    def test_red_card_once_a_month(self):
        """Two streets with the same investment target this year: the one
        far behind the time elapsed is carded red, and told once."""
        import datetime
        today = datetime.date.today()
        admin = S.as_("admin")
        for unit, done in (("440303001", 950), ("440303002", 50)):
            r = admin.post("/api/v1/targets", {"unit": unit, "indicator": "fixed_investment",
                                               "period": str(today.year), "value": 1000})
            self.assertEqual(r.status, 201, r)
            r = admin.post("/api/v1/targets/actuals", {"unit": unit, "indicator": "fixed_investment",
                                                       "period": today.strftime("%Y-%m"), "value": done})
            self.assertEqual(r.status, 201, r)
        board = S.as_("leader").get("/api/v1/targets/board?unit=440303&period=%d" % today.year).json
        cards = {(x["unit"], x["indicator"]): x["card"] for x in board["rows"]}
        self.assertEqual(cards[("440303002", "fixed_investment")], "red", board)
        self.assertTrue(wait_for(lambda: R.got("/cards", lambda r: body_of(r)["data"]["card"]["unit"] == "440303002"),
                                 timeout=15), notices())
        got = [body_of(r) for r in R.got("/cards")]
        self.assertEqual([(b["data"]["card"]["unit"], b["data"]["card"]["indicator"]) for b in got],
                         [("440303002", "fixed_investment")])
        self.assertTrue(got[0]["subject"].startswith("【红牌】"), got[0])
        self.assertIn("固定资产投资", got[0]["subject"])
        self.assertIn("完成：5.0%", got[0]["text"])
        # another entry looks again: still red this month, nothing new
        r = admin.post("/api/v1/targets/actuals", {"unit": "440303002", "indicator": "fixed_investment",
                                                   "period": today.strftime("%Y-%m"), "value": 60})
        self.assertEqual(r.status, 201, r)
        time.sleep(1.5)
        self.assertEqual(len(R.got("/cards")), 1)


class Restart(unittest.TestCase):
    def test_no_twin_after_restart(self):
        """Notices pending when the server stops are sent once after it
        starts again; nothing already sent is sent again, and no event adds
        its notice twice."""
        path = os.path.join(tempfile.mkdtemp(), "fast.json")
        fast_categories(path)
        s = Server(BIHUAN, categories=path)
        s.demo(cases=0)
        s.start()
        try:
            tag = "restart-" + uuid.uuid4().hex
            failing, hook = "/fail-1000-" + tag, "/" + tag
            doc = config(channels=[{"key": "r", "type": "webhook", "url": R.url(failing)}],
                         rules=[{"event": "dispatch", "channels": ["r"]}],
                         retry={"first_seconds": 1, "max_seconds": 1, "max_attempts": 100})
            self.assertEqual(s.as_("admin").put("/api/v1/notifications/config", doc).status, 204)
            op = s.as_("zhzx01")
            ids = []
            for i in range(3):
                r = s.as_("wgy_hb").post("/api/v1/cases", {"category": "E0101", "description": "重启 %d" % i,
                                                            "unit": GRID})
                ids.append(r.json["id"])
                op.act(r.json["id"], "register")
                op.act(r.json["id"], "dispatch", to_unit="440303-CG")
            self.assertTrue(wait_for(lambda: len(R.got(failing)) >= 3, timeout=15))
            self.assertEqual(s.stop(), 0)
            # the receiver works now, at the address the document names
            doc["channels"][0]["url"] = R.url(hook)
            s.start()
            self.assertEqual(s.as_("admin").put("/api/v1/notifications/config", doc).status, 204)
            self.assertTrue(wait_for(lambda: len(R.got(hook)) >= 3, timeout=20))
            self.assertEqual(s.stop(), 0)
            s.start()
            time.sleep(2.5)  # a start and a few rounds of the deliverer
            got = [body_of(r)["data"]["case"]["id"] for r in R.got(hook)]
            self.assertEqual(sorted(got), sorted(ids))
            listed = s.as_("admin").get("/api/v1/notifications?limit=200").json
            self.assertEqual(listed["counts"], {"pending": 0, "sent": 3, "dead": 0})
        finally:
            self.assertEqual(s.stop(), 0)
        # the command line reads the same outbox and document
        out = s.run("notify", "list", "--db", s.db, "--status", "sent").stdout.strip().split("\n")
        self.assertEqual(len(out), 3)
        self.assertTrue(all(line.split("\t")[2:5] == ["dispatch", "r", "sent"] for line in out), out)
        p = s.run("notify", "retry", "--db", s.db, out[0].split("\t")[0], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("已发送", p.stderr)
        exported = json.loads(s.run("notify", "config-export", "--db", s.db).stdout)
        self.assertEqual(exported["channels"][0]["url"], R.url(hook))
        bad = os.path.join(s.dir, "bad.json")
        json.dump(dict(exported, rules=[{"event": "dispatch", "channels": ["x"]}]), open(bad, "w"))
        p = s.run("notify", "config-import", "--db", s.db, bad, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("rules[0].channels[0]", p.stderr)
        good = os.path.join(s.dir, "good.json")
        json.dump(dict(exported, rules=[]), open(good, "w"))
        s.run("notify", "config-import", "--db", s.db, good)
        self.assertEqual(json.loads(s.run("notify", "config-export", "--db", s.db).stdout)["rules"], [])


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN", "CATEGORIES")
