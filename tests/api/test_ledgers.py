#!/usr/bin/env python3
"""Ledgers (台账): import and export of units, grid geometries, managed
objects, users and cases through the API and the CLI, in CSV, .xlsx and
GeoJSON, including malformed files.

The .xlsx files are built here with zipfile, part by part, so the test
controls every detail the reader must cope with (shared strings, inline
strings, dates by style, formulas with and without a cached value, DTDs,
truncation).

Usage: test_ledgers.py PATH/TO/bihuan
"""
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Server  # noqa: E402

BIHUAN = None
S = None
GRID = "44030300100101"          # a demo grid with a polygon
GRID2 = "44030300200101"         # another street's grid
INSIDE = (22.5675, 114.1796)     # a point inside the demo district (lat, lng)

CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- building .xlsx files by hand ----

def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class Book:
    """A workbook: sheets of rows; a cell is a str (shared string), an
    int/float (number), or a tuple for the special kinds."""

    def __init__(self):
        self.sheets = []
        self.sst = []
        self.styles = None

    def sheet(self, name, rows):
        self.sheets.append((name, rows))
        return self

    def _cell(self, ref, v):
        if v is None:
            return ""
        if isinstance(v, str):
            if v not in self.sst:
                self.sst.append(v)
            return '<c r="%s" t="s"><v>%d</v></c>' % (ref, self.sst.index(v))
        if isinstance(v, (int, float)):
            return '<c r="%s"><v>%r</v></c>' % (ref, v)
        kind = v[0]
        if kind == "inline":
            return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v[1]))
        if kind == "rich":  # a shared string in runs, with a phonetic guide to drop
            self.sst.append(("rich", v[1], v[2]))
            return '<c r="%s" t="s"><v>%d</v></c>' % (ref, len(self.sst) - 1)
        if kind == "date":  # serial with style index
            return '<c r="%s" s="%d"><v>%r</v></c>' % (ref, v[2], v[1])
        if kind == "formula":  # (formula, cached value or None)
            cached = "" if v[2] is None else "<v>%s</v>" % esc(str(v[2]))
            t = ' t="str"' if isinstance(v[2], str) else ""
            return '<c r="%s"%s><f>%s</f>%s</c>' % (ref, t, esc(v[1]), cached)
        if kind == "error":
            return '<c r="%s" t="e"><v>%s</v></c>' % (ref, v[1])
        if kind == "bool":
            return '<c r="%s" t="b"><v>%d</v></c>' % (ref, v[1])
        raise ValueError(kind)

    def sheet_xml(self, rows):
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<sheetData>']
        for r, row in enumerate(rows, 1):
            out.append('<row r="%d">' % r)
            for c, v in enumerate(row):
                out.append(self._cell("%s%d" % (col_name(c), r), v))
            out.append("</row>")
        out.append("</sheetData></worksheet>")
        return "".join(out)

    def build(self, mangle=None):
        parts = {}
        for i, (name, rows) in enumerate(self.sheets, 1):
            parts["xl/worksheets/sheet%d.xml" % i] = self.sheet_xml(rows)
        parts["[Content_Types].xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        parts["xl/workbook.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets>' +
            "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (esc(n), i, i)
                    for i, (n, _) in enumerate(self.sheets, 1)) + "</sheets></workbook>")
        parts["xl/_rels/workbook.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships">' +
            "".join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i, i)
                    for i in range(1, len(self.sheets) + 1)) + "</Relationships>")
        si = []
        for s in self.sst:
            if isinstance(s, tuple):
                si.append('<si><r><t>%s</t></r><r><rPr><b/></rPr><t>%s</t></r><rPh sb="0" eb="1"><t>ヨミ</t>'
                          '</rPh></si>' % (esc(s[1]), esc(s[2])))
            else:
                si.append('<si><t xml:space="preserve">%s</t></si>' % esc(s))
        parts["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" count="%d">%s</sst>' % (len(si), "".join(si)))
        # style 0: general; 1: built-in date (14); 2: custom yyyy"年"m"月"d"日"; 3: custom number
        parts["xl/styles.xml"] = self.styles or (
            '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;'
            'm&quot;月&quot;d&quot;日&quot; hh:mm"/><numFmt numFmtId="177" formatCode="0.00_);[Red]\\(0.00\\)"/>'
            '</numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="4">'
            '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="177"/></cellXfs>'
            '</styleSheet>')
        if mangle:
            mangle(parts)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in parts.items():
                z.writestr(name, text.encode("utf-8") if isinstance(text, str) else text)
        return buf.getvalue()


def csv_bytes(rows, encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def parse_csv(raw):
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# ---- the tests ----

def setUpModule():
    global S
    S = Server(BIHUAN)
    S.demo(cases=40)
    S.start()
    r = S.as_("admin").post("/api/v1/users", {"username": "hb_op", "password": PASSWORD, "role": "operator",
                                              "unit": "440303001"})
    assert r.status == 201, r


def tearDownModule():
    assert S.stop() == 0


def upload(kind, data, user="admin", query="", ctype=None):
    headers = {"Content-Type": ctype} if ctype else {}
    return S.request("POST", "/api/v1/ledgers/%s%s" % (kind, query), raw=data, token=S.login(user),
                     headers=headers, timeout=120)


def objects_named(name, user="admin"):
    items = S.as_(user).get("/api/v1/objects?limit=200&kind=household").json["items"]
    return [o for o in items if o["name"] == name]


class Export(unittest.TestCase):
    def test_units_round_trip_csv_and_xlsx(self):
        for fmt, ctype in (("csv", "text/csv; charset=utf-8"), ("xlsx", CT_XLSX)):
            r = S.as_("admin").get("/api/v1/ledgers/units." + fmt)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.headers["Content-Type"].startswith(ctype.split(";")[0]))
            self.assertIn("attachment", r.headers["Content-Disposition"])
            n = int(r.headers["X-Rows"])
            self.assertGreater(n, 1000)
            back = upload("units", r.raw)
            self.assertEqual(back.status, 200, back)
            self.assertEqual((back.json["rows"], back.json["unchanged"], back.json["bad"]), (n, n, 0))
        rows = parse_csv(S.as_("admin").get("/api/v1/ledgers/units.csv").raw)
        self.assertEqual(rows[0], ["编码", "名称", "类型", "上级编码", "状态"])
        self.assertIn(["440303001", rows[[r[0] for r in rows].index("440303001")][1], "街道", "440303", "启用"],
                      rows)

    def test_objects_export_reimports_as_updates(self):
        r = S.as_("admin").get("/api/v1/ledgers/objects.xlsx")
        self.assertEqual(r.status, 200, r)
        # a real reader sees the same table as the CSV export
        book = harness.read_xlsx(r.raw)
        sheet = list(book.values())[0]
        csv_rows = parse_csv(S.as_("admin").get("/api/v1/ledgers/objects.csv").raw)
        self.assertEqual(len(sheet), int(r.headers["X-Rows"]) + 1)
        self.assertEqual(sheet[0], csv_rows[0])
        self.assertEqual([x[:2] for x in sheet], [x[:2] for x in csv_rows])
        back = upload("objects", r.raw)
        self.assertEqual(back.status, 200, back)
        self.assertEqual(back.json["updated"], int(r.headers["X-Rows"]))
        self.assertEqual(back.json["created"], 0)

    def test_unknown_kind_and_format(self):
        self.assertEqual(S.as_("admin").get("/api/v1/ledgers/planets.csv").status, 404)
        self.assertEqual(S.as_("admin").get("/api/v1/ledgers/units.pdf").status, 404)
        r = S.as_("admin").get("/api/v1/ledgers/units.geojson")
        self.assertEqual(r.status, 400, r)

    def test_cases_export_masks_for_leader(self):
        rows = parse_csv(S.as_("leader").get("/api/v1/ledgers/cases.csv").raw)
        head = rows[0]
        phones = [r[head.index("联系电话")] for r in rows[1:] if r[head.index("联系电话")]]
        self.assertTrue(phones)
        self.assertTrue(all("****" in p for p in phones), phones[:3])
        rows = parse_csv(S.as_("zhzx01").get("/api/v1/ledgers/cases.csv").raw)
        phones = [r[head.index("联系电话")] for r in rows[1:] if r[head.index("联系电话")]]
        self.assertTrue(any("****" not in p for p in phones))


class ImportObjects(unittest.TestCase):
    HEAD = ["种类", "名称", "所属网格", "风险等级", "地址"]

    def test_all_good_rows_are_written(self):
        r = upload("objects", csv_bytes([self.HEAD, ["重点户", "台账甲", GRID, "低风险", "一号"],
                                         ["household", "台账甲", GRID, "blue", "二号"]]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["bad"], r.json["written"]), (2, 0, True))
        self.assertEqual(len(objects_named("台账甲")), 2)

    def test_audit_chain_holds_for_awkward_text(self):
        # the import writes audit rows without jansson; the verifier re-derives them with it
        name = 'q"b\\s/\x01\x1f\x7f\u2028名'
        r = upload("objects", csv_bytes([self.HEAD, ["重点户", name, GRID, "blue", "\t"]]))
        self.assertEqual((r.status, r.json["created"]), (200, 1), r)
        p = S.run("audit", "verify", "--db", S.db)
        self.assertIn("散列链完整", p.stdout)

    def test_one_bad_row_writes_nothing_and_names_cell(self):
        data = csv_bytes([self.HEAD, ["重点户", "台账乙", GRID, "blue", ""],
                          ["重点户", "台账乙", GRID, "purple", ""],
                          ["重点户", "台账乙", "44039999999999", "blue", ""],
                          ["重点户", "", GRID, "blue", ""]])
        r = upload("objects", data)
        self.assertEqual(r.status, 400, r)
        self.assertFalse(r.json["written"])
        self.assertIn("没有导入任何数据", r.json["error"]["message"])
        errs = {e["row"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(errs), [3, 4, 5])
        self.assertEqual((errs[3]["column"], errs[3]["header"]), ("D", "风险等级"))
        self.assertIn("purple", errs[3]["reason"])
        self.assertEqual((errs[4]["column"], errs[4]["header"]), ("C", "所属网格"))
        self.assertEqual(errs[5]["column"], "B")
        self.assertIn("不能为空", errs[5]["reason"])
        self.assertEqual(objects_named("台账乙"), [])
        # --skip-bad: the good row goes in, the bad ones are listed
        r = upload("objects", data, query="?skip_bad=true")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["bad"], r.json["written"]), (1, 3, True))
        self.assertEqual(len(objects_named("台账乙")), 1)

    def test_section_lines_in_the_ledger(self):
        line = [[114.1, 22.55], [114.101, 22.551], [114.102, 22.5515]]
        head = ["种类", "名称", "所属网格", "走向"]
        r = upload("objects", csv_bytes([head, ["河段", "台账河段", GRID, json.dumps(line)]]))
        self.assertEqual((r.status, r.json["created"]), (200, 1), r)
        rows = S.as_("admin").get("/api/v1/objects?limit=200&kind=river_section").json["items"]
        river = [o for o in rows if o["name"] == "台账河段"][0]
        self.assertEqual(S.as_("admin").get("/api/v1/objects/%d" % river["id"]).json["line"], line)
        # exported as the same JSON array, in CSV and read back by openpyxl from .xlsx
        out = parse_csv(S.as_("admin").get("/api/v1/ledgers/objects.csv").raw)
        col = out[0].index("走向")
        mine = [x for x in out if x[0] == str(river["id"])][0]
        self.assertEqual(json.loads(mine[col]), line)
        sheet = list(harness.read_xlsx(S.as_("admin").get("/api/v1/ledgers/objects.xlsx").raw).values())[0]
        self.assertEqual(json.loads([x for x in sheet if x[0] == str(river["id"])][0][col]), line)
        # a bad line is named by row and column; a row without the column keeps the line
        bad = upload("objects", csv_bytes([["系统编号"] + head, [str(river["id"]), "河段", "台账河段", GRID, "[[114.1, 22.55]]"]]))
        self.assertEqual(bad.status, 400, bad)
        self.assertEqual((bad.json["errors"][0]["row"], bad.json["errors"][0]["header"]), (2, "走向"), bad.json)
        keep = upload("objects", csv_bytes([["系统编号", "种类", "名称", "所属网格"],
                                            [str(river["id"]), "河段", "台账河段改", GRID]]))
        self.assertEqual((keep.status, keep.json["updated"]), (200, 1), keep)
        got = S.as_("admin").get("/api/v1/objects/%d" % river["id"]).json
        self.assertEqual((got["name"], got["line"]), ("台账河段改", line))
        # only sections may carry one
        hh = upload("objects", csv_bytes([head, ["重点户", "台账户", GRID, json.dumps(line)]]))
        self.assertEqual((hh.status, hh.json["errors"][0]["header"]), (400, "走向"), hh.json)

    def test_dry_run_writes_nothing(self):
        r = upload("objects", csv_bytes([self.HEAD, ["重点户", "台账丙", GRID, "blue", ""]]),
                   query="?dry_run=true")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["written"], r.json["dry_run"]), (1, False, True))
        self.assertEqual(objects_named("台账丙"), [])

    def test_operator_jurisdiction_applies_per_row(self):
        data = csv_bytes([self.HEAD, ["重点户", "台账丁", GRID, "blue", ""],
                          ["重点户", "台账丁", "44030400100101", "blue", ""]])
        r = upload("objects", data, user="hb_op", query="?skip_bad=true")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["bad"]), (1, 1))
        self.assertEqual(r.json["errors"][0]["row"], 3)

    def test_headers(self):
        r = upload("objects", csv_bytes([["种类", "名称", "网格编号"], ["重点户", "x", GRID]]))
        self.assertEqual(r.status, 400, r)
        self.assertIn("未知的列“网格编号”", r.json["error"]["message"])
        self.assertIn("C列", r.json["error"]["message"])
        r = upload("objects", csv_bytes([["kind", "name"], ["household", "x"]]))
        self.assertEqual(r.status, 400, r)
        self.assertIn("缺少必需的列：所属网格（grid）", r.json["error"]["message"])
        r = upload("objects", csv_bytes([["kind", "名称", "name", "grid"], ["household", "x", "y", GRID]]))
        self.assertEqual(r.status, 400, r)
        self.assertIn("重复", r.json["error"]["message"])
        # English keys, a required-column star, blank rows and surrounding spaces are fine
        r = upload("objects", csv_bytes([["kind", "name*", "grid"], [], [" household ", "台账戊\u3000", GRID],
                                         ["", "", ""]]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["rows"], r.json["created"]), (1, 1))
        self.assertEqual(len(objects_named("台账戊")), 1)
        self.assertEqual(upload("objects", b"").status, 400)
        r = upload("objects", b"\r\n\r\n", ctype="text/csv")
        self.assertEqual(r.status, 400, r)
        self.assertIn("没有表头", r.json["error"]["message"])


