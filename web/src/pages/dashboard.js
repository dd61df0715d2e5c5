// dashboard.js - 统计: the figures of GET /api/v1/stats/cases, as tiles,
// ECharts charts (by street, by category, weekly trend) and a ranking of
// streets.  Every number shown is the API's, formatted, never recomputed.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { get, qs } from "../api.js";
import { h, clear, loading, empty, errorBox, field, select } from "../ui.js";
import { unitOptions } from "./cases.js";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export const pct = (x) => (x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%");
const day = (d) => d.toISOString().slice(0, 10);

// The period in the page's address, else the half-year holding the newest
// row of 'list' (its time in field 'at'; a live demo's newest case is today's), up to
// today.
export async function periodOf(params, list, at) {
  if (params.get("from") && params.get("to")) return { from: params.get("from"), to: params.get("to") };
  let ref = day(new Date(Date.now() + 8 * 3600000)); // today in Beijing time
  try {
    const r = await get(list + "?limit=1");
    if (r.items.length) ref = r.items[0][at].slice(0, 10);
  } catch {
    /* the current half-year */
  }
  const y = ref.slice(0, 4), h2 = Number(ref.slice(5, 7)) >= 7;
  const from = `${y}-${h2 ? "07-01" : "01-01"}`;
  let to = `${y}-${h2 ? "12-31" : "06-30"}`;
  const today = day(new Date(Date.now() + 8 * 3600000));
  if (to > today) to = today;
  return { from, to };
}

function weeks(from, to) {
  const out = [];
  let d = new Date(from + "T00:00:00+08:00");
  const end = new Date(to + "T00:00:00+08:00");
  while (d <= end && out.length < 60) {
    const e = new Date(d.getTime() + 6 * 86400000);
    const last = e > end ? end : e;
    out.push({ from: day(new Date(d.getTime() + 8 * 3600000)), to: day(new Date(last.getTime() + 8 * 3600000)) });
    d = new Date(d.getTime() + 7 * 86400000);
  }
  return out;
}

export function chart(box, option) {
  const c = echarts.init(box, null, { renderer: "canvas" });
  c.setOption({ animation: false, tooltip: { trigger: "axis" }, ...option });
  new ResizeObserver(() => c.resize()).observe(box);
  return c;
}

// The figures pages' form: a unit (the streets and above) and a period;
// submitting it moves to 'route' with them in the address.
export async function statsForm(user, unit, period, route) {
  const units = (await unitOptions(null).catch(() => [[user.unit, user.unit]]))
    .filter(([code]) => !code.includes("-") && code.length <= 9);
  const form = h("form.filters", { "aria-label": "统计条件" },
    field("统计单位", select(units, unit), { name: "unit" }),
    field("起始日期", h("input", { type: "date", value: period.from, required: true }), { name: "from" }),
    field("截止日期", h("input", { type: "date", value: period.to, required: true }), { name: "to" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "统计")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const n of ["unit", "from", "to"]) p.set(n, form.elements.namedItem(n).value);
    location.hash = route + "?" + p.toString();
  });
  return form;
}

