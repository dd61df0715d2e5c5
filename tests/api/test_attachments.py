#!/usr/bin/env python3
"""Evidence on cases (issue 14 item 1): uploads recognised by content,
limits, truncation, EXIF time and place, thumbnails, the copy without
location for roles that must not see it, storage by content, jurisdiction
on every download, and the evidence a category's policy requires.

The photos are made by the test with tests/media/mkphoto (libvips encodes
them, libexif writes their EXIF).

Usage: test_attachments.py PATH/TO/bihuan PATH/TO/mkphoto
"""
import glob
import hashlib
import json
import os
import struct
import subprocess
import sys
import unittest
import uuid
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
MKPHOTO = None
S = None
GRID1 = "44030300100101"  # street 440303001
GRID2 = "44030300200101"  # street 440303002
PHOTO = {}


def photo(name, *args):
    path = os.path.join(S.dir, name)
    subprocess.run([MKPHOTO, path, *args], check=True)
    with open(path, "rb") as f:
        return f.read()


def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=0)
    S.start()
    PHOTO["gps"] = photo("gps.jpg", "640", "--time", "2026:12:07 09:30:05", "--gps", "22.5431,114.0579")
    PHOTO["plain"] = photo("plain.jpg", "200")
    PHOTO["png"] = photo("p.png", "100")
    PHOTO["webp"] = photo("p.webp", "100")
    PHOTO["png_gps"] = photo("g.png", "100", "--gps", "22.5431,114.0579")
    PHOTO["webp_gps"] = photo("g.webp", "100", "--time", "2026:12:07 09:30:05", "--gps", "-22.5431,-114.0579")


def stored_files():
    return sorted(glob.glob(os.path.join(S.dir, "files", "??", "*")))


def mp4(place=b""):
    """ftyp, a movie box (with a QuickTime place when given), media data."""
    udta = b""
    if place:
        xyz = struct.pack(">HH", len(place), 0x15C7) + place
        udta = struct.pack(">I", 8 + 8 + len(xyz)) + b"udta" + struct.pack(">I", 8 + len(xyz)) + b"\xa9xyz" + xyz
    moov = struct.pack(">I", 8 + len(udta)) + b"moov" + udta
    return (struct.pack(">I", 16) + b"ftypisom" + b"\0\0\0\1" + moov +
            struct.pack(">I", 16) + b"mdat" + b"\0" * 8)


def tearDownModule():
    if S:
        rc = S.stop()
        assert rc == 0, "serve exited %d on SIGTERM" % rc


def multipart(fields):
    """fields: [(name, filename or None, content type or None, bytes)]"""
    b = "----bihuan" + uuid.uuid4().hex
    out = b""
    for name, filename, ctype, data in fields:
        out += b"--" + b.encode() + b"\r\n"
        disp = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename else "")
        out += ("Content-Disposition: %s\r\n" % disp).encode("utf-8", "surrogateescape")  # a raw byte for \\udcXX
        if ctype:
            out += ("Content-Type: %s\r\n" % ctype).encode()
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + b.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + b


def upload(user, data, case=None, stage=None, filename="photo.jpg", ctype="image/jpeg"):
    fields = [("file", filename, ctype, data)]
    if stage:
        fields.append(("stage", None, None, stage.encode()))
    body, ct = multipart(fields)
    path = "/api/v1/cases/%d/attachments" % case if case else "/api/v1/attachments"
    return S.request("POST", path, raw=body, token=S.login(user), headers={"Content-Type": ct})


def report(user, grid=GRID1, **extra):
    r = S.as_(user).post("/api/v1/cases", dict({"category": "E0101", "description": "证据测试",
                                                "unit": grid}, **extra))
    return r