class Malformed(unittest.TestCase):
    HEAD = ["种类", "名称", "所属网格"]

    def test_gbk_csv(self):
        data = csv_bytes([self.HEAD, ["重点户", "台账己", GRID]], encoding="gb18030")
        r = upload("objects", data)
        self.assertEqual(r.status, 400, r)
        self.assertIn("第1行（表头）A列：不是UTF-8编码", r.json["error"]["message"])
        self.assertIn("gb18030", r.json["error"]["message"])
        r = upload("objects", data, query="?encoding=gb18030")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(objects_named("台账己")), 1)
        r = upload("objects", b"\xff\xfe\xfa", query="?encoding=gb18030")
        self.assertEqual(r.status, 400, r)
        self.assertIn("GB18030", r.json["error"]["message"])

    def test_bad_utf8_row_is_reported_with_column(self):
        data = csv_bytes([self.HEAD, ["重点户", "好", GRID]]) + "重点户,".encode() + b"\xc3\x28" + b"," + GRID.encode()
        r = upload("objects", data)
        self.assertEqual(r.status, 400, r)
        self.assertEqual((r.json["errors"][0]["row"], r.json["errors"][0]["column"]), (3, "B"))

    def test_unterminated_quote(self):
        r = upload("objects", csv_bytes([self.HEAD]) + b'household,"never closed,' + GRID.encode())
        self.assertEqual(r.status, 400, r)
        self.assertIn("第2行", r.json["error"]["message"])
        self.assertIn("引号", r.json["error"]["message"])

    def test_enormous_cell(self):
        big = "长" * 40000  # 120,000 bytes: over Excel's 32,767 characters
        for data in (csv_bytes([self.HEAD, ["重点户", big, GRID]]),
                     Book().sheet("对象", [self.HEAD, ["重点户", big, GRID]]).build()):
            r = upload("objects", data)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json["errors"][0]["column"], "B")
            self.assertIn("单元格内容超过98301字节", r.json["errors"][0]["reason"])

    def test_broken_zip(self):
        good = Book().sheet("对象", [self.HEAD, ["重点户", "x", GRID]]).build()
        for data in (good[:len(good) // 2], b"PK\x03\x04" + b"\x00" * 100):
            r = upload("objects", data, ctype=CT_XLSX)
            self.assertEqual(r.status, 400, r)
            self.assertIn("xlsx", r.json["error"]["message"])

    def test_truncated_sheet_xml(self):
        def cut(parts):
            parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:-40]
        data = Book().sheet("对象", [self.HEAD, ["重点户", "x", GRID], ["重点户", "y", GRID]]).build(cut)
        r = upload("objects", data)
        self.assertEqual(r.status, 400, r)
        self.assertIn("XML格式错误", r.json["error"]["message"])
        self.assertIn("工作表“对象”", r.json["error"]["message"])
        self.assertEqual(objects_named("x"), [])

    def test_dtd_refused(self):
        def dtd(parts):
            parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
                "<sst", '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]><sst', 1)
        r = upload("objects", Book().sheet("对象", [self.HEAD]).build(dtd))
        self.assertEqual(r.status, 400, r)
        self.assertIn("DTD", r.json["error"]["message"])

    def test_missing_parts_and_sheet_names(self):
        def no_workbook(parts):
            del parts["xl/workbook.xml"]
        r = upload("objects", Book().sheet("对象", [self.HEAD]).build(no_workbook))
        self.assertEqual(r.status, 400, r)
        self.assertIn("workbook.xml", r.json["error"]["message"])
        book = Book().sheet("说明", [["这是说明页"]]).sheet("对象", [self.HEAD, ["重点户", "台账庚", GRID]])
        r = upload("objects", book.build(), query="?sheet=" + "%E6%B2%A1%E6%9C%89")  # 没有
        self.assertEqual(r.status, 400, r)
        self.assertIn("“说明”、“对象”", r.json["error"]["message"])
        r = upload("objects", book.build(), query="?sheet=%E5%AF%B9%E8%B1%A1")  # 对象
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["created"], 1)

    def test_formula_and_error_cells(self):
        book = Book().sheet("对象", [self.HEAD,
                                    ["重点户", ("formula", 'CONCAT("台账","辛")', "台账辛"), GRID],
                                    ["重点户", ("formula", "A1&B1", None), GRID],
                                    ["重点户", ("error", "#N/A"), GRID]])
        r = upload("objects", book.build())
        self.assertEqual(r.status, 400, r)
        errs = {e["row"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(errs), [3, 4])
        self.assertIn("公式", errs[3]["reason"])
        self.assertEqual(errs[3]["column"], "B")
        self.assertIn("#N/A", errs[4]["reason"])
        r = upload("objects", book.build(), query="?skip_bad=true")
        self.assertEqual(r.json["created"], 1)
        self.assertEqual(len(objects_named("台账辛")), 1)


class ImportXlsx(unittest.TestCase):
    def test_cell_kinds(self):
        head = ["外部编号", "来源", "类别", "问题描述", "纬度", "经度", "上报时间", "反映人"]
        book = Book().sheet("案件", [
            head,
            ["X-1", "12345热线", "E0501", ("rich", "井盖", "缺失"), INSIDE[0], INSIDE[1], ("date", 45000.5, 1),
             ("inline", "张三")],
            [("inline", "X-2"), "hotline", "E0501", "占道", ("formula", "22.5675", 22.5675), INSIDE[1],
             ("date", 45001.25, 2), None],
        ])
        r = upload("cases", book.build(), user="zhzx01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["created"], 2)
        rows = parse_csv(S.as_("admin").get("/api/v1/ledgers/cases.csv").raw)
        head_out = rows[0]
        mine = {r[head_out.index("外部编号")]: r for r in rows[1:] if r[head_out.index("外部编号")].startswith("X-")}
        x1, x2 = mine["X-1"], mine["X-2"]
        # serial 45000.5 is 2023-03-15 12:00 (1900 date system), local time
        self.assertEqual(x1[head_out.index("上报时间")], "2023-03-15 12:00:00")
        self.assertEqual(x2[head_out.index("上报时间")], "2023-03-16 06:00:00")
        self.assertEqual(x1[head_out.index("问题描述")], "井盖缺失")  # runs joined, phonetic dropped
        self.assertEqual(x1[head_out.index("反映人")], "张三")
        self.assertEqual(x1[head_out.index("来源")], "12345热线")
        self.assertTrue(x1[head_out.index("事发单位")].startswith("440303"))
        # idempotent by source + external id
        r = upload("cases", book.build(), user="zhzx01")
        self.assertEqual((r.json["created"], r.json["unchanged"]), (0, 2))

    def test_case_rows_checked_like_the_api(self):
        head = ["外部编号", "来源", "类别", "问题描述", "纬度", "经度", "上报时间"]
        data = csv_bytes([head,
                          ["Y-1", "hotline", "不存在的类别", "x", "", "", ""],
                          ["Y-2", "hotline", "E0501", "x", "10.0", "10.0", ""],
                          ["Y-3", "hotline", "E0501", "x", "", "", "2099-01-01"],
                          ["Y-4", "nowhere", "E0501", "x", "", "", ""],
                          ["Y-5", "hotline", "E0501", "x", "22.5", "", ""]])
        r = upload("cases", data, user="zhzx01")
        self.assertEqual(r.status, 400, r)
        errs = {e["row"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(errs), [2, 3, 4, 5, 6])
        self.assertEqual(errs[2]["header"], "类别")
        self.assertEqual(errs[3]["header"], "纬度")  # outside every grid
        self.assertEqual(errs[4]["header"], "上报时间")
        self.assertEqual(errs[5]["header"], "来源")
        self.assertEqual(errs[6]["header"], "经度")


class ImportOther(unittest.TestCase):
    def test_users(self):
        head = ["用户名", "姓名", "角色", "所属单位", "初始密码"]
        r = upload("users", csv_bytes([head, ["ledger_u1", "台账用户", "网格员", "440303001", "ledger-pass-1"],
                                       ["ledger_u2", "无密码", "reporter", "440303001", ""]]))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["errors"][0]["header"], "初始密码")
        r = upload("users", csv_bytes([head, ["ledger_u1", "台账用户", "网格员", "440303001", "ledger-pass-1"]]))
        self.assertEqual((r.status, r.json["created"]), (200, 1))
        S.login("ledger_u1", "ledger-pass-1")
        users = parse_csv(S.as_("admin").get("/api/v1/ledgers/users.csv").raw)
        self.assertIn(["ledger_u1", "台账用户", "网格员", "440303001", "", "启用"], users)
        # an update keeps the password when the column is empty
        r = upload("users", csv_bytes([head, ["ledger_u1", "改名", "reporter", "440303001", ""]]))
        self.assertEqual((r.status, r.json["updated"]), (200, 1))
        S.tokens.pop("ledger_u1")
        S.login("ledger_u1", "ledger-pass-1")
        users = parse_csv(S.as_("admin").get("/api/v1/ledgers/users.csv").raw)
        self.assertNotIn("初始密码", users[0])
        self.assertIn("改名", [u[1] for u in users])

    def test_units(self):
        head = ["编码", "名称", "类型", "上级编码", "状态"]
        r = upload("units", csv_bytes([head, ["440303001090", "台账社区", "社区", "440303001", "启用"],
                                       ["44030300109001", "台账网格", "grid", "440303001090", ""],
                                       ["440303001091", "错码", "社区", "440303002", ""]]))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["errors"][0]["row"], 4)
        self.assertEqual(r.json["errors"][0]["header"], "编码")
        r = upload("units", csv_bytes([head, ["440303001090", "台账社区", "社区", "440303001", "启用"],
                                       ["44030300109001", "台账网格", "grid", "440303001090", ""]]))
        self.assertEqual((r.status, r.json["created"]), (200, 2))
        r = upload("units", csv_bytes([head, ["440303001090", "台账社区（改）", "社区", "440303001", "停用"]]))
        self.assertEqual((r.status, r.json["updated"]), (200, 1))
        u = S.as_("admin").get("/api/v1/units/440303001090").json
        self.assertEqual((u["name"], u["active"]), ("台账社区（改）", False))

    def test_geometries(self):
        r = S.as_("admin").get("/api/v1/ledgers/geometries.geojson")
        self.assertEqual(r.status, 200, r)
        fc = json.loads(r.raw)
        self.assertEqual(fc["type"], "FeatureCollection")
        self.assertEqual(len(fc["features"]), int(r.headers["X-Rows"]))
        some = fc["features"][:3]
        bowtie = {"type": "Polygon", "coordinates": [[[114.0, 22.5], [114.1, 22.6], [114.1, 22.5],
                                                      [114.0, 22.6], [114.0, 22.5]]]}
        bad = {"type": "FeatureCollection", "features": some + [
            {"type": "Feature", "properties": {"code": GRID}, "geometry": bowtie},
            {"type": "Feature", "properties": {}, "geometry": bowtie}]}
        r = upload("geometries", json.dumps(bad).encode())
        self.assertEqual(r.status, 400, r)
        self.assertEqual([e["row"] for e in r.json["errors"]], [4, 5])
        self.assertIn("Self-intersection", r.json["errors"][0]["reason"])
        r = upload("geometries", json.dumps({"type": "FeatureCollection", "features": some}).encode())
        self.assertEqual((r.status, r.json["updated"]), (200, 3))
        r = upload("geometries", b"{not json")
        self.assertEqual(r.status, 400, r)
        r = upload("geometries", csv_bytes([["code"]]), query="?format=csv")
        self.assertEqual(r.status, 400, r)

    def test_roles(self):
        data = csv_bytes([["编码", "名称", "类型"], ["440303001092", "x", "社区"]])
        for user in ("leader", "zhzx01", "cg", "wgy_hb", "citizen"):
            self.assertEqual(upload("units", data, user=user).status, 403, user)
        self.assertEqual(S.as_("citizen").get("/api/v1/ledgers/units.csv").status, 403)
        self.assertEqual(S.as_("zhzx01").get("/api/v1/ledgers/users.csv").status, 403)


def db_count(sql, *args):
    """A figure read straight from the database file, beside the running
    server and any import (WAL: readers never wait for the writer)."""
    con = sqlite3.connect("file:%s?mode=ro" % S.db, uri=True, timeout=30)
    try:
        row = con.execute(sql, args).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def write_csv(name, rows):
    path = os.path.join(S.dir, name)
    with open(path, "wb") as f:
        f.write(csv_bytes(rows))
    return path


class Chunks(unittest.TestCase):
    """Imports commit in chunks: the whole file is checked first, other
    writes go on during an import, and a run cut short resumes without
    writing a row twice."""

    def test_units_whose_parents_are_chunks_earlier(self):
        head = ["编码", "名称", "类型", "上级编码"]
        good = [head, ["440303002095", "分批社区", "社区", "440303002"]] + \
               [["4403030020950%d" % i, "分批网格%d" % i, "网格", "440303002095"] for i in range(1, 10)]
        bad = write_csv("chunk-units-bad.csv", good + [["440303002096", "错码", "社区", "440303003"]])
        p = S.run("import", "units", bad, "--db", S.db, "--chunk", "2", check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("第12行 A列（编码）", p.stderr)
        self.assertIn("没有导入任何数据", p.stderr)
        self.assertEqual(db_count("SELECT count(*) FROM units WHERE code LIKE '440303002095%'"), 0)
        p = S.run("import", "units", write_csv("chunk-units.csv", good), "--db", S.db, "--chunk", "2")
        self.assertIn("新建 10", p.stdout)
        self.assertEqual(db_count("SELECT count(*) FROM units WHERE code LIKE '440303002095%'"), 10)
        p = S.run("import", "units", bad, "--db", S.db, "--chunk", "0", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--chunk", p.stderr)

    def test_a_bad_row_in_a_late_chunk_writes_nothing(self):
        rows = [["种类", "名称", "所属网格", "风险等级"]] + \
               [["重点户", "分批%02d" % i, GRID, "紫色" if i == 22 else "blue"] for i in range(25)]
        path = write_csv("chunk-objects.csv", rows)
        r = S.request("POST", "/api/v1/ledgers/objects", raw=open(path, "rb").read(), token=S.login("admin"))
        self.assertEqual(r.status, 400, r)
        self.assertEqual([e["row"] for e in r.json["errors"]], [24])
        p = S.run("import", "objects", path, "--db", S.db, "--chunk", "4", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(db_count("SELECT count(*) FROM objects WHERE name LIKE '分批%'"), 0)
        p = S.run("import", "objects", path, "--db", S.db, "--chunk", "4", "--skip-bad", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("新建 24", p.stdout)
        self.assertIn("第24行 D列（风险等级）", p.stderr)
        self.assertEqual(db_count("SELECT count(*) FROM objects WHERE name LIKE '分批%'"), 24)

    def test_a_code_repeated_across_chunks_writes_nothing(self):
        # each chunk of the check is rolled back before the next runs: the
        # import itself must see the repeat, as one transaction would
        rows = [["种类", "编码", "名称", "所属网格"]] + \
               [["城市部件", "4403030909%06d" % i, "分批部件%d" % i, GRID] for i in range(1, 7)]
        rows.append(["城市部件", "4403030909%06d" % 1, "重复部件", GRID])
        path = write_csv("chunk-codes.csv", rows)
        p = S.run("import", "objects", path, "--db", S.db, "--chunk", "2", check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("第8行 B列（编码）：编码“4403030909000001”在文件中重复", p.stderr)
        self.assertIn("没有导入任何数据", p.stderr)
        self.assertEqual(db_count("SELECT count(*) FROM objects WHERE name LIKE '分批部件%'"), 0)
        p = S.run("import", "objects", path, "--db", S.db, "--chunk", "2", "--skip-bad", check=False)
        self.assertIn("新建 6", p.stdout)
        self.assertIn("在文件中重复", p.stderr)

    def test_writes_go_on_during_an_import(self):
        n = 60000
        data = csv_bytes([["种类", "名称", "所属网格"]] + [["重点户", "并发%05d" % i, GRID] for i in range(n)])
        token = S.login("admin")
        S.login("zhzx01")
        done = {}

        def run():
            done["r"] = S.request("POST", "/api/v1/ledgers/objects", raw=data, token=token, timeout=900)

        t = threading.Thread(target=run)
        t.start()
        try:
            deadline = time.monotonic() + 600
            # until the write pass has committed its first chunk
            while db_count("SELECT count(*) FROM objects WHERE name LIKE '并发%'") == 0:
                self.assertTrue(t.is_alive(), "the import ended before a chunk was seen: %r" % done.get("r"))
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.005)
            r = S.as_("zhzx01").post("/api/v1/cases", {"category": "E0501", "description": "导入期间上报的案件",
                                                        "unit": GRID})
            self.assertEqual(r.status, 201, r)
            written = db_count("SELECT count(*) FROM objects WHERE name LIKE '并发%'")
            # the case was stored while the import still had rows to write
            self.assertLess(written, n)
        finally:
            t.join(900)
        r = done["r"]
        self.assertEqual((r.status, r.json["created"], r.json["bad"], r.json["resumed"]), (200, n, 0, 0), r)
        self.assertEqual(db_count("SELECT count(*) FROM objects WHERE name LIKE '并发%'"), n)

    def test_a_killed_import_resumes_where_it_stopped(self):
        n = 3000
        path = write_csv("resume-cases.csv", [["来源", "类别", "问题描述", "事发单位"]] +
                         [["hotline", "E0501", "续传案件%05d" % i, "440303001"] for i in range(n)])
        out = open(os.path.join(S.dir, "resume.out"), "wb")
        proc = subprocess.Popen([BIHUAN, "import", "cases", path, "--db", S.db, "--chunk", "20"],
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 600
            done = None
            while not done:
                self.assertIsNone(proc.poll(), "the import ended before it could be stopped")
                self.assertLess(time.monotonic(), deadline)
                done = db_count("SELECT rows_done FROM ledger_imports WHERE kind = 'cases'"
                                " AND finished_at IS NULL")
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait()
            out.close()
        done = db_count("SELECT rows_done FROM ledger_imports WHERE kind = 'cases' AND finished_at IS NULL")
        stored = db_count("SELECT count(*) FROM cases WHERE description LIKE '续传案件%'")
        self.assertLess(done, n)
        self.assertEqual(stored, done)  # each chunk and its checkpoint committed together
        # cut short again while it passes over the settled rows, a row a
        # transaction: the checkpoint never moves back
        at = db_count("SELECT at FROM ledger_imports WHERE kind = 'cases' AND finished_at IS NULL")
        proc = subprocess.Popen([BIHUAN, "import", "cases", path, "--db", S.db, "--chunk", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 600
            while db_count("SELECT at FROM ledger_imports WHERE kind = 'cases'") == at:
                self.assertIsNone(proc.poll(), "the import ended before it could be stopped")
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait()
        again = db_count("SELECT rows_done FROM ledger_imports WHERE kind = 'cases' AND finished_at IS NULL")
        self.assertIsNotNone(again, "the second run got to the end before it could be stopped")
        self.assertGreater(again, done)
        done = again
        self.assertEqual(db_count("SELECT count(*) FROM cases WHERE description LIKE '续传案件%'"), done)
        p = S.run("import", "cases", path, "--db", S.db, "--chunk", "20")
        self.assertIn("续传：此文件的前 %d 行" % done, p.stderr)
        self.assertIn("读取 %d 行，新建 %d" % (n, n), p.stdout)
        self.assertEqual(db_count("SELECT count(DISTINCT description) FROM cases WHERE description LIKE '续传案件%'"), n)
        self.assertEqual(db_count("SELECT count(*) FROM cases WHERE description LIKE '续传案件%'"), n)
        self.assertIsNone(db_count("SELECT rows_done FROM ledger_imports WHERE finished_at IS NULL"))
        S.run("audit", "verify", "--db", S.db)
        S.run("stats", "rebuild", "--db", S.db)
        # the finished file imported again is a new run (the checkpoint is not a lock)
        p = S.run("import", "cases", path, "--db", S.db, "--dry-run")
        self.assertNotIn("续传", p.stderr)


class Cli(unittest.TestCase):
    def test_import_export_commands(self):
        d = S.dir
        bad = os.path.join(d, "bad.csv")
        with open(bad, "wb") as f:
            f.write(csv_bytes([["种类", "名称", "所属网格", "风险等级"], ["重点户", "命令行", GRID, "blue"],
                               ["重点户", "命令行", GRID, "紫色"]]))
        p = S.run("import", "objects", bad, "--db", S.db, check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("第3行 D列（风险等级）", p.stderr)
        self.assertIn("没有导入任何数据", p.stderr)
        p = S.run("import", "objects", bad, "--db", S.db, "--skip-bad", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("新建 1", p.stdout)
        self.assertIn("错误 1", p.stdout)
        out = os.path.join(d, "objects.xlsx")
        p = S.run("export", "objects", out, "--db", S.db)
        self.assertIn("已导出管理对象台账", p.stdout)
        with zipfile.ZipFile(out) as z:
            self.assertIn("xl/worksheets/sheet1.xml", z.namelist())
        p = S.run("import", "objects", out, "--db", S.db, "--dry-run")
        self.assertIn("试导入", p.stdout)
        p = S.run("import", "planets", out, "--db", S.db, check=False)
        self.assertEqual(p.returncode, 2)
        p = S.run("import", "--help")
        self.assertIn("--skip-bad", p.stdout)
        p = S.run("audit", "verify", "--db", S.db)

    def test_progress_bar_on_a_terminal(self):
        # util-linux's script(1) gives the import a terminal on stderr
        rows = [["种类", "名称", "所属网格"]] + [["重点户", "进度%d" % i, GRID] for i in range(3000)]
        path = os.path.join(S.dir, "progress.csv")
        with open(path, "wb") as f:
            f.write(csv_bytes(rows))
        cmd = "%s import objects %s --db %s --dry-run" % (BIHUAN, path, S.db)
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("检查中 [", p.stdout)  # a dry run checks only
        self.assertIn("100% 3000 行", p.stdout)
        self.assertNotIn("写入中", p.stdout)
        p = S.run("import", "objects", path, "--db", S.db, "--dry-run")  # not a terminal: no bar
        self.assertNotIn("检查中", p.stderr)

    def test_documented_example_files_import(self):
        examples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples")
        for kind in ("units", "objects", "cases"):
            p = S.run("import", kind, os.path.join(examples, kind + ".csv"), "--db", S.db, "--dry-run")
            self.assertIn("错误 0（试导入，未写入）", p.stdout)


class TargetLedgers(unittest.TestCase):
    """The target loop's targets and actuals as ledgers: an export a real
    reader opens, re-imported unchanged; corrections as new entries; bad
    rows named by column; the same jurisdiction as the API."""

    def in_force(self, user, unit, indicator, year, history=False):
        r = S.as_(user).get("/api/v1/targets/actuals?unit=%s&year=%d&indicator=%s%s"
                            % (unit, year, indicator, "&history=true" if history else ""))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def test_actuals_export_round_trip(self):
        r = S.as_("leader").get("/api/v1/ledgers/actuals.xlsx")
        self.assertEqual(r.status, 200, r)
        sheet = list(harness.read_xlsx(r.raw).values())[0]
        self.assertEqual(sheet[0][:6], ["单位编码", "单位名称", "指标", "指标名称", "月份", "累计"])
        n = int(r.headers["X-Rows"])
        self.assertEqual(len(sheet), n + 1)
        count = sum(len(S.as_("leader").get("/api/v1/targets/actuals?unit=440303&year=%d" % y)
                        .json["items"]) for y in (2022, 2023))
        self.assertEqual(n, count)
        head = sheet[0]
        row = [x for x in sheet[1:] if x[0] == "440303001" and x[2] == "fixed_investment"
               and x[4] == "2023-03"][0]
        self.assertEqual(row[1], "黄贝街道")
        self.assertEqual(row[3], "固定资产投资")
        api = self.in_force("leader", "440303001", "fixed_investment", 2023)
        self.assertAlmostEqual(float(row[head.index("完成值")]),
                               [x for x in api if x["period"] == "2023-03"][0]["value"], places=4)
        back = upload("actuals", r.raw)
        self.assertEqual(back.status, 200, back)
        self.assertEqual((back.json["rows"], back.json["unchanged"], back.json["created"]), (n, n, 0))

    def test_street_enters_its_month_by_ledger(self):
        head = ["单位编码", "指标", "月份", "累计", "完成值", "分子", "分母", "备注"]
        before = self.in_force("hb_jd", "440303001", "fixed_investment", 2023)
        data = csv_bytes([head,
                          ["440303001", "固定资产投资", "2023年4月", "当月", "4321.5", "", "", "更正"],
                          ["440303001", "waste_sorting", "2023-5", "", "", "300", "1000", ""]])
        r = upload("actuals", data, user="hb_jd")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["bad"]), (2, 0))
        now = [x for x in self.in_force("hb_jd", "440303001", "fixed_investment", 2023)
               if x["period"] == "2023-04"][0]
        self.assertEqual((now["value"], now["entered_by"], now["note"]), (4321.5, "hb_jd", "更正"))
        hist = [x for x in self.in_force("hb_jd", "440303001", "fixed_investment", 2023, True)
                if x["period"] == "2023-04"]
        self.assertEqual(len(hist), 2)  # the demo's entry stays as history
        self.assertEqual(len(before), len(self.in_force("hb_jd", "440303001", "fixed_investment",
                                                        2023)))
        ws = [x for x in self.in_force("hb_jd", "440303001", "waste_sorting", 2023)
              if x["period"] == "2023-05"][0]
        self.assertEqual((ws["numerator"], ws["denominator"]), (300, 1000))

    def test_bad_actual_rows_name_the_column(self):
        head = ["单位编码", "指标", "月份", "累计", "完成值"]
        data = csv_bytes([head,
                          ["440303001", "固定资产投资", "2023-04", "", "100"],
                          ["440303001", "人均GDP", "2023-04", "", "100"],
                          ["440303001", "固定资产投资", "2099-01", "", "100"],
                          ["440303001", "固定资产投资", "2023-04", "", "很多"],
                          ["440303002", "固定资产投资", "2023-04", "", "100"],
                          ["440303001", "结案率", "2023-04", "", "0.9"],
                          ["440303001", "固定资产投资", "2023-04", "也许", "100"]])
        before = self.in_force("hb_jd", "440303001", "fixed_investment", 2023, True)
        r = upload("actuals", data, user="hb_jd")
        self.assertEqual(r.status, 400, r)
        self.assertFalse(r.json["written"])
        errs = {e["row"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(errs), [3, 4, 5, 6, 7, 8])
        self.assertEqual(errs[3]["header"], "指标")
        self.assertEqual(errs[4]["header"], "月份")
        self.assertEqual(errs[5]["header"], "完成值")
        self.assertEqual(errs[6]["header"], "单位编码")
        self.assertIn("管辖范围", errs[6]["reason"])
        self.assertEqual(errs[7]["header"], "指标")  # derived: computed, never entered
        self.assertEqual(errs[8]["header"], "累计")
        self.assertEqual(before, self.in_force("hb_jd", "440303001", "fixed_investment", 2023,
                                               True))

    def test_another_units_figure_is_not_confirmed(self):
        # the exact figure of another street: refused by jurisdiction, not "unchanged"
        x = [e for e in self.in_force("leader", "440303002", "fixed_investment", 2023) if e["period"] == "2023-03"][0]
        data = csv_bytes([["单位编码", "指标", "月份", "累计", "完成值"],
                          ["440303002", "fixed_investment", "2023-03", "是" if x["cumulative"] else "否",
                           "%.10g" % x["value"]]])
        r = upload("actuals", data, user="hb_jd")
        self.assertEqual(r.status, 400, r)
        self.assertIn("管辖范围", r.json["errors"][0]["reason"])
        self.assertEqual(r.json.get("unchanged", 0), 0)
        t = [e for e in S.as_("leader").get("/api/v1/targets?unit=440303002&year=2023").json["items"]
             if e["period"] == "2023"][0]
        r = upload("targets", csv_bytes([["单位编码", "指标", "期间", "目标值"],
                                         ["440303002", t["indicator"], "2023", "%.10g" % t["value"]]]),
                   user="hb_leader")
        self.assertEqual(r.status, 400, r)
        self.assertIn("管辖范围", r.json["errors"][0]["reason"])

    def test_cli_export_without_a_user_is_every_unit(self):
        path = os.path.join(S.dir, "actuals.csv")
        p = S.run("export", "actuals", path, "--db", S.db)
        rows = parse_csv(open(path, "rb").read())
        count = sum(len(S.as_("admin").get("/api/v1/targets/actuals?year=%d" % y).json["items"])
                    for y in (2022, 2023))
        self.assertGreater(count, 1000)
        self.assertEqual(len(rows) - 1, count, p.stderr)

    def test_targets_ledger(self):
        head = ["单位编码", "指标", "期间", "目标值"]
        data = csv_bytes([head, ["440303002", "结案率", "2023年", "97%"],
                          ["440303002", "固定资产投资", "2023Q3", "20000"]])
        r = upload("targets", data, user="leader")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["created"], 2)
        t = S.as_("leader").get("/api/v1/targets?unit=440303002&year=2023&indicator=case_close_rate")
        self.assertEqual([x["value"] for x in t.json["items"]], [0.97])
        again = upload("targets", data, user="leader")
        self.assertEqual((again.json["created"], again.json["unchanged"]), (0, 2))
        # a street does not set its own targets; a department handler none
        r = upload("targets", csv_bytes([head, ["440303001", "结案率", "2023", "0.5"]]),
                   user="hb_leader")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["errors"][0]["header"], "单位编码")
        self.assertEqual(upload("targets", data, user="jt").status, 403)
        r = S.as_("leader").get("/api/v1/ledgers/targets.csv")
        rows = parse_csv(r.raw)
        self.assertEqual(rows[0], ["单位编码", "单位名称", "指标", "指标名称", "期间", "目标值", "备注",
                                   "填报人", "填报时间"])
        self.assertIn(["440303002", "翠竹街道", "case_close_rate", "结案率", "2023", "0.97"],
                      [x[:6] for x in rows])


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
