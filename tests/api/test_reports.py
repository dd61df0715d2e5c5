#!/usr/bin/env python3
"""The reporting loop (DESIGN.md §9, docs/REPORTS.md) through its real
interfaces, read back by real readers.

The fixture is the seed's document D13: 11,900 cases reported in 2023 H1,
11,888 closed, 12 left past their deadline (tests/report/seed_fixture.c),
so 结案率 = 11888 / 11900 = 99.90%.  The summary built from it must say
"共上报案件11900件" and "结案率99.90%" in every format - Markdown from the
command line, .docx read by python-docx and converted by LibreOffice, .pdf
read by poppler, .xlsx read by openpyxl - and a template worded like D13
must reproduce its sentence exactly.  Then jurisdiction, errors, a
bulletin built on schedule by the server's sweeper, and a period without
data that must not print "0件" or "0.00%".

Usage: test_reports.py PATH/TO/bihuan PATH/TO/seed_fixture [OUT]
(OUT: where the first pages are rendered as PNG, for docs/REPORTS.md)
"""
import datetime
import decimal
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, wait_for, DEBIAN_PYTHON  # noqa: E402

BIHUAN = None
SEED_FIXTURE = None
OUT = None
S = None
REPORT = None  # the district's H1 summary, built once through the API

SEED_SENTENCE = "今年以来，共计上报案件11900件，结案率99.90%。"


