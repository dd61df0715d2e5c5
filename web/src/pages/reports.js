// reports.js - the reporting loop (通报与总结):
//   #/reports      pick the kind, unit and period and build a report; the
//                  reports kept for this jurisdiction; scheduled bulletins
//   #/reports/42   one report's text as it was built, with its tables and
//                  charts, and the downloads (.docx .pdf .xlsx .md)
// The text is the server's (core/report.c words it from the data); the
// page only lays it out.
import { get, post, api, qs } from "../api.js";
import { h, clear, loading, empty, errorBox, field, select, toast, showFormError, fmtTime } from "../ui.js";
import { unitOptions } from "./cases.js";
import { chart } from "./dashboard.js";

const KINDS = [["summary", "工作总结"], ["bulletin", "通报"]];
const FORMATS = [["docx", "Word"], ["pdf", "PDF"], ["xlsx", "Excel 附表"], ["md", "Markdown"]];
const WEEKDAYS = [[1, "周一"], [2, "周二"], [3, "周三"], [4, "周四"], [5, "周五"], [6, "周六"], [7, "周日"]];
const canSchedule = (user) => ["admin", "leader", "operator"].includes(user.role);

// Beijing today, and the natural periods a report is usually for.
const today = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
function defaultPeriod(kind) {
  const t = today();
  const y = Number(t.slice(0, 4)), m = Number(t.slice(5, 7));
  if (kind === "bulletin") { // the month just ended
    const pm = m === 1 ? 12 : m - 1, py = m === 1 ? y - 1 : y;
    return `${py}-${String(pm).padStart(2, "0")}`;
  }
  return m <= 6 ? `${y}H1` : `${y}H2`;
}

function downloads(r) {
  return h("span.downloads", FORMATS.map(([f, label]) =>
    h("a.button", { href: r.downloads[f], download: "", dataset: { format: f } }, label)));
}

function buildForm(user, units, reload) {
  const kind = select(KINDS, "summary");
  const period = h("input", { type: "text", value: defaultPeriod("summary"), placeholder: "2023H1、2023-06 或 2023" });
  const from = h("input", { type: "date", max: today() });
  const to = h("input", { type: "date", max: today() });
  const form = h("form.card.entry#report-form", { novalidate: true, "aria-label": "生成报告" },
    h("h2", "生成报告"),
    h("div.row",
      field("类型", kind, { name: "kind" }),
      field("单位", select(units, user.unit), { name: "unit" }),
      field("期间", period, { name: "period", hint: "年、半年、季度或月；或填下面的起止日期" })),
    h("div.row", field("起始日期", from, { name: "from" }), field("截止日期", to, { name: "to" })),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "生成"));
  kind.addEventListener("change", () => { period.value = defaultPeriod(kind.value); });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: kind.value, unit: form.elements.namedItem("unit").value };
    if (from.value || to.value) {
      body.from = from.value;
      body.to = to.value;
    } else {
      body.period = period.value.trim();
    }
    const button = form.querySelector("button");
    button.disabled = true;
    button.textContent = "生成中…";
    try {
      const r = await post("/api/v1/reports", body);
      toast(`已生成《${r.title}》`);
      location.hash = `#/reports/${r.id}`;
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, ["kind", "unit", "period", "from", "to"].includes(e.field) ? e.field : "");
    } finally {
      button.disabled = false;
      button.textContent = "生成";
    }
  });
  return form;
}

