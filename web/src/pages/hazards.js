// hazards.js - what the patrols found and what came of it:
//   #/hazards        隐患: the list with lights, rectification of general ones
//   #/supervision    挂牌督办: the major hazards under supervision, for leaders
//   #/patrol/stats   巡查统计: the figures of GET /api/v1/stats/patrols, as tiles,
//                    ECharts charts by unit and by risk level, and a table
// Every number shown is the API's, formatted, never recomputed.
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { get, post, qs } from "../api.js";
import { h, clear, loading, empty, errorBox, field, select, toast, showFormError, fmtTime, lightBadge, statusBadge, KIND } from "../ui.js";
import { pct, chart, periodOf, statsForm } from "./dashboard.js";

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

const HSTATUS = { open: "待整改", rectified: "已整改", cancelled: "已撤销" };

function rectifyForm(z, onDone) {
  const note = h("textarea", { rows: 2, required: true, maxlength: 1300, placeholder: "整改情况" });
  const form = h("form.rectify", { novalidate: true },
    field("整改情况", note, { name: "note" }),
    h("div.form-error", { role: "alert" }),
    h("div.row", h("button.primary", { type: "submit" }, "确认整改完成"), h("button", { type: "button", onclick: () => form.remove() }, "取消")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/hazards/${z.id}/actions`, { action: "rectify", note: note.value.trim(), version: z.version });
      toast("已登记整改完成");
      onDone();
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, e.field === "note" ? "note" : "");
    }
  });
  setTimeout(() => note.focus(), 0);
  return form;
}

function hazardRow(z, user, reload) {
  const canRectify = z.status === "open" && !z.case && user.role !== "leader" && user.role !== "public";
  const act = h("td.act",
    z.case ? h("a", { href: `#/cases/${z.case}` }, `案件 ${z.case}`) : null,
    canRectify ? h("button", { type: "button", dataset: { rectify: z.id } }, "整改完成") : null);
  const tr = h("tr", { dataset: { id: z.id } },
    h("td", z.id),
    h("td", z.object_name, h("div.muted", KIND[z.object_kind] || z.object_kind)),
    h("td", h(`span.badge.sev-${z.severity}`, z.severity_label), z.self_check ? h("span.badge", "自查") : null),
    h("td", z.description),
    h("td", fmtTime(z.found_at)),
    h("td", z.deadline),
    h("td", statusBadge(z.status, z.status_label || HSTATUS[z.status]), z.on_spot ? h("div.muted", "当场整改") : null),
    h("td", z.status === "open" ? lightBadge(z.light) : "—"),
    act);
  const btn = act.querySelector("button");
  if (btn) btn.addEventListener("click", () => {
    const cell = h("td", { colspan: 9 }, rectifyForm(z, reload));
    tr.after(h("tr.rectify-row", cell));
  });
  return tr;
}

export async function hazardList(el, user, params) {
  const f = { status: params.get("status") || "open", severity: params.get("severity") || "", light: params.get("light") || "" };
  const form = h("form.filters", { "aria-label": "隐患筛选" },
    field("状态", select([["", "全部"], ["open", "待整改"], ["rectified", "已整改"]], f.status), { name: "status" }),
    field("等级", select([["", "全部"], ["general", "一般隐患"], ["major", "重大隐患"]], f.severity), { name: "severity" }),
    field("亮灯", select([["", "全部"], ["green", "绿灯"], ["yellow", "黄灯"], ["red", "红灯"], ["overdue", "超期"]], f.light), { name: "light" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "筛选")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const n of ["status", "severity", "light"]) p.set(n, form.elements.namedItem(n).value);
    location.hash = "#/hazards?" + p.toString();
  });
  const box = h("div.table-wrap", loading());
  clear(el, h("h1", "隐患"), form, box);
  const load = async () => {
    try {
      const r = await get("/api/v1/hazards" + qs({ ...f, limit: 100 }));
      if (!r.items.length) return clear(box, empty("没有符合条件的隐患"));
      clear(box, h("table.hazards",
        h("thead", h("tr", ["编号", "对象", "等级", "隐患描述", "发现时间", "整改期限", "状态", "亮灯", ""].map((t) => h("th", t)))),
        h("tbody", r.items.map((z) => hazardRow(z, user, load)))),
      r.next_cursor ? h("p.muted", "仅显示前 100 条；请用筛选缩小范围。") : null);
    } catch (e) {
      clear(box, errorBox(e));
    }
  };
  await load();
}