def setUpModule():
    global S, REPORT
    S = Server(BIHUAN)
    S.demo(cases=0)
    p = subprocess.run([SEED_FIXTURE, S.db], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    S.start()
    r = S.as_("leader").post("/api/v1/reports", {"kind": "summary", "unit": "440303",
                                                  "from": "2023-01-01", "to": "2023-06-30"})
    assert r.status == 201, r
    REPORT = r.json


def tearDownModule():
    S.stop()


def download(user, rid, fmt):
    r = S.as_(user).get("/api/v1/reports/%d.%s" % (rid, fmt))
    assert r.status == 200, r
    return r


def tool(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, timeout=300, **kw)
    if p.returncode != 0:
        raise AssertionError("%s failed: %s" % (args[0], p.stderr.decode("utf-8", "replace")))
    return p.stdout


_DOCX_DUMP = r"""
import docx, json, sys
d = docx.Document(sys.argv[1])
s = d.sections[0]
out = {
    "paragraphs": [[p.style.name, p.text] for p in d.paragraphs],
    "tables": [[[c.text for c in row.cells] for row in t.rows] for t in d.tables],
    "header_rows": [t.rows[0]._tr.trPr is not None and
                    t.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
                    for t in d.tables],
    "images": len(d.inline_shapes),
    "page_mm": [round(s.page_width.mm), round(s.page_height.mm)],
    "margins_mm": [round(s.top_margin.mm), round(s.bottom_margin.mm),
                   round(s.left_margin.mm), round(s.right_margin.mm)],
    "footer_xml": s.footer._element.xml,
    "title": d.core_properties.title,
}
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def read_docx(data):
    with tempfile.NamedTemporaryFile(suffix=".docx") as f:
        f.write(data)
        f.flush()
        return json.loads(tool(DEBIAN_PYTHON, "-c", _DOCX_DUMP, f.name))


def pdf_text(path):
    return tool("pdftotext", "-layout", path, "-").decode("utf-8")


def squash(text):
    return "".join(text.split())


def libreoffice_pdf(docx_bytes, name):
    """The .docx converted to PDF by LibreOffice headless; its path."""
    out = tempfile.mkdtemp(dir=S.dir)
    src = os.path.join(out, name + ".docx")
    with open(src, "wb") as f:
        f.write(docx_bytes)
    profile = "file://" + os.path.join(out, "lo-profile")
    p = subprocess.run(["soffice", "-env:UserInstallation=" + profile, "--headless", "--convert-to",
                        "pdf", "--outdir", out, src], capture_output=True, timeout=300)
    pdf = os.path.join(out, name + ".pdf")
    if p.returncode != 0 or not os.path.exists(pdf):
        raise AssertionError("LibreOffice did not convert %s: %s" % (name, p.stderr.decode("utf-8", "replace")))
    return pdf


def first_page_png(pdf, name):
    """Render the first page for the docs (when an output folder is given)."""
    if OUT:
        os.makedirs(OUT, exist_ok=True)
        tool("pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-png", pdf,
             os.path.join(OUT, name))


def content(rid):
    r = S.as_("leader").get("/api/v1/reports/%d" % rid)
    assert r.status == 200, r
    return r.json["content"]["blocks"]


class Fidelity(unittest.TestCase):
    def test_markdown_from_the_command_line_says_the_seeds_figures(self):
        md = S.run("report", "summary", "--db", S.db, "--unit", "440303", "--period", "2023H1").stdout
        self.assertIn("上半年，共上报案件11900件，立案11900件，结案11888件，结案率99.90%", md)
        self.assertIn("# 示范区2023年上半年工作总结", md)
        self.assertIn("## 一、2023年上半年工作情况", md)
        self.assertIn("## 二、存在的问题", md)
        # the problems section is derived: 12 overdue cases
        self.assertIn("超期案件12件", md)
        self.assertIn("## 三、下半年工作计划", md)
        # twelve are still open past their deadline on 30 June
        self.assertIn("截至6月30日，尚有12件在办", md)

    def test_a_template_worded_like_d13_reproduces_its_sentence(self):
        tpl = {"kind": "summary", "name": "D13 智慧城管",
               "title": "{unit}智慧城管工作",
               "body": [{"h": "智慧城管工作", "body": [
                   {"p": [["{period_lead}，共计上报案件{cases.reported|件}",
                           "结案率{cases.close_rate|2}"]]}]}]}
        path = os.path.join(S.dir, "d13.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(tpl, f, ensure_ascii=False)
        # D13 is dated before the half-year's end: "今年以来" to 24 June
        md = S.run("report", "summary", "--db", S.db, "--unit", "440303", "--from", "2023-01-01",
                   "--to", "2023-06-24", "--template", path).stdout
        self.assertIn(SEED_SENTENCE, md)
        self.assertIn("## 一、智慧城管工作", md)

    def test_the_command_line_writes_each_format_to_its_file(self):
        for fmt in ("docx", "pdf", "xlsx"):
            path = os.path.join(S.dir, "上半年工作总结." + fmt)
            r = S.run("report", "summary", "--db", S.db, "--unit", "440303", "--period", "2023H1",
                      "-o", path)
            self.assertIn("已生成《示范区2023年上半年工作总结》", r.stderr)
            with open(path, "rb") as f:
                data = f.read()
            if fmt == "docx":
                self.assertIn("结案率99.90%", "\n".join(t for _, t in read_docx(data)["paragraphs"]))
            elif fmt == "pdf":
                self.assertIn("结案率99.90%", pdf_text(path).replace(" ", "").replace("\n", ""))
            else:
                self.assertIn("正文", harness.read_xlsx(data))
        self.assertEqual([n for n in os.listdir(S.dir) if ".tmp" in n], [])  # no half-written file left

    def test_docx_read_by_python_docx(self):
        r = download("leader", REPORT["id"], "docx")
        self.assertEqual(r.headers["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        d = read_docx(r.raw)
        text = "\n".join(t for _, t in d["paragraphs"])
        self.assertIn("共上报案件11900件", text)
        self.assertIn("结案率99.90%", text)
        styles = dict((t, s) for s, t in d["paragraphs"])
        self.assertEqual(styles["示范区2023年上半年工作总结"], "Title")
        self.assertEqual(styles["一、2023年上半年工作情况"], "Heading 1")
        self.assertEqual(styles["（一）案件办理闭环"], "Heading 2")
        self.assertEqual(styles["表1 各单位案件办理情况"], "Caption")
        # the streets' table: a header row repeated on each page, the total row
        t = d["tables"][0]
        self.assertEqual(t[0][:3], ["单位", "上报数", "立案数"])
        self.assertTrue(d["header_rows"][0])
        self.assertEqual(t[-1][:4], ["合计", "11900", "11900", "11888"])
        self.assertEqual(sum(int(row[1]) for row in t[1:-1]), 11900)
        self.assertGreaterEqual(d["images"], 2)  # the charts
        # GB/T 9704: A4, margins 37/35/28/26 mm, a page number in the footer
        self.assertEqual(d["page_mm"], [210, 297])
        self.assertEqual(d["margins_mm"], [37, 35, 28, 26])
        self.assertIn("PAGE", d["footer_xml"])
        self.assertEqual(d["title"], "示范区2023年上半年工作总结")

    def test_docx_converted_by_libreoffice(self):
        r = download("leader", REPORT["id"], "docx")
        pdf = libreoffice_pdf(r.raw, "summary")
        text = pdf_text(pdf).replace(" ", "")
        self.assertIn("共上报案件11900件", text)
        self.assertIn("99.90%", text)
        self.assertIn("—2—", text)  # page numbers, and more than one page
        first_page_png(pdf, "summary-docx")

    def test_every_number_is_the_apis(self):
        """The streets' table and the opening sentence against GET /api/v1/stats/cases."""
        st = S.as_("leader").get("/api/v1/stats/cases?unit=440303&from=2023-01-01&to=2023-06-30"
                                 "&group_by=unit").json
        def pct(num, den):  # half up on the counts, as the report rounds
            if not den:
                return ""
            q = (decimal.Decimal(num) * 100 / decimal.Decimal(den)).quantize(
                decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
            return "%s%%" % q
        blocks = content(REPORT["id"])
        table = [b["table"] for b in blocks if b["kind"] == "table" and b["table"]["name"] == "cases_by_unit"][0]
        rows = {r[0]: r for r in table["rows"]}
        for g in st["groups"]:
            self.assertEqual(rows[g["name"]][1:],
                             [str(g["reported"]), str(g["registered"]), str(g["closed"]),
                              pct(g["closed"], g["due"]), pct(g["closed_on_time"], g["due"]),
                              str(g["overdue"])], g["name"])
        t = st["total"]
        para = [b["text"] for b in blocks if b["kind"] == "paragraph" and "共上报案件" in b["text"]][0]
        self.assertIn("共上报案件%d件，立案%d件，结案%d件，结案率%s，按期结案率%s"
                      % (t["reported"], t["registered"], t["closed"], pct(t["closed"], t["due"]),
                         pct(t["closed_on_time"], t["due"])), para)

    def test_every_format_carries_the_same_content(self):
        """The stored content's headings, paragraphs and the first table's cells, found
        again in the Markdown, in the .docx (python-docx), in the .pdf (pdftotext) and
        in the .docx as LibreOffice prints it."""
        for kind, body in (("summary", REPORT), ("bulletin", None)):
            if body is None:
                body = S.as_("leader").post("/api/v1/reports", {"kind": "bulletin", "unit": "440303",
                                                               "period": "2023-06"}).json
            blocks = content(body["id"])
            heads = [b["number"] + b["text"] for b in blocks if b["kind"] == "heading"]
            paras = [b["text"] for b in blocks if b["kind"] == "paragraph"]
            table = [b["table"] for b in blocks if b["kind"] == "table" and not b["annex"]][0]
            cells = table["head"] + [c for row in table["rows"] for c in row if c]
            self.assertGreaterEqual(len(heads), 3, kind)
            md = download("leader", body["id"], "md").raw.decode("utf-8")
            for t in heads + paras:
                self.assertIn(t, md, kind)
            d = read_docx(download("leader", body["id"], "docx").raw)
            styled = [(st, t) for st, t in d["paragraphs"]]
            for h in heads:
                self.assertIn(h, [t for st, t in styled if st.startswith("Heading")], kind)
            for t in paras:
                self.assertIn(t, [t2 for st, t2 in styled if st == "Body Text"], kind)
            docx_cells = [c for t in d["tables"] for row in t for c in row]
            for c in cells:
                self.assertIn(c, docx_cells, kind)
            path = os.path.join(S.dir, "%s-%d.pdf" % (kind, body["id"]))
            with open(path, "wb") as f:
                f.write(download("leader", body["id"], "pdf").raw)
            ours = squash(pdf_text(path))
            lo = squash(pdf_text(libreoffice_pdf(download("leader", body["id"], "docx").raw, kind)))
            for t in heads + paras + cells:
                self.assertIn(squash(t), ours, (kind, "pdf", t))
                self.assertIn(squash(t), lo, (kind, "LibreOffice", t))
            if kind == "summary":
                first_page_png(path, "summary-pdf")
            else:
                first_page_png(path, "bulletin-pdf")

    def test_pdf_read_by_poppler(self):
        r = download("leader", REPORT["id"], "pdf")
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        path = os.path.join(S.dir, "summary.pdf")
        with open(path, "wb") as f:
            f.write(r.raw)
        info = tool("pdfinfo", path).decode("utf-8")
        self.assertIn("示范区2023年上半年工作总结", info)
        self.assertIn("A4", info)
        text = pdf_text(path).replace(" ", "").replace("\n", "")
        self.assertIn("共上报案件11900件", text)
        self.assertIn("结案率99.90%", text)
        self.assertIn("—1—", text)

    def test_xlsx_read_by_openpyxl(self):
        r = download("leader", REPORT["id"], "xlsx")
        sheets = harness.read_xlsx(r.raw)
        names = list(sheets)
        self.assertEqual(names[0], "正文")
        self.assertIn("示范区2023年上半年工作总结", sheets["正文"][0][0])
        table = sheets[[n for n in names if n.startswith("表1")][0]]
        self.assertEqual(table[1][:2], ["单位", "上报数"])
        total = [row for row in table if row[0] == "合计"][0]
        self.assertEqual(total[1], "11900")
        # a number, not text, and a rate a fraction shown as a percentage
        path = os.path.join(S.dir, "annex.xlsx")
        with open(path, "wb") as f:
            f.write(r.raw)
        types = json.loads(tool(DEBIAN_PYTHON, "-c", (
            "import openpyxl, json, sys\n"
            "ws = openpyxl.load_workbook(sys.argv[1]).worksheets[1]\n"
            "row = [r for r in ws.iter_rows() if r[0].value == '合计'][0]\n"
            "print(json.dumps([type(row[1].value).__name__, row[4].number_format]))"), path))
        self.assertEqual(types, ["int", "0.00%"])
        self.assertAlmostEqual(float(total[4]), 11888 / 11900, places=4)  # 结案率 as a fraction
        # the long board (unit × indicator) is in the annex only
        annex = [n for n in names if n.startswith("附表1")]
        self.assertEqual(len(annex), 1, names)
        self.assertEqual(sheets[annex[0]][1][:3], ["单位", "指标", "年度目标"])
        md = download("leader", REPORT["id"], "md").raw.decode("utf-8")
        self.assertNotIn("附表", md)

    def test_markdown_download_has_the_title_as_file_name(self):
        r = download("leader", REPORT["id"], "md")
        self.assertTrue(r.headers["Content-Type"].startswith("text/markdown"))
        cd = r.headers["Content-Disposition"]
        self.assertIn('filename="report-%d.md"' % REPORT["id"], cd)
        name = urllib.parse.unquote(cd.split("filename*=UTF-8''")[1])
        self.assertEqual(name, "示范区2023年上半年工作总结.md")
        self.assertIn("共上报案件11900件", r.raw.decode("utf-8"))

    def test_every_format_says_the_same_as_the_stored_content(self):
        r = S.as_("leader").get("/api/v1/reports/%d" % REPORT["id"])
        self.assertEqual(r.status, 200)
        blocks = r.json["content"]["blocks"]
        para = [b["text"] for b in blocks if b["kind"] == "paragraph" and "11900" in b["text"]][0]
        md = download("leader", REPORT["id"], "md").raw.decode("utf-8")
        self.assertIn(para, md)
        d = read_docx(download("leader", REPORT["id"], "docx").raw)
        self.assertIn(para, [t for _, t in d["paragraphs"]])


class Access(unittest.TestCase):
    def test_a_street_gets_its_own_report_only(self):
        hb = S.as_("hb_leader")
        r = hb.post("/api/v1/reports", {"kind": "summary", "unit": "440303", "period": "2023H1"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.err()["field"], "unit")
        r = hb.post("/api/v1/reports", {"kind": "summary", "unit": "440303001", "period": "2023H1"})
        self.assertEqual(r.status, 201, r)
        own = r.json["id"]
        md = hb.get("/api/v1/reports/%d.md" % own).raw.decode("utf-8")
        self.assertIn("# 黄贝街道2023年上半年工作总结", md)
        self.assertIn("共上报案件1190件", md)  # every tenth case is 黄贝's
        # the district's report is not there for the street
        self.assertEqual(hb.get("/api/v1/reports/%d" % REPORT["id"]).status, 404)
        self.assertEqual(hb.get("/api/v1/reports/%d.docx" % REPORT["id"]).status, 404)
        ids = [x["id"] for x in hb.get("/api/v1/reports").json["items"]]
        self.assertIn(own, ids)
        self.assertNotIn(REPORT["id"], ids)
        # an empty unit is the caller's own, not everyone's
        ids = [x["id"] for x in hb.get("/api/v1/reports?unit=").json["items"]]
        self.assertEqual(ids, [x["id"] for x in hb.get("/api/v1/reports").json["items"]])
        self.assertNotIn(REPORT["id"], ids)
        self.assertEqual(hb.get("/api/v1/reports?unit=440303").status, 403)
        # nor the district's template, nor a sibling street's
        for unit in ("440303", "440303002"):
            self.assertEqual(hb.get("/api/v1/reports/templates/summary?unit=%s" % unit).status, 403)
        # the district sees both
        ids = [x["id"] for x in S.as_("leader").get("/api/v1/reports").json["items"]]
        self.assertIn(own, ids)
        self.assertIn(REPORT["id"], ids)

    def test_outside_roles_build_none(self):
        for user in ("wgy_hb", "citizen"):
            r = S.as_(user).post("/api/v1/reports", {"kind": "bulletin", "unit": "440303001",
                                                     "period": "2023-06"})
            self.assertEqual(r.status, 403, (user, r))
            self.assertEqual(S.as_(user).get("/api/v1/reports/%d" % REPORT["id"]).status, 403)
        self.assertEqual(S.request("GET", "/api/v1/reports/%d.pdf" % REPORT["id"]).status, 401)

    def test_errors_name_the_field(self):
        c = S.as_("leader")
        for body, field in [({"unit": "440303", "period": "2023H1"}, "kind"),
                            ({"kind": "memo", "unit": "440303", "period": "2023H1"}, "kind"),
                            ({"kind": "summary", "period": "2023H7"}, "period"),
                            ({"kind": "summary", "from": "2023-01-01"}, "to"),
                            ({"kind": "summary", "from": "2023-06-30", "to": "2023-01-01"}, "to"),
                            ({"kind": "summary", "from": "2030-01-01", "to": "2030-06-30"}, "from"),
                            ({"kind": "summary", "unit": "440399", "period": "2023H1"}, "unit")]:
            r = c.post("/api/v1/reports", body)
            self.assertIn(r.status, (400, 403, 404), (body, r))
            self.assertEqual(r.err()["field"], field, (body, r))
        self.assertEqual(c.get("/api/v1/reports/%d.doc" % REPORT["id"]).status, 404)
        self.assertEqual(c.get("/api/v1/reports/999999.pdf").status, 404)
        r = S.run("report", "summary", "--db", S.db, "--unit", "440303", "--period", "2023H1",
                  "-o", os.path.join(S.dir, "x.doc"), check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--format", r.stderr)


class Templates(unittest.TestCase):
    def put(self, user, kind, unit, text):
        return S.request("PUT", "/api/v1/reports/templates/%s?unit=%s" % (kind, unit),
                         raw=text.encode("utf-8"), token=S.login(user),
                         headers={"Content-Type": "application/json"})

    def test_a_street_words_its_own_reports_and_its_communities_inherit(self):
        r = S.as_("leader").get("/api/v1/reports/templates/summary?unit=440303002")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["X-Bihuan-Template"], "builtin")
        tpl = r.json
        self.assertEqual(tpl["kind"], "summary")
        # 翠竹街道 says 宗 where the shipped template says 件 (the Guangdong usage)
        tpl["body"][1]["body"][0]["body"][0]["p"][0][0] = "{period_lead}，共受理案件{cases.reported|宗}"
        self.assertEqual(self.put("leader", "summary", "440303002", json.dumps(tpl, ensure_ascii=False)).status, 204)
        md = lambda unit: S.as_("leader").get("/api/v1/reports/%d.md" % S.as_("leader").post(
            "/api/v1/reports", {"kind": "summary", "unit": unit, "period": "2023H1"}).json["id"]).raw.decode("utf-8")
        self.assertIn("上半年，共受理案件1190宗", md("440303002"))
        self.assertIn("上半年，共上报案件1190件", md("440303003"))  # a sibling keeps the shipped one
        r = S.as_("leader").get("/api/v1/reports/templates/summary?unit=440303002001")
        self.assertEqual((r.headers["X-Bihuan-Template"], r.headers["X-Bihuan-Template-Unit"]),
                         ("inherited", "440303002"))
        # a broken template is refused, naming the place; nothing changes
        bad = json.loads(json.dumps(tpl))
        bad["body"][1]["body"][0]["body"][0]["p"][0][0] = "共受理案件{cases.reported"
        r = self.put("leader", "summary", "440303002", json.dumps(bad, ensure_ascii=False))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.err()["field"], "body[1].body[0].body[0].p[0][0]")
        self.assertEqual(self.put("leader", "bulletin", "440303002", json.dumps(tpl)).status, 400)
        self.assertEqual(self.put("leader", "summary", "440303002", "{").status, 400)
        self.assertIn("共受理案件1190宗", md("440303002"))
        # a street may not word the district's, a handler none
        self.assertEqual(self.put("hb_leader", "summary", "440303", json.dumps(tpl)).status, 403)
        self.assertEqual(self.put("cg", "summary", "440303-CG", json.dumps(tpl)).status, 403)
        # removed: the shipped one again
        self.assertEqual(S.request("DELETE", "/api/v1/reports/templates/summary?unit=440303002",
                                   token=S.login("leader")).status, 204)
        self.assertIn("共上报案件1190件", md("440303002"))
        self.assertEqual(S.as_("leader").get("/api/v1/reports/templates/summary?unit=440303002")
                         .headers["X-Bihuan-Template"], "builtin")


class Bulletins(unittest.TestCase):
    def test_a_weekly_bulletin_is_built_by_the_server_once(self):
        op = S.as_("zhzx01")
        for day in (8, "monday", 1.5):
            r = op.post("/api/v1/reports/schedules", {"kind": "bulletin", "every": "week", "day": day})
            self.assertEqual(r.status, 400, day)
            self.assertEqual(r.err()["field"], "day")
        r = op.post("/api/v1/reports/schedules", {"kind": "bulletin", "every": "week", "day": 1,
                                                  "time": "09:00"})
        self.assertEqual(r.status, 201, r)
        sid = r.json["id"]
        self.assertEqual(r.json["label"], "每周一 09:00，通报上周")
        self.assertTrue(r.json["next_run"].endswith("T09:00:00+08:00"))
        # time passes: the server was down for its last two runs (a week ago
        # and the latest Monday 09:00); the one built is the latest week's
        # (the database is the server's; moving next_at is the clock's work)
        bj = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
        monday = (bj - datetime.timedelta(days=bj.weekday())).replace(hour=9, minute=0, second=0,
                                                                       microsecond=0)
        if monday > bj:
            monday -= datetime.timedelta(days=7)
        missed = monday - datetime.timedelta(days=7)
        due = int((missed - datetime.timedelta(hours=8) - datetime.datetime(1970, 1, 1)).total_seconds() * 1000)
        with sqlite3.connect(S.db, timeout=30) as db:
            db.execute("UPDATE report_schedules SET next_at=? WHERE id=?", (due, sid))
        built = wait_for(lambda: [x for x in op.get("/api/v1/reports").json["items"]
                                  if x["schedule"] == sid], timeout=20)
        self.assertEqual(len(built), 1, built)
        b = built[0]
        week = ((monday - datetime.timedelta(days=7)).date().isoformat(),
                (monday - datetime.timedelta(days=1)).date().isoformat())
        self.assertEqual((b["kind"], b["from"], b["to"]), ("bulletin",) + week)
        md = op.get("/api/v1/reports/%d.md" % b["id"]).raw.decode("utf-8")
        self.assertIn("示范区城市管理工作情况的通报", md)
        self.assertIn("下步工作要求", md)
        # moved on to a Monday in the future, and not run again
        s = [x for x in op.get("/api/v1/reports/schedules").json["items"] if x["id"] == sid][0]
        self.assertEqual(s["last_report"], b["id"])
        self.assertGreater(s["next_run"], time.strftime("%Y-%m-%d"))
        r = S.run("report", "run-due", "--db", S.db)
        self.assertIn("已生成 0 份定时通报", r.stderr)
        time.sleep(1)
        self.assertEqual(len([x for x in op.get("/api/v1/reports").json["items"]
                              if x["schedule"] == sid]), 1)
        self.assertNotIn(sid, [x["id"] for x in S.as_("hb_leader").get("/api/v1/reports/schedules").json["items"]])
        # stopped by the command centre; the street's leader cannot see it
        self.assertEqual(S.request("DELETE", "/api/v1/reports/schedules/%d" % sid,
                                   token=S.login("hb_leader")).status, 404)
        self.assertEqual(S.request("DELETE", "/api/v1/reports/schedules/%d" % sid,
                                   token=S.login("zhzx01")).status, 204)
        self.assertNotIn(sid, [x["id"] for x in op.get("/api/v1/reports/schedules").json["items"]])


    def test_a_bulletin_lists_what_is_overdue_and_under_supervision(self):
        lead = S.as_("leader")
        case = lead.get("/api/v1/cases/3").json  # one of the twelve still in handling
        r = lead.act(3, "supervise", version=case["version"], level=2, note="请三日内办结")
        self.assertEqual(r.status, 200, r)
        r = lead.post("/api/v1/reports", {"kind": "bulletin", "unit": "440303", "period": "2023-06"})
        self.assertEqual(r.status, 201, r)
        md = lead.get("/api/v1/reports/%d.md" % r.json["id"]).raw.decode("utf-8")
        self.assertIn("超期未结案件共12件", md)   # now, as the sweep sees them
        self.assertIn("其他督办案件1件", md)
        self.assertIn("| 督办案件 | 3 |", md)
        self.assertIn("**表2 超期未结案件**", md)
        self.assertIn("## 一、总体情况", md)
        self.assertIn("本期共上报案件", md)


class MissingData(unittest.TestCase):
    def test_a_period_without_data_says_no_zero_figures(self):
        # August 2023: no case, patrol or target figure for 桂园街道
        md = S.run("report", "summary", "--db", S.db, "--unit", "440303004", "--period",
                   "2023-08").stdout
        self.assertIn("# 桂园街道2023年8月工作总结", md)
        for zero in ("0件", "0.00%", "0家次", "0宗", "结案率0", "平均处置时长0"):
            self.assertNotIn(zero, md)
        # no claim without data: no case was reported, so none "均已办结"
        self.assertNotIn("均已办结", md)
        self.assertNotIn("案件办理闭环", md)  # the section has nothing to say
        self.assertIn("## 一、2023年8月工作情况", md)
        self.assertIn("、下月工作计划", md)  # what follows a month
        self.assertIn("（请在此填写下月工作计划。）", md)
        md = S.run("report", "bulletin", "--db", S.db, "--unit", "440303004", "--period",
                   "2023-08").stdout
        for zero in ("本期共上报案件0件", "结案率0.00%", "开展巡查0家次", "超期0件"):
            self.assertNotIn(zero, md)
        self.assertNotIn("无超期案件", md)  # no claim without cases
        self.assertIn("、下步工作要求", md)  # kept: the template says so


if __name__ == "__main__":
    if len(sys.argv) > 3:
        OUT = os.path.abspath(sys.argv.pop(3))
    harness.main(sys.modules[__name__], "BIHUAN", "SEED_FIXTURE")
