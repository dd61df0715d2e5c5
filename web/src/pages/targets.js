// targets.js - the target loop (目标考核):
//   #/targets          目标看板: every indicator of a unit's children with
//                      完成率 as a bar against the 序时进度 line, 进度差,
//                      同比 arrows, rank and card (GET /api/v1/targets/board)
//   #/targets/ranking  月度排名: the units' scores by month with 流动红旗 and
//                      黄旗, the year's flags, and awarding a month's flags
//   #/targets/trend    指标趋势: one unit's indicator month by month against
//                      last year (GET /api/v1/targets/trend)
//   #/targets/entry    填报完成值: a unit enters its monthly actuals
// Every number shown is the API's, formatted, never recomputed.
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { get, post, qs } from "../api.js";
import { h, clear, loading, empty, errorBox, field, select, toast, showFormError, fmtTime } from "../ui.js";
import { pct, chart, periodOf, statsForm } from "./dashboard.js";
import { unitOptions } from "./cases.js";

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export const CARD = { red: "红牌", yellow: "黄牌", blue: "蓝牌" };
export const FLAG = { red: "流动红旗", yellow: "黄旗" };
const MANAGE = ["admin", "leader", "operator"];

// The target pages' own tabs, under the page's title.
const TABS = [["#/targets", "目标看板"], ["#/targets/ranking", "月度排名"], ["#/targets/trend", "指标趋势"], ["#/targets/entry", "填报完成值"]];
function tabs(current, user) {
  return h("nav.tabs", { "aria-label": "目标考核" }, TABS
    .filter(([p]) => p !== "#/targets/entry" || user.role !== "reporter")
    .map(([p, label]) => h("a", { href: p, "aria-current": p === current ? "page" : null }, label)));
}

// A value in its measure: a rate as a percentage, an amount with its unit.
export function amount(v, ind) {
  if (v === null || v === undefined) return "—";
  if (ind.rate) return pct(v);
  const digits = Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : 1;
  return v.toLocaleString("zh-CN", { maximumFractionDigits: digits }) + (ind.unit ? " " + ind.unit : "");
}

export function cardBadge(card) {
  return card ? h(`span.badge.card-${card}`, CARD[card] || card) : h("span.badge.card-none", "正常");
}

// 完成率 as a bar, with the 序时进度 as a line across it.
export function progressBar(completion, timeProgress, label) {
  const w = completion === null ? 0 : Math.min(completion, 1) * 100;
  const behind = completion !== null && timeProgress !== null && completion < timeProgress;
  return h("div.progress", { role: "img", "aria-label": `${label}：完成率${pct(completion)}，序时进度${pct(timeProgress)}` },
    h(`div.progress-fill${behind ? ".behind" : ""}`, { style: `width:${w.toFixed(1)}%` }),
    timeProgress === null ? null : h("div.progress-tick", { style: `left:${(Math.min(timeProgress, 1) * 100).toFixed(1)}%`, title: `序时进度 ${pct(timeProgress)}` }),
    h("span.progress-text", pct(completion)));
}

// 同比 with an arrow, coloured by whether the change is for the better.
function yoyCell(x, ind) {
  if (x.yoy === null) return h("span.muted", x.yoy_text);
  const arrow = x.yoy > 0 ? "▲" : x.yoy < 0 ? "▼" : "＝";
  const better = ind.direction === "lower" ? x.yoy < 0 : x.yoy > 0;
  return h(`span.yoy.${x.yoy === 0 ? "flat" : better ? "better" : "worse"}`, { title: x.yoy_text }, arrow, " ", x.yoy_text);
}

// The period of the figures: the address's, else the half-year of the newest case.
async function targetPeriod(params) {
  return periodOf(params, "/api/v1/cases", "created_at");
}