def jpeg_size(data):
    """(width, height) from a JPEG's SOF segment."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    raise AssertionError("no SOF")


class Uploads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = report("zhzx01")
        assert r.status == 201, r
        cls.case = r.json["id"]

    def test_photo_with_exif(self):
        r = upload("zhzx01", PHOTO["gps"], self.case, stage="before")
        self.assertEqual(r.status, 201, r)
        f = r.json
        self.assertEqual((f["type"], f["size"], f["stage"], f["case"]), ("jpeg", len(PHOTO["gps"]), "before", self.case))
        self.assertEqual(f["sha256"], hashlib.sha256(PHOTO["gps"]).hexdigest())
        self.assertEqual(f["taken_at"], "2026-12-07T09:30:05+08:00")
        self.assertAlmostEqual(f["location"]["lat"], 22.5431, places=5)
        self.assertAlmostEqual(f["location"]["lng"], 114.0579, places=5)
        self.assertEqual(r.headers["Location"], "/api/v1/attachments/%d" % f["id"])
        # the case lists it
        c = S.as_("zhzx01").get("/api/v1/cases/%d" % self.case).json
        self.assertIn(f["id"], [a["id"] for a in c["attachments"]])
        # the file as it was sent, to a role that sees personal data
        d = S.as_("zhzx01").get(f["url"])
        self.assertEqual((d.status, d.headers["Content-Type"]), (200, "image/jpeg"))
        self.assertEqual(d.raw, PHOTO["gps"])
        # a leader does not see where it was taken: no location, the copy without EXIF
        c = S.as_("leader").get("/api/v1/cases/%d" % self.case).json
        mine = next(a for a in c["attachments"] if a["id"] == f["id"])
        self.assertNotIn("location", mine)
        d = S.as_("leader").get(f["url"])
        self.assertEqual(d.status, 200)
        self.assertNotIn(b"Exif\x00\x00", d.raw)
        self.assertTrue(d.raw.startswith(b"\xff\xd8\xff"))
        self.assertEqual(jpeg_size(d.raw), jpeg_size(PHOTO["gps"]))
        # the thumbnail: a JPEG at most 320 pixels wide, without EXIF
        t = S.as_("leader").get(f["thumbnail_url"])
        self.assertEqual((t.status, t.headers["Content-Type"]), (200, "image/jpeg"))
        self.assertEqual(jpeg_size(t.raw), (320, 240))
        self.assertNotIn(b"Exif\x00\x00", t.raw)

    def test_same_bytes_stored_once_raw_upload(self):
        once = photo("once.jpg", "210")  # bytes no other test uploads
        before = stored_files()
        a = upload("zhzx01", once, self.case, stage="after")
        self.assertEqual(a.status, 201, a)
        b = S.request("POST", "/api/v1/cases/%d/attachments?stage=other&name=%%E7%%85%%A7.jpg" % self.case,
                      raw=once, token=S.login("zhzx01"), headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(b.status, 201, b)
        self.assertEqual((b.json["stage"], b.json["name"], b.json["type"]), ("other", "照.jpg", "jpeg"))
        self.assertNotEqual(a.json["id"], b.json["id"])
        self.assertEqual(a.json["sha256"], b.json["sha256"])
        sha = a.json["sha256"]
        added = [os.path.basename(p) for p in stored_files() if p not in before]
        # the bytes, their thumbnail and their copy without metadata: once, for both uploads
        self.assertEqual(sorted(added), [sha, sha + ".strip", sha + ".thumb.jpg"])
        with open(os.path.join(S.dir, "files", sha[:2], sha), "rb") as f:
            self.assertEqual(f.read(), once)
        self.assertIsNone(a.json["taken_at"])  # no EXIF
        self.assertIsNone(a.json["location"])
        # the case ledger names them with their links
        csv = S.as_("zhzx01").get("/api/v1/ledgers/cases.csv").raw.decode("utf-8-sig")
        self.assertIn("附件", csv.splitlines()[0])
        self.assertIn("处置后 photo.jpg /api/v1/attachments/%d" % a.json["id"], csv)
        self.assertIn("其他 照.jpg /api/v1/attachments/%d" % b.json["id"], csv)

    def test_other_kinds(self):
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        for data, kind, mime in ((PHOTO["png"], "png", "image/png"), (PHOTO["webp"], "webp", "image/webp"),
                                 (pdf, "pdf", "application/pdf"), (mp4(), "mp4", "video/mp4")):
            r = upload("zhzx01", data, self.case, filename="x.bin", ctype="application/octet-stream")
            self.assertEqual((r.status, r.json.get("type")), (201, kind), r)
            d = S.as_("zhzx01").get(r.json["url"])
            self.assertEqual((d.headers["Content-Type"], d.raw), (mime, data))
            self.assertEqual(r.json["thumbnail_url"] is not None, kind in ("png", "webp"))
            self.assertEqual(d.headers["Cache-Control"], "private, no-cache")
            self.assertTrue(d.headers["Content-Disposition"].startswith(
                "inline" if mime.startswith("image/") else "attachment"), d.headers["Content-Disposition"])
        # a PDF has no thumbnail
        r = upload("zhzx01", pdf, self.case)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/attachments/%d/thumbnail" % r.json["id"]).status, 404)

    def test_place_in_png_webp_and_video(self):
        """Where it was taken, wherever the file keeps it: read for the
        command centre, gone from what other roles get."""
        for data, lat, lng in ((PHOTO["png_gps"], 22.5431, 114.0579), (PHOTO["webp_gps"], -22.5431, -114.0579)):
            r = upload("zhzx01", data, self.case, filename="x")
            self.assertEqual(r.status, 201, r)
            self.assertAlmostEqual(r.json["location"]["lat"], lat, places=5)
            self.assertAlmostEqual(r.json["location"]["lng"], lng, places=5)
            self.assertEqual(S.as_("zhzx01").get(r.json["url"]).raw, data)
            other = S.as_("leader").get(r.json["url"]).raw
            self.assertNotEqual(other, data)
            # read back by the same reader: nothing says where (or when) it was taken
            again = upload("zhzx01", other, self.case, filename="copy")
            self.assertEqual(again.status, 201, again)
            self.assertEqual((again.json["location"], again.json["taken_at"]), (None, None))
        webp = upload("zhzx01", PHOTO["webp_gps"], self.case).json
        self.assertEqual(webp["taken_at"], "2026-12-07T09:30:05+08:00")
        video = mp4(b"+22.5431+114.0579/")
        r = upload("zhzx01", video, self.case, filename="v.mp4", ctype="video/mp4")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(S.as_("zhzx01").get(r.json["url"]).raw, video)
        other = S.as_("leader").get(r.json["url"]).raw
        self.assertEqual(len(other), len(video))
        self.assertNotIn(b"22.5431", other)
        self.assertIn(b"+00.0000+000.0000/", other)

    def test_refused(self):
        def refused(data, status, field, needle, **kw):
            r = upload("zhzx01", data, self.case, **kw)
            self.assertEqual((r.status, r.err().get("field")), (status, field), r)
            self.assertIn(needle, r.err()["message"])
        # a text file named photo.jpg, sent as image/jpeg
        refused(b"this is not a photo\n" * 10, 400, "file", "按内容识别")
        # cut short
        refused(PHOTO["gps"][: len(PHOTO["gps"]) // 2], 400, "file", "不完整")
        refused(PHOTO["png"][:-12], 400, "file", "不完整")
        refused(b"%PDF-1.4\n1 0 obj<<>>endobj\n", 400, "file", "不完整")
        refused(struct.pack(">I", 4096) + b"ftypisom" + b"\0" * 100, 400, "file", "不完整")
        refused(struct.pack(">I", 16) + b"ftypisom\0\0\0\1" + struct.pack(">I", 16) + b"mdat" + b"\0" * 8,
                400, "file", "不完整")  # no movie box
        refused(struct.pack(">I", 16) + b"ftypheic\0\0\0\0" + struct.pack(">I", 8) + b"moov", 400, "file", "HEIC")
        refused(PHOTO["plain"], 400, "file", "UTF-8", filename="\udcff.jpg")
        # decodes as nothing: a JPEG whose scan is garbage
        bad = PHOTO["plain"][:200] + b"\x00" * 200 + b"\xff\xd9"
        refused(bad, 400, "file", "")
        # a few hundred bytes that declare 100000 x 100000 pixels
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
        refused(bomb, 400, "file", "像素过多")
        # too large for its kind
        refused(b"\xff\xd8\xff" + b"\0" * (20 << 20), 413, "file", "20 MB")
        refused(b"", 400, "file", "空")
        refused(PHOTO["plain"], 400, "stage", "stage", stage="middle")
        # multipart without the file field; a body cut before its closing boundary
        body, ct = multipart([("stage", None, None, b"after")])
        r = S.request("POST", "/api/v1/cases/%d/attachments" % self.case, raw=body, token=S.login("zhzx01"),
                      headers={"Content-Type": ct})
        self.assertEqual((r.status, r.err()["field"]), (400, "file"))
        body, ct = multipart([("file", "a.jpg", "image/jpeg", PHOTO["plain"])])
        r = S.request("POST", "/api/v1/cases/%d/attachments" % self.case, raw=body[:-40], token=S.login("zhzx01"),
                      headers={"Content-Type": ct})
        self.assertEqual((r.status, r.err()["field"]), (400, "body"))
        self.assertIn("截断", r.err()["message"])
        # nothing of these was stored
        c = S.as_("zhzx01").get("/api/v1/cases/%d" % self.case).json
        self.assertFalse([a for a in c["attachments"] if a["size"] > (20 << 20) or a["stage"] == "middle"])


class Access(unittest.TestCase):
    """Who may upload and download: whoever may read the case; an
    attachment not yet bound to a case, its uploader (and the admin)."""

    def test_matrix(self):
        r1 = report("wgy_hb", GRID1)   # street 1's grid worker
        r2 = report("wgy_cz", GRID2)   # street 2's
        self.assertEqual((r1.status, r2.status), (201, 201))
        f1 = upload("wgy_hb", PHOTO["plain"], r1.json["id"], stage="before")
        self.assertEqual(f1.status, 201, f1)
        url = f1.json["url"]
        expect = {"wgy_hb": 200, "zhzx01": 200, "leader": 200, "admin": 200, "hb_leader": 200,
                  "wgy_cz": 404, "citizen": 404, "cg": 404}
        for user, status in expect.items():
            self.assertEqual(S.as_(user).get(url).status, status, user)
            self.assertEqual(S.as_(user).get(url + "/thumbnail").status, status, user)
        self.assertEqual(S.request("GET", url).status, 401)
        # nor may they upload to a case they cannot read, and nothing of it is kept
        before = stored_files()
        self.assertEqual(upload("wgy_cz", PHOTO["gps"], r1.json["id"]).status, 404)
        self.assertEqual(upload("citizen", PHOTO["plain"], r1.json["id"]).status, 404)
        self.assertEqual(upload("wgy_hb", PHOTO["gps"], 999999).status, 404)
        self.assertEqual(stored_files(), before)
        # ahead of a case: only roles that report or check in
        for user in ("leader", "cg"):
            r = upload(user, PHOTO["plain"])
            self.assertEqual((r.status, r.err()["field"]), (403, "role"), user)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/attachments/999999").status, 404)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/attachments/x").status, 404)

    def test_ahead_of_the_case(self):
        f = upload("wgy_hb", PHOTO["gps"], stage="before")
        self.assertEqual((f.status, f.json["case"]), (201, None), f)
        url = f.json["url"]
        self.assertEqual(S.as_("wgy_hb").get(url).status, 200)
        self.assertEqual(S.as_("wgy_cz").get(url).status, 404)
        self.assertEqual(S.as_("admin").get(url).status, 200)
        # another user cannot bind it
        r = report("wgy_cz", GRID2, attachments=[f.json["id"]])
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments"), r)
        # its uploader does, once
        r = report("wgy_hb", GRID1, attachments=[f.json["id"]])
        self.assertEqual(r.status, 201, r)
        self.assertEqual([a["id"] for a in r.json["attachments"]], [f.json["id"]])
        self.assertEqual(S.as_("hb_leader").get(url).status, 200)  # now the case's readers
        r = report("wgy_hb", GRID1, attachments=[f.json["id"]])
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments"))
        r = report("wgy_hb", GRID1, attachments=["x"])
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments[0]"))


class CheckIn(unittest.TestCase):
    """A check-in takes the photos its grid worker uploaded ahead; they are
    read as the check-in is."""

    def test_checkin_photos(self):
        objs = S.as_("zhzx01").get("/api/v1/objects?grid=%s&kind=component&limit=1" % GRID1).json["items"]
        self.assertTrue(objs, "the demo grid has a component")
        obj = objs[0]
        f = upload("wgy_hb", PHOTO["gps"], stage="other")
        self.assertEqual(f.status, 201, f)
        body = {"object": obj["id"], "client_id": str(uuid.uuid4()), "answers": {"state": "完好"},
                "attachments": [f.json["id"]]}
        if obj.get("location"):
            body["location"] = {"lat": obj["location"]["lat"], "lng": obj["location"]["lng"], "accuracy": 10}
        r = S.as_("wgy_hb").post("/api/v1/patrols", body)
        self.assertEqual(r.status, 201, r)
        p = S.as_("zhzx01").get("/api/v1/patrols/%d" % r.json["id"]).json
        self.assertEqual([a["id"] for a in p["attachments"]], [f.json["id"]])
        self.assertEqual(S.as_("hb_leader").get(f.json["url"]).status, 200)
        self.assertEqual(S.as_("wgy_cz").get(f.json["url"]).status, 404)
        # bound once
        body["client_id"] = str(uuid.uuid4())
        r = S.as_("wgy_hb").post("/api/v1/patrols", body)
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments"))


class Evidence(unittest.TestCase):
    """Policy as data: city_event's handle needs an after photo of this
    round, and a grid worker's report a before photo."""

    @classmethod
    def setUpClass(cls):
        admin = S.as_("admin")
        doc = json.loads(admin.get("/api/v1/categories/document").raw)
        doc["policies"]["city_event"]["evidence"] = [
            {"action": "handle", "stage": "before", "roles": ["handler"]},
            {"action": "handle", "stage": "after"},
            {"action": "report", "stage": "before", "roles": ["reporter"]}]
        r = S.request("PUT", "/api/v1/categories", raw=json.dumps(doc, ensure_ascii=False).encode(),
                      token=S.login("admin"), headers={"Content-Type": "application/json"})
        assert r.status == 200, r
        bad = dict(doc)
        bad["policies"] = dict(doc["policies"])
        bad["policies"]["city_event"] = dict(doc["policies"]["city_event"],
                                             evidence=[{"action": "fly", "stage": "after"}])
        r = S.request("PUT", "/api/v1/categories", raw=json.dumps(bad, ensure_ascii=False).encode(),
                      token=S.login("admin"), headers={"Content-Type": "application/json"})
        assert r.status == 400 and "evidence[0]" in r.err()["field"], r

    def test_report_needs_a_before_photo(self):
        r = report("wgy_hb")
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments"))
        self.assertIn("处置前", r.err()["message"])
        after = upload("wgy_hb", PHOTO["plain"], stage="after")
        r = report("wgy_hb", attachments=[after.json["id"]])
        self.assertEqual((r.status, r.err()["field"]), (400, "attachments"))
        before = upload("wgy_hb", PHOTO["plain"], stage="before")
        r = report("wgy_hb", attachments=[before.json["id"]])
        self.assertEqual(r.status, 201, r)
        # the refused reports bound nothing: the after photo is still free
        r = report("wgy_hb", attachments=[after.json["id"], upload("wgy_hb", PHOTO["gps"], stage="before").json["id"]])
        self.assertEqual(r.status, 201, r)
        # the rule is the grid worker's: the operator reports without a photo
        self.assertEqual(report("zhzx01").status, 201)

    def test_handle_needs_an_after_photo_of_this_round(self):
        op, cg = S.as_("zhzx01"), S.as_("cg")
        cid = report("zhzx01").json["id"]
        for act, who, kw in (("register", op, {}), ("dispatch", op, {"to_unit": "440303-CG"}), ("accept", cg, {})):
            self.assertEqual(who.act(cid, act, **kw).status, 200, act)
        # both rules apply: a before and an after photo of this round
        r = cg.act(cid, "handle", result="已清理")
        self.assertEqual((r.status, r.err()["code"], r.err()["field"]), (409, "failed_precondition", "attachments"))
        self.assertIn("处置前", r.err()["message"])
        self.assertEqual(upload("cg", PHOTO["plain"], cid, stage="before").status, 201)
        r = cg.act(cid, "handle", result="已清理")
        self.assertEqual(r.status, 409)
        self.assertIn("处置后", r.err()["message"])
        self.assertEqual(upload("cg", PHOTO["gps"], cid, stage="after").status, 201)
        r = cg.act(cid, "handle", result="已清理")
        self.assertEqual(r.status, 200)
        self.assertNotIn("attachments", r.json)  # an action's answer does not list them
        self.assertEqual(len(cg.get("/api/v1/cases/%d" % cid).json["attachments"]), 2)
        # rework: the next handling needs new photos
        self.assertEqual(op.act(cid, "verify_fail", reason="未清理干净").status, 200)
        self.assertEqual(cg.act(cid, "accept").status, 200)
        self.assertEqual(upload("cg", PHOTO["plain"], cid, stage="after").status, 201)
        self.assertEqual(cg.act(cid, "handle", result="再次清理").status, 409)
        self.assertEqual(upload("cg", PHOTO["png"], cid, stage="before").status, 201)
        self.assertEqual(cg.act(cid, "handle", result="再次清理").status, 200)

    def test_audit(self):
        v = S.as_("admin").get("/api/v1/audit/verify").json
        self.assertTrue(v["intact"], v)