export async function dashboard(el, user, params) {
  const period = await periodOf(params, "/api/v1/cases", "created_at");
  const unit = params.get("unit") || user.unit;
  const form = await statsForm(user, unit, period, "#/dashboard");
  const body = h("div.dash", loading("统计中…"));
  clear(el, h("h1", "统计"), form, body);

  const q = { unit, from: period.from, to: period.to };
  let byUnit, byCat;
  try {
    [byUnit, byCat] = await Promise.all([
      get("/api/v1/stats/cases" + qs({ ...q, group_by: "unit" })),
      get("/api/v1/stats/cases" + qs({ ...q, group_by: "category" })),
    ]);
  } catch (e) {
    clear(body, errorBox(e));
    return;
  }
  const t = byUnit.total;
  const tile = (label, value, key) => h("div.tile", { dataset: { stat: key } }, h("div.tile-value", value), h("div.tile-label", label));
  const groups = byUnit.groups || [];
  const ranked = [...groups].sort((a, b) => (b.on_time_close_rate ?? -1) - (a.on_time_close_rate ?? -1) || b.reported - a.reported);
  clear(body,
    h("p.muted.period", `统计期间 ${period.from} 至 ${period.to}（按上报时间），截至 ${byUnit.period.as_of.slice(0, 16).replace("T", " ")}`),
    h("div.tiles",
      tile("上报数", t.reported, "reported"), tile("结案数", t.closed, "closed"),
      tile("按期结案率", pct(t.on_time_close_rate), "on_time_close_rate"), tile("超期数", t.overdue, "overdue"),
      tile("结案率", pct(t.close_rate), "close_rate"), tile("满意率", pct(t.satisfaction_rate), "satisfaction_rate")),
    t.reported === 0 ? empty("该期间没有案件") : null,
    h("div.grid2",
      h("section.card", { "aria-labelledby": "c1" }, h("h2#c1", "按下级单位"), h("div.chart#chart-unit")),
      h("section.card", { "aria-labelledby": "c2" }, h("h2#c2", "按类别"), h("div.chart#chart-cat"))),
    h("section.card", { "aria-labelledby": "c3" }, h("h2#c3", "每周趋势"), h("div.chart.wide#chart-week", loading())),
    h("section.card", { "aria-labelledby": "c4" },
      h("h2#c4", "排名（按期结案率）"),
      groups.length ? h("div.table-wrap", h("table.ranking",
        h("thead", h("tr", ["排名", "单位", "上报数", "结案数", "按期结案率", "超期数", "结案率"].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", ranked.map((g, i) => h("tr", { dataset: { key: g.key } },
          h("td", i + 1), h("th", { scope: "row" }, g.name), h("td", g.reported), h("td", g.closed),
          h("td", pct(g.on_time_close_rate)), h("td", g.overdue), h("td", pct(g.close_rate))))))) : empty()));

  const names = groups.map((g) => g.name);
  chart(body.querySelector("#chart-unit"), {
    legend: { top: 0 },
    grid: { left: 40, right: 50, top: 40, bottom: 60 },
    xAxis: { type: "category", data: names, axisLabel: { rotate: 30 } },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "按期结案率", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: "上报数", type: "bar", data: groups.map((g) => g.reported) },
      { name: "结案数", type: "bar", data: groups.map((g) => g.closed) },
      { name: "超期数", type: "bar", data: groups.map((g) => g.overdue) },
      { name: "按期结案率", type: "line", yAxisIndex: 1, data: groups.map((g) => (g.on_time_close_rate === null ? null : +(g.on_time_close_rate * 100).toFixed(1))) },
    ],
  });
  const cats = (byCat.groups || []).filter((g) => g.reported > 0).sort((a, b) => b.reported - a.reported).slice(0, 12);
  chart(body.querySelector("#chart-cat"), {
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 40, bottom: 30, containLabel: true },
    yAxis: { type: "category", data: cats.map((g) => g.name).reverse() },
    xAxis: { type: "value" },
    series: [
      { name: "上报数", type: "bar", data: cats.map((g) => g.reported).reverse() },
      { name: "结案数", type: "bar", data: cats.map((g) => g.closed).reverse() },
      { name: "超期数", type: "bar", data: cats.map((g) => g.overdue).reverse() },
    ],
  });

  // The weekly trend: one stats call per week, a few at a time.
  const ws = weeks(period.from, period.to);
  const res = new Array(ws.length);
  let next = 0;
  const worker = async () => {
    while (next < ws.length) {
      const i = next++;
      res[i] = await get("/api/v1/stats/cases" + qs({ unit, from: ws[i].from, to: ws[i].to })).catch(() => null);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const weekBox = body.querySelector("#chart-week");
  weekBox.replaceChildren();
  chart(weekBox, {
    legend: { top: 0 },
    grid: { left: 40, right: 50, top: 40, bottom: 40 },
    xAxis: { type: "category", data: ws.map((w) => w.from.slice(5)) },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "按期结案率", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: "上报数", type: "line", data: res.map((r) => (r ? r.total.reported : null)) },
      { name: "结案数", type: "line", data: res.map((r) => (r ? r.total.closed : null)) },
      { name: "超期数", type: "bar", data: res.map((r) => (r ? r.total.overdue : null)) },
      { name: "按期结案率", type: "line", yAxisIndex: 1, data: res.map((r) => (r && r.total.on_time_close_rate !== null ? +(r.total.on_time_close_rate * 100).toFixed(1) : null)) },
    ],
  });
  weekBox.dataset.ready = "1";
}