export async function supervision(el) {
  const box = h("div", loading());
  clear(el, h("h1", "挂牌督办"), h("p.muted", "巡查发现的重大隐患：立案后派遣责任部门整改，挂牌督办至复查销号。"), box);
  try {
    const r = await get("/api/v1/hazards" + qs({ severity: "major", limit: 100 }));
    if (!r.items.length) return clear(box, empty("暂无挂牌督办的重大隐患"));
    const open = r.items.filter((z) => z.status === "open").length;
    clear(box,
      h("p.due-summary", { role: "status" }, `共 ${r.items.length} 项，整改中 ${open} 项，已销号 ${r.items.length - open} 项。`),
      h("div.supervision", r.items.map((z) =>
        h("article.card.sv-item", { dataset: { id: z.id } },
          h("h2", z.object_name, " ", z.status === "open" ? lightBadge(z.light) : statusBadge("closed", "已复查销号")),
          h("p", z.description),
          z.plan ? h("p", h("strong", "整改方案："), z.plan) : null,
          h("p", h("strong", "督办领导："), z.supervisor || "—", " · ", h("strong", "整改期限："), z.deadline,
            " · 发现于 ", fmtTime(z.found_at), z.rectified_at ? ` · 销号于 ${fmtTime(z.rectified_at)}` : ""),
          z.case ? h("p", h("a", { href: `#/cases/${z.case}` }, `案件 ${z.case}`), "（", z.case_status || "", "）") : null))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}

const RATE_SERIES = (rows) => [
  { name: "巡查覆盖率", type: "bar", data: rows.map((r) => (r.coverage === null ? null : +(r.coverage * 100).toFixed(1))) },
  { name: "隐患整改率", type: "bar", data: rows.map((r) => (r.rectification_rate === null ? null : +(r.rectification_rate * 100).toFixed(1))) },
];

export async function patrolStats(el, user, params) {
  const period = await periodOf(params, "/api/v1/patrols", "at");
  const unit = params.get("unit") || user.unit;
  const form = await statsForm(user, unit, period, "#/patrol/stats");
  const body = h("div.dash", loading("统计中…"));
  clear(el, h("h1", "巡查统计"), form, body);
  const q = { unit, from: period.from, to: period.to };
  let byUnit, byRisk;
  try {
    [byUnit, byRisk] = await Promise.all([
      get("/api/v1/stats/patrols" + qs({ ...q, group_by: "unit" })),
      get("/api/v1/stats/patrols" + qs({ ...q, group_by: "risk" })),
    ]);
  } catch (e) {
    clear(body, errorBox(e));
    return;
  }
  const t = byUnit.total;
  const tile = (label, value, key) => h("div.tile", { dataset: { stat: key } }, h("div.tile-value", value), h("div.tile-label", label));
  const cu = h("div.chart#chart-patrol-unit", { role: "img", "aria-label": "各单位巡查覆盖率与隐患整改率" });
  const cr = h("div.chart#chart-patrol-risk", { role: "img", "aria-label": "各风险等级巡查覆盖率与隐患整改率" });
  clear(body,
    h("div.tiles",
      tile("巡查覆盖率", pct(t.coverage), "coverage"),
      tile("按期巡查率", pct(t.on_time_rate), "on_time_rate"),
      tile("巡查家次", t.visits, "visits"),
      tile("发现隐患", t.hazards, "hazards"),
      tile("隐患整改率", pct(t.rectification_rate), "rectification_rate"),
      tile("立案（重大隐患）", t.cases, "cases"),
      tile("企业自查家次", t.self_checks, "self_checks"),
      tile("自查隐患", t.self_check_hazards, "self_check_hazards"),
      tile("应巡", t.due, "due"),
      tile("漏巡", t.missed, "missed"),
      tile("整改超期", t.overdue, "overdue"),
      tile("巡河巡林（公里）", t.track_km, "track_km"),
      tile("河段林段轨迹覆盖率", pct(t.section_coverage_rate), "section_coverage_rate")),
    h("div.grid2", h("div.card", h("h2", "按单位"), cu), h("div.card", h("h2", "按风险等级"), cr)),
    h("div.table-wrap", h("table.patrol-stats",
      h("thead", h("tr", ["单位", "对象", "应巡", "已巡", "补巡", "漏巡", "覆盖率", "家次", "隐患", "重大", "已整改", "整改率", "立案"].map((x) => h("th", x)))),
      h("tbody", byUnit.groups.map((g) => h("tr", { dataset: { key: g.key } },
        h("td", g.name || g.key), h("td", g.objects), h("td", g.due), h("td", g.done), h("td", g.late), h("td", g.missed),
        h("td", pct(g.coverage)), h("td", g.visits), h("td", g.hazards), h("td", g.hazards_major), h("td", g.rectified),
        h("td", pct(g.rectification_rate)), h("td", g.cases)))))),
    h("details.formulas", h("summary", "口径"), h("ul", Object.entries(byUnit.formulas || {}).map(([k, v]) => h("li", `${k}：${v}`)))));
  const axis = (rows) => ({ type: "category", data: rows.map((g) => g.name || g.key), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } });
  chart(cu, { legend: {}, grid: { bottom: 60 }, xAxis: axis(byUnit.groups), yAxis: { type: "value", max: 100, name: "%" }, series: RATE_SERIES(byUnit.groups) });
  chart(cr, { legend: {}, xAxis: axis(byRisk.groups), yAxis: { type: "value", max: 100, name: "%" }, series: RATE_SERIES(byRisk.groups) });
  cu.dataset.ready = cr.dataset.ready = "1";
}