function scheduleSection(user, units, items, reload) {
  const rows = items.length ? h("div.table-wrap", h("table.schedules",
    h("thead", h("tr", ["单位", "类型", "时间", "下次生成", "最近一份", ""].map((t) => h("th", t)))),
    h("tbody", items.map((s) => {
      const stop = h("button.small", { type: "button" }, "停用");
      stop.addEventListener("click", async () => {
        try {
          await api("DELETE", `/api/v1/reports/schedules/${s.id}`);
          toast("已停用定时通报");
          reload();
        } catch (e) {
          if (e.status !== 401) toast(e.message, "error");
        }
      });
      return h("tr", { dataset: { id: s.id } },
        h("td", (units.find(([c]) => c === s.unit) || [s.unit, s.unit])[1].trim()),
        h("td", s.kind === "bulletin" ? "通报" : "工作总结"),
        h("td", s.label),
        h("td", fmtTime(s.next_run)),
        h("td", s.last_report ? h("a", { href: `#/reports/${s.last_report}` }, "查看") : "—"),
        h("td", canSchedule(user) ? stop : ""));
    })))) : empty("没有定时通报");
  if (!canSchedule(user)) return h("section.card", h("h2", "定时通报"), rows);
  // ids of their own: the build form above has fields of the same names
  const every = select([["week", "每周"], ["month", "每月"]], "week", { id: "sf-every" });
  const day = select(WEEKDAYS, 1, { id: "sf-day" });
  const time = h("input#sf-time", { type: "time", value: "09:00", required: true });
  every.addEventListener("change", () => {
    const opts = every.value === "week" ? WEEKDAYS : Array.from({ length: 28 }, (_, i) => [i + 1, `${i + 1}日`]);
    clear(day, ...opts.map(([v, t]) => h("option", { value: v }, t)));
  });
  const form = h("form.entry#schedule-form", { novalidate: true, "aria-label": "添加定时通报" },
    h("div.row",
      field("单位", select(units, user.unit, { id: "sf-unit" }), { name: "unit" }),
      field("类型", select(KINDS, "bulletin", { id: "sf-kind" }), { name: "kind" }),
      field("周期", every, { name: "every", hint: "每周通报上周，每月通报上月" }),
      field("日期", day, { name: "day" }),
      field("时间", time, { name: "time" })),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "添加定时通报"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { unit: form.elements.namedItem("unit").value, kind: form.elements.namedItem("kind").value,
      every: every.value, day: Number(day.value), time: time.value };
    try {
      const s = await post("/api/v1/reports/schedules", body);
      toast(`已添加：${s.label}，下次 ${fmtTime(s.next_run)}`);
      reload();
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, ["unit", "kind", "every", "day", "time"].includes(e.field) ? e.field : "");
    }
  });
  return h("section.card", { "aria-labelledby": "sched" }, h("h2#sched", "定时通报"), rows, form);
}

// The template a unit's reports are worded by (docs/REPORTS.md): its own,
// inherited from above, or the shipped one; edited as JSON, checked by the
// server (an error names the place in the template).
function templateSection(user, units) {
  const kind = select(KINDS, "summary", { id: "tf-kind" });
  const unit = select(units, user.unit, { id: "tf-unit" });
  const text = h("textarea#tf-text.mono", { rows: 16, spellcheck: "false" });
  const source = h("p.muted#tf-source");
  const form = h("form.entry#template-form", { novalidate: true, "aria-label": "报告模板" },
    h("div.row", field("类型", kind, { name: "kind" }), field("单位", unit, { name: "unit" })),
    source,
    field("模板（JSON）", text, { name: "template" }),
    h("div.form-error", { role: "alert" }),
    h("div.filter-actions",
      h("button.primary", { type: "submit" }, "保存模板"),
      h("button#tf-reset", { type: "button" }, "恢复为上级或内置模板")));
  const load = async () => {
    const res = await api("GET", `/api/v1/reports/templates/${kind.value}` + qs({ unit: unit.value }), undefined, { raw: true });
    const from = res.headers.get("X-Bihuan-Template");
    source.textContent = from === "unit" ? "来源：本单位编辑的模板" : from === "inherited"
      ? `来源：上级单位（${res.headers.get("X-Bihuan-Template-Unit")}）的模板` : "来源：内置模板";
    text.value = JSON.stringify(JSON.parse(await res.text()), null, 2);
  };
  kind.addEventListener("change", load);
  unit.addEventListener("change", load);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const res = await fetch(`/api/v1/reports/templates/${kind.value}` + qs({ unit: unit.value }), {
        method: "PUT", body: text.value, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Requested-With": "bihuan" } });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        const e = new Error((body && body.error && body.error.message) || `保存失败（HTTP ${res.status}）`);
        e.field = "template";
        throw e;
      }
      toast("模板已保存，此后生成的报告按新模板撰写");
      load();
    } catch (e) {
      showFormError(form, e, "template");
    }
  });
  form.querySelector("#tf-reset").addEventListener("click", async () => {
    try {
      await api("DELETE", `/api/v1/reports/templates/${kind.value}` + qs({ unit: unit.value }));
      toast("已恢复");
      load();
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, "template");
    }
  });
  load().catch((e) => showFormError(form, e, "template"));
  return h("section.card", { "aria-labelledby": "tpl" }, h("h2#tpl", "报告模板"), form);
}