export async function targetBoard(el, user, params) {
  const period = await targetPeriod(params);
  const unit = params.get("unit") || user.unit;
  const form = await statsForm(user, unit, period, "#/targets");
  const body = h("div", loading("计算中…"));
  clear(el, h("h1", "目标看板"), tabs("#/targets", user), form, body);
  let b;
  try {
    b = await get("/api/v1/targets/board" + qs({ unit, from: period.from, to: period.to }));
  } catch (e) {
    return clear(body, errorBox(e));
  }
  if (!b.rows.length) return clear(body, empty("该单位的下级单位没有本年度的考核目标"));
  const sections = b.indicators.map((ind) => {
    const rows = b.rows.filter((x) => x.indicator === ind.code).sort((x, y) => (x.rank || 999) - (y.rank || 999));
    if (!rows.length) return null;
    return h("section.card.board-ind", { dataset: { indicator: ind.code } },
      h("h2", ind.name, h("span.muted", `（${ind.unit || ""}，${ind.direction === "lower" ? "越低越好" : "越高越好"}）`)),
      h("div.table-wrap", h("table.board",
        h("thead", h("tr", ["排名", "单位", "目标", "完成", "完成率 / 序时进度", "进度差", "同比", "亮牌", "得分", ""].map((t) => h("th", t)))),
        h("tbody", rows.map((x) => h("tr", { dataset: { unit: x.unit, card: x.card || "" } },
          h("td.num", x.rank || "—"),
          h("td", x.unit_name),
          h("td.num", amount(x.target, ind)),
          h("td.num", amount(x.actual, ind)),
          h("td", progressBar(x.completion, x.time_progress, x.unit_name)),
          h("td", x.gap_text || "—"),
          h("td", yoyCell(x, ind)),
          h("td", cardBadge(x.card)),
          h("td.num", x.score === null ? "—" : x.score.toFixed(1)),
          h("td", h("a", { href: "#/targets/trend" + qs({ unit: x.unit, indicator: x.indicator, year: b.year }) }, "趋势"))))))));
  });
  const cards = b.rows.filter((x) => x.card);
  clear(body,
    h("p.due-summary", { role: "status" },
      `截至 ${b.as_of}：${b.units.length} 个单位、${b.rows.length} 项考核指标，亮牌 ${cards.length} 项`,
      ["red", "yellow", "blue"].map((c) => ` · ${CARD[c]} ${cards.filter((x) => x.card === c).length}`).join(""),
      "。 ", h("a", { href: "#/targets/ranking" + qs({ unit, month: b.as_of.slice(0, 7) }) }, "查看月度排名")),
    sections);
}

export async function targetRanking(el, user, params) {
  const period = await targetPeriod(params);
  const unit = params.get("unit") || user.unit;
  const month = params.get("month") || period.to.slice(0, 7);
  const units = (await unitOptions(null).catch(() => [[user.unit, user.unit]])).filter(([c]) => !c.includes("-") && c.length <= 9);
  const form = h("form.filters", { "aria-label": "排名条件" },
    field("考核单位", select(units, unit), { name: "unit" }),
    field("月份", h("input", { type: "month", value: month, required: true }), { name: "month" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "查看")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = "#/targets/ranking" + qs({ unit: form.elements.namedItem("unit").value, month: form.elements.namedItem("month").value });
  });
  const body = h("div", loading("计算中…"));
  clear(el, h("h1", "月度考核排名"), tabs("#/targets/ranking", user), form, body);
  let r, f;
  try {
    [r, f] = await Promise.all([
      get("/api/v1/targets/ranking" + qs({ unit, period: month })),
      get("/api/v1/targets/flags" + qs({ unit, year: month.slice(0, 4) })),
    ]);
  } catch (e) {
    return clear(body, errorBox(e));
  }
  const awarded = f.items.some((x) => x.month === month);
  // the flags among a unit's children are its own leaders' and command centre's to award
  const award = (user.role === "admin" || (MANAGE.includes(user.role) && user.unit === unit)) && !awarded && r.units.length
    ? h("button.primary#award", { type: "button" }, `评定${Number(month.slice(5))}月流动红旗、黄旗`) : null;
  if (award) award.addEventListener("click", async () => {
    award.disabled = true;
    try {
      const a = await post("/api/v1/targets/flags", { unit, month });
      toast(`已评定 ${a.items.length} 面旗`);
      targetRanking(el, user, params);
    } catch (e) {
      award.disabled = false;
      toast(e.message, "error");
    }
  });
  const types = [...new Set(r.units.map((u) => u.type))];
  const TYPE = { street: "街道", department: "部门", district: "区", community: "社区" };
  clear(body,
    h("p.due-summary", { role: "status" }, `截至 ${r.as_of}，按考核得分排名。`,
      awarded ? "本月红黄旗已评定。" : "本月红黄旗尚未评定。", award),
    types.map((t) => h("section.card", { dataset: { type: t } },
      h("h2", TYPE[t] || t),
      h("table.ranking",
        h("thead", h("tr", ["排名", "单位", "考核得分", "指标数", "红黄旗"].map((x) => h("th", x)))),
        h("tbody", r.units.filter((u) => u.type === t).sort((a, b) => a.rank - b.rank).map((u) =>
          h("tr", { dataset: { unit: u.unit, flag: u.flag || "" } },
            h("td.num", u.rank), h("td", u.name), h("td.num", u.score.toFixed(1)), h("td.num", u.indicators),
            h("td", u.flag ? h(`span.badge.flag-${u.flag}`, FLAG[u.flag]) : "—"))))))),
    h("section.card", h("h2", `${month.slice(0, 4)}年红黄旗`),
      f.items.length ? h("table.flags",
        h("thead", h("tr", ["月份", "单位", "旗", "名次", "得分", "评定时间", "评定人"].map((x) => h("th", x)))),
        h("tbody", f.items.map((x) => h("tr",
          h("td", x.month), h("td", (r.units.find((u) => u.unit === x.unit) || {}).name || x.unit),
          h("td", h(`span.badge.flag-${x.flag}`, x.label)), h("td.num", x.rank), h("td.num", x.score.toFixed(1)),
          h("td", fmtTime(x.awarded_at)), h("td", x.awarded_by))))) : empty("本年度尚未评定红黄旗")));
}