class Backup(unittest.TestCase):
    def test_backup_while_serving_restores_every_file(self):
        """bihuan backup while the server runs; a server started on the
        backup serves the same bytes; not over another backup, nor of a
        database that does not exist; a damaged stored file is named."""
        k = report("wgy_hb").json
        a = upload("wgy_hb", PHOTO["gps"], case=k["id"], stage="before").json
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        b = upload("zhzx01", pdf, case=k["id"], filename="通知.pdf", ctype="application/pdf").json
        want = {i: S.request("GET", "/api/v1/attachments/%d" % i, token=S.login("admin")).raw for i in (a["id"], b["id"])}
        thumb = S.request("GET", "/api/v1/attachments/%d/thumbnail" % a["id"], token=S.login("admin")).raw
        out = os.path.join(S.dir, "backup-1")
        p = S.run("backup", "--db", S.db, "--to", out)
        self.assertIn("备份完成", p.stdout)
        names = {os.path.basename(f) for f in glob.glob(os.path.join(out, "files", "??", "*"))}
        self.assertTrue({a["sha256"], a["sha256"] + ".thumb.jpg", a["sha256"] + ".strip", b["sha256"]} <= names, names)
        self.assertEqual(names, {os.path.basename(f) for f in stored_files()} - {"tmp"})
        # not over a backup already there
        p = S.run("backup", "--db", S.db, "--to", out, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("已存在且不为空", p.stderr)
        self.assertNotIn("不完整", p.stderr)  # the backup there is not touched
        p = S.run("backup", "--db", S.db + ".typo", "--to", os.path.join(S.dir, "backup-0"), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("不存在", p.stderr)
        self.assertFalse(os.path.exists(S.db + ".typo"))
        # restored: a server on the backup's database and files
        r = Server(BIHUAN, db=os.path.join(out, "bihuan.db"))
        r.start()
        try:
            for i, data in want.items():
                got = r.request("GET", "/api/v1/attachments/%d" % i, token=r.login("admin"))
                self.assertEqual((got.status, got.raw), (200, data))
            self.assertEqual(r.request("GET", "/api/v1/attachments/%d/thumbnail" % a["id"], token=r.login("admin")).raw, thumb)
        finally:
            self.assertEqual(r.stop(), 0)
        # a stored file that no longer matches its SHA-256 is named, the backup refused
        path = os.path.join(S.dir, "files", b["sha256"][:2], b["sha256"])
        good = open(path, "rb").read()
        try:
            with open(path, "wb") as f:
                f.write(good[:-2] + b"XX")
            p = S.run("backup", "--db", S.db, "--to", os.path.join(S.dir, "backup-2"), check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("已损坏", p.stderr)
            self.assertIn(b["sha256"], p.stderr)
        finally:
            with open(path, "wb") as f:
                f.write(good)


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN", "MKPHOTO")