export async function reportList(el, user) {
  const body = h("div", loading());
  clear(el, h("h1", "报告"), body);
  let units, list, scheds;
  try {
    units = await unitOptions(null);
    [list, scheds] = await Promise.all([get("/api/v1/reports" + qs({ limit: 50 })), get("/api/v1/reports/schedules")]);
  } catch (e) {
    return clear(body, errorBox(e));
  }
  const reload = () => reportList(el, user);
  clear(body,
    buildForm(user, units, reload),
    h("section.card", { "aria-labelledby": "kept" },
      h("h2#kept", "已生成的报告"),
      list.items.length ? h("div.table-wrap", h("table.reports",
        h("thead", h("tr", ["标题", "类型", "期间", "生成时间", "下载"].map((t) => h("th", t)))),
        h("tbody", list.items.map((r) => h("tr", { dataset: { id: r.id } },
          h("td", h("a", { href: `#/reports/${r.id}` }, r.title)),
          h("td", r.kind_label + (r.schedule ? "（定时）" : "")),
          h("td", `${r.from} 至 ${r.to}`),
          h("td", fmtTime(r.created_at)),
          h("td", downloads(r))))))) : empty("还没有生成报告")),
    scheduleSection(user, units, scheds.items, reload),
    canSchedule(user) ? templateSection(user, units) : null);
}

// One block of the content as the page shows it.
function blockEl(b, charts) {
  switch (b.kind) {
    case "title": return h("h1.report-title", b.text);
    case "heading": return h(b.level <= 1 ? "h2" : b.level === 2 ? "h3" : "h4", b.number + b.text);
    case "paragraph": return h("p.report-para", b.text);
    case "sign": return h("p.report-sign", b.text);
    case "table": {
      const t = b.table;
      return h("figure.report-table", { dataset: { table: t.name } },
        h("figcaption", b.text + (b.annex ? "（附表，见 Excel 附件）" : "")),
        h("div.table-wrap", h("table",
          h("thead", h("tr", t.head.map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", t.rows.map((row) => h("tr", row.map((c, i) => h(t.numeric[i] ? "td.num" : "td", c))))))));
    }
    case "chart": {
      const box = h("div.chart.wide");
      charts.push([box, b.chart]);
      return h("figure.report-chart", { dataset: { chart: b.chart.name } }, box, h("figcaption", b.text));
    }
    default: return null;
  }
}

export async function reportView(el, user, id) {
  const body = h("div", loading());
  clear(el, h("p", h("a", { href: "#/reports" }, "← 报告")), body);
  let r;
  try {
    r = await get(`/api/v1/reports/${id}`);
  } catch (e) {
    return clear(body, errorBox(e));
  }
  const charts = [];
  const blocks = r.content.blocks.filter((b) => !(b.kind === "table" && b.annex));
  clear(body,
    h("div.report-meta.card",
      h("div", `${r.kind_label}｜${r.from} 至 ${r.to}｜${fmtTime(r.created_at)} 由 ${r.created_by} 生成${r.schedule ? "（定时）" : ""}`),
      h("div", "下载：", downloads(r))),
    h("article.report-doc", blocks.map((b) => blockEl(b, charts))));
  for (const [box, c] of charts) {
    const pct = c.unit === "%";
    chart(box, {
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 40, bottom: 20, containLabel: true },
      xAxis: { type: "category", data: c.labels, axisLabel: { rotate: c.labels.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", name: pct ? "" : c.unit, axisLabel: pct ? { formatter: (v) => `${Math.round(v * 100)}%` } : {} },
      series: c.series.map((s) => ({ name: s.name, type: c.kind, data: s.values })),
    });
  }
}