export async function targetTrend(el, user, params) {
  const period = await targetPeriod(params);
  const unit = params.get("unit") || user.unit;
  const year = params.get("year") || period.to.slice(0, 4);
  let inds, units;
  try {
    [inds, units] = await Promise.all([get("/api/v1/targets/indicators"), unitOptions(null)]);
  } catch (e) {
    return clear(el, h("h1", "指标趋势"), errorBox(e));
  }
  const indicator = params.get("indicator") || inds.items[0].code;
  const ind = inds.items.find((i) => i.code === indicator) || inds.items[0];
  const form = h("form.filters", { "aria-label": "趋势条件" },
    field("单位", select(units.filter(([c]) => c.length <= 12), unit), { name: "unit" }),
    field("指标", select(inds.items.map((i) => [i.code, i.name]), indicator), { name: "indicator" }),
    field("年度", h("input", { type: "number", min: 2000, max: 2100, value: year, required: true }), { name: "year" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "查看")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = {};
    for (const n of ["unit", "indicator", "year"]) p[n] = form.elements.namedItem(n).value;
    location.hash = "#/targets/trend" + qs(p);
  });
  const body = h("div", loading());
  clear(el, h("h1", "指标趋势"), tabs("#/targets/trend", user), form, body);
  let t;
  try {
    t = await get("/api/v1/targets/trend" + qs({ unit, indicator, year }));
  } catch (e) {
    return clear(body, errorBox(e));
  }
  const scale = (v) => (v === null ? null : ind.rate ? +(v * 100).toFixed(2) : +v.toFixed(2));
  const box = h("div.chart.wide#chart-trend", { role: "img", "aria-label": `${t.unit_name}${t.indicator_name}逐月累计与上年同期` });
  clear(body,
    h("p.due-summary", { role: "status" }, `${t.unit_name} · ${t.indicator_name}（${t.year}年，截至 ${t.as_of}）`,
      t.target === null ? "：无年度目标" : `：年度目标 ${amount(t.target, ind)}`),
    h("div.card", box),
    h("div.table-wrap", h("table.trend",
      h("thead", h("tr", ["月份", "当月", "环比", "1月至当月", "上年同期", "同比", "完成率", "序时进度", "亮牌"].map((x) => h("th", x)))),
      h("tbody", t.months.map((m) => h("tr", { dataset: { month: m.month } },
        h("td", m.month), h("td.num", amount(m.value, ind)), h("td", m.mom_text),
        h("td.num", amount(m.actual, ind)), h("td.num", amount(m.base, ind)),
        h("td", m.yoy_text), h("td.num", pct(m.completion)), h("td.num", pct(m.time_progress)),
        h("td", t.target === null || m.completion === null ? "—" : cardBadge(m.card))))))));
  chart(box, {
    legend: {},
    xAxis: { type: "category", data: t.months.map((m) => Number(m.month.slice(5)) + "月") },
    yAxis: { type: "value", name: ind.rate ? "%" : ind.unit },
    series: [
      { name: `${t.year}年`, type: "line", data: t.months.map((m) => scale(m.actual)) },
      { name: `${t.year - 1}年同期`, type: "line", lineStyle: { type: "dashed" }, data: t.months.map((m) => scale(m.base)) },
    ],
  });
  box.dataset.ready = "1";
}

// The units a user enters for: its own and those in its jurisdiction (a
// department is itself only; a numeric unit, its subtree; the server checks).
export async function ownUnits(user) {
  const all = await unitOptions(null).catch(() => []);
  const mine = (c) => c === user.unit || (!user.unit.includes("-") && c.startsWith(user.unit));
  return all.filter(([c]) => user.role === "admin" || mine(c));
}

export async function actualEntry(el, user, params) {
  let inds, units;
  try {
    [inds, units] = await Promise.all([get("/api/v1/targets/indicators"), ownUnits(user)]);
  } catch (e) {
    return clear(el, h("h1", "填报指标完成值"), errorBox(e));
  }
  const entered = inds.items.filter((i) => i.source !== "derived");
  const unit = params.get("unit") || user.unit;
  const lastMonth = new Date(Date.now() + 8 * 3600000 - 28 * 86400000).toISOString().slice(0, 7);
  const ind = select(entered.map((i) => [i.code, `${i.name}（${i.unit}）`]), params.get("indicator") || entered[0].code);
  const value = h("input", { type: "number", step: "any", min: 0 });
  const num = h("input", { type: "number", step: "any", min: 0 });
  const den = h("input", { type: "number", step: "any", min: 0 });
  const cumulative = h("input", { type: "checkbox" });
  const note = h("input", { type: "text", maxlength: 200 });
  const parts = h("div.row", field("分子", num, { name: "numerator" }), field("分母", den, { name: "denominator" }));
  const single = h("div.row", field("完成值", value, { name: "value", hint: "比率填小数，如 0.98" }),
    h("label.check", cumulative, " 1月至当月累计（如“1-5月累计”）"));
  const form = h("form.card.entry", { novalidate: true, "aria-label": "填报指标完成值" },
    h("div.row",
      field("单位", select(units, unit), { name: "unit" }),
      field("指标", ind, { name: "indicator" }),
      field("月份", h("input", { type: "month", value: params.get("period") || lastMonth, required: true }), { name: "period" })),
    single, parts,
    field("说明", note, { name: "note", hint: "更正时请写明原因；原数据保留在历史中" }),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "提交"));
  const history = h("div", loading());
  const shape = () => {
    const d = entered.find((i) => i.code === ind.value);
    parts.hidden = d.aggregate !== "ratio";
    single.hidden = d.aggregate === "ratio";
    cumulative.disabled = d.aggregate === "avg";
  };
  ind.addEventListener("change", shape);
  shape();
  let asked = 0; // only the newest question's answer is shown
  const showHistory = async () => {
    const u = form.elements.namedItem("unit").value;
    const year = form.elements.namedItem("period").value.slice(0, 4);
    const mine = ++asked;
    try {
      const r = await get("/api/v1/targets/actuals" + qs({ unit: u, year, indicator: ind.value, history: "true" }));
      if (mine !== asked) return;
      const d = entered.find((i) => i.code === ind.value);
      clear(history, r.items.length ? h("table.actuals",
        h("thead", h("tr", ["月份", "完成值", "累计", "填报时间", "填报人", "说明"].map((x) => h("th", x)))),
        h("tbody", r.items.slice().reverse().map((x) => h("tr", { dataset: { id: x.id } },
          h("td", x.period), h("td.num", amount(x.value, d)), h("td", x.cumulative ? "是" : "否"),
          h("td", fmtTime(x.entered_at)), h("td", x.entered_by), h("td", x.note || ""))))) : empty(`${year}年尚无填报`));
    } catch (e) {
      if (mine === asked) clear(history, errorBox(e));
    }
  };
  form.addEventListener("change", (ev) => {
    if (["unit", "indicator", "period"].includes(ev.target.name)) showHistory();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const d = entered.find((i) => i.code === ind.value);
    const body = {
      unit: form.elements.namedItem("unit").value, indicator: d.code,
      period: form.elements.namedItem("period").value, note: note.value.trim() || undefined,
    };
    const n = (x) => (x.value === "" ? undefined : Number(x.value));
    if (d.aggregate === "ratio") Object.assign(body, { numerator: n(num), denominator: n(den) });
    else Object.assign(body, { value: n(value), cumulative: cumulative.checked });
    try {
      await post("/api/v1/targets/actuals", body);
      toast(`已填报 ${body.period} ${d.name}`);
      form.querySelectorAll(".field-error, .form-error").forEach((x) => (x.textContent = ""));
      showHistory();
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, ["value", "numerator", "denominator", "period", "unit", "indicator"].includes(e.field) ? e.field : "");
    }
  });
  clear(el, h("h1", "填报指标完成值"), tabs("#/targets/entry", user),
    h("p.muted", "按月填报本单位的指标完成值；由案件、巡查数据自动计算的指标无需填报。"),
    form, h("h2", "填报记录"), history);
  showHistory();
}
