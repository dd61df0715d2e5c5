// projects.js - key projects (重点项目):
//   #/projects      the list with the year's plan completion against the
//                   序时进度, the light, milestones and the latest progress
//   #/projects/42   one project: milestones (marked done by the owner unit),
//                   the months' completed investment, the progress log
//                   (日推进/周检点/月调度), and the forms to add to them
// Every number shown is the API's, formatted, never recomputed.
import { get, post, api, qs } from "../api.js";
import { h, clear, loading, empty, errorBox, field, select, toast, showFormError, fmtTime } from "../ui.js";
import { pct, periodOf } from "./dashboard.js";
import { unitOptions } from "./cases.js";
import { progressBar } from "./targets.js";

const LIGHT = { red: "红灯", yellow: "黄灯", blue: "蓝灯", green: "绿灯" };
const LOG_KIND = [["daily", "日推进"], ["weekly", "周检点"], ["monthly", "月调度"]];
const wan = (v) => (v === null || v === undefined ? "—" : v.toLocaleString("zh-CN", { maximumFractionDigits: 1 }) + " 万元");
const lightBadge = (l) => h(`span.badge.plight-${l}`, LIGHT[l] || l);
const today = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10); // Beijing

async function projectPeriod(params) {
  if (params.get("period")) return params.get("period");
  const p = await periodOf(params, "/api/v1/cases", "created_at");
  return `${p.from.slice(0, 4)}${p.from.slice(5, 7) === "01" ? "H1" : "H2"}`;
}

function milestoneChips(p) {
  return h("ul.milestones", p.milestones.map((m) =>
    h(`li.ms-${m.status}`, { title: `计划 ${m.planned}${m.actual ? "，实际 " + m.actual : ""}` }, m.name, " ", h("span.muted", m.status_label))));
}

export async function projectList(el, user, params) {
  const period = await projectPeriod(params);
  const unit = params.get("unit") || user.unit;
  const units = (await unitOptions(null).catch(() => [[user.unit, user.unit]]));
  const form = h("form.filters", { "aria-label": "项目条件" },
    field("单位", select(units, unit), { name: "unit" }),
    field("期间", h("input", { type: "text", value: period, required: true, placeholder: "2023H1 或 2023-06" }), { name: "period", hint: "年、半年、季度或月" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "查看")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = "#/projects" + qs({ unit: form.elements.namedItem("unit").value, period: form.elements.namedItem("period").value.trim() });
  });
  const body = h("div", loading());
  clear(el, h("h1", "重点项目"), form, body);
  let r;
  try {
    r = await get("/api/v1/projects" + qs({ unit, period }));
  } catch (e) {
    return clear(body, errorBox(e));
  }
  if (!r.items.length) return clear(body, empty("该单位没有重点项目"));
  const s = r.summary;
  const tile = (label, value, key) => h("div.tile", { dataset: { stat: key } }, h("div.tile-value", value), h("div.tile-label", label));
  clear(body,
    h("div.tiles",
      tile("重点项目", `${s.projects} 个`, "projects"),
      tile("已开工", `${s.started} 个`, "started"),
      tile("已竣工", `${s.finished} 个`, "finished"),
      tile("年度计划投资", wan(s.planned_investment), "planned_investment"),
      tile("完成投资", wan(s.completed_investment), "completed_investment"),
      tile("占年度计划", pct(s.plan_completion), "plan_completion"),
      tile("节点按期率", pct(s.on_time_rate), "on_time_rate"),
      tile("逾期节点", s.milestones_overdue, "milestones_overdue")),
    h("div.table-wrap", h("table.projects",
      h("thead", h("tr", ["项目", "责任单位", "类别", "年度计划", "完成投资", "计划完成率 / 序时进度", "亮灯", "节点", "最新进展"].map((t) => h("th", t)))),
      h("tbody", r.items.map((p) => h("tr", { dataset: { id: p.id, light: p.light } },
        h("td", h("a", { href: `#/projects/${p.id}` + qs({ period }) }, p.name), h("div.muted", p.code)),
        h("td", p.unit_name),
        h("td", p.category || "—"),
        h("td.num", wan(p.planned_investment)),
        h("td.num", wan(p.completed_investment)),
        h("td", progressBar(p.plan_completion, p.time_progress, p.name)),
        h("td", lightBadge(p.light)),
        h("td", milestoneChips(p)),
        h("td", p.latest_log ? [h("div", p.latest_log.text), h("div.muted", `${p.latest_log.date} ${p.latest_log.kind_label}`)] : "—")))))));
}

function logForm(p, reload) {
  const date = h("input", { type: "date", value: today(), max: today(), required: true });
  const text = h("textarea", { rows: 2, required: true, maxlength: 1000 });
  const problems = h("textarea", { rows: 2, maxlength: 1000 });
  const percent = h("input", { type: "number", min: 0, max: 100, step: "any" });
  const form = h("form.card.entry#log-form", { novalidate: true, "aria-label": "填写项目进展" },
    h("h2", "填写进展"),
    h("div.row", field("类型", select(LOG_KIND, "weekly"), { name: "kind" }), field("日期", date, { name: "date" }),
      field("形象进度（%）", percent, { name: "percent" })),
    field("进展情况", text, { name: "text" }),
    field("存在问题", problems, { name: "problems" }),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "提交进展"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: form.elements.namedItem("kind").value, date: date.value, text: text.value.trim() };
    if (problems.value.trim()) body.problems = problems.value.trim();
    if (percent.value !== "") body.percent = Number(percent.value) / 100;
    try {
      await post(`/api/v1/projects/${p.id}/logs`, body);
      toast("已记录项目进展");
      reload();
    } catch (e) {
      // the API's 形象进度 is a fraction; the form takes a percentage
      if (e.field === "percent") e.message = "形象进度应为 0 到 100 之间的数";
      if (e.status !== 401) showFormError(form, e, ["kind", "date", "text", "problems", "percent"].includes(e.field) ? e.field : "");
    }
  });
  return form;
}

function investForm(p, reload) {
  const month = h("input", { type: "month", value: today().slice(0, 7), max: today().slice(0, 7), required: true });
  const amount = h("input", { type: "number", min: 0, step: "any", required: true });
  const note = h("input", { type: "text", maxlength: 200 });
  const form = h("form.card.entry#invest-form", { novalidate: true, "aria-label": "填报完成投资" },
    h("h2", "填报当月完成投资"),
    h("div.row", field("月份", month, { name: "period" }), field("完成投资（万元）", amount, { name: "amount" }), field("说明", note, { name: "note" })),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "提交"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { period: month.value, amount: amount.value === "" ? undefined : Number(amount.value) };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      await post(`/api/v1/projects/${p.id}/investments`, body);
      toast(`已填报 ${month.value} 完成投资`);
      reload();
    } catch (e) {
      if (e.status !== 401) showFormError(form, e, ["period", "amount", "note"].includes(e.field) ? e.field : "");
    }
  });
  return form;
}

export async function projectDetail(el, user, id, params) {
  const period = await projectPeriod(params);
  const reload = () => projectDetail(el, user, id, params);
  clear(el, loading());
  let p;
  try {
    p = await get(`/api/v1/projects/${id}` + qs({ period }));
  } catch (e) {
    return clear(el, h("h1", "重点项目"), errorBox(e));
  }
  // the owner unit (or above) writes; grid workers and outside roles do not
  const owner = user.role !== "reporter" && (user.role === "admin" || p.unit === user.unit ||
    (!user.unit.includes("-") && p.unit.startsWith(user.unit)));
  const done = (m) => {
    if (!owner || m.actual) return null;
    const day = h("input", { type: "date", value: today(), max: today(), "aria-label": `“${m.name}”完成日期` });
    const b = h("button", { type: "button", dataset: { milestone: m.id } }, "标记完成");
    b.addEventListener("click", async () => {
      try {
        await api("PUT", `/api/v1/projects/${p.id}/milestones/${m.id}`, { actual: day.value });
        toast(`节点“${m.name}”已完成`);
        reload();
      } catch (e) {
        toast(e.message, "error");
      }
    });
    return h("span.ms-done", day, " ", b);
  };
  clear(el,
    h("div.case-head", h("h1", p.name, " ", lightBadge(p.light)), h("p.muted", `${p.code} · ${p.unit_name} · ${p.category || ""}`)),
    h("div.grid2",
      h("div.card", h("dl.info",
        h("dt", "总投资"), h("dd", wan(p.total_investment)),
        h("dt", "计划工期"), h("dd", `${p.start || "—"} 至 ${p.end || "—"}`),
        h("dt", "开工/竣工"), h("dd", `${p.started_on || "未开工"} / ${p.finished_on || "未竣工"}`),
        h("dt", `${p.year}年计划投资`), h("dd", wan(p.planned_investment)),
        h("dt", "完成投资"), h("dd", `${wan(p.completed_investment)}（截至 ${p.as_of}）`),
        h("dt", "计划完成率"), h("dd", progressBar(p.plan_completion, p.time_progress, p.name)),
        h("dt", "累计完成投资"), h("dd", wan(p.completed_total)))),
      h("div.card", h("h2", "节点"),
        h("table.milestones-table",
          h("thead", h("tr", ["节点", "计划", "实际", "状态", ""].map((x) => h("th", x)))),
          h("tbody", p.milestones.map((m) => h("tr", { dataset: { id: m.id, status: m.status } },
            h("td", m.name), h("td", m.planned), h("td", m.actual || "—"), h("td", h(`span.ms-${m.status}`, m.status_label)), h("td", done(m)))))))),
    h("div.card", h("h2", "逐月完成投资"),
      h("table.months",
        h("thead", h("tr", p.months.map((_, i) => h("th", `${i + 1}月`)))),
        h("tbody", h("tr", p.months.map((v) => h("td.num", v === null ? "—" : v.toLocaleString("zh-CN", { maximumFractionDigits: 1 }))))))),
    h("div.card", h("h2", "项目进展"),
      p.logs.length ? h("ol.timeline.logs", p.logs.map((l) => h("li", { dataset: { id: l.id } },
        h("time", `${l.date} ${l.kind_label}`),
        h("div", l.text, l.percent === null ? "" : `（形象进度 ${pct(l.percent)}）`),
        l.problems ? h("div.warn", "存在问题：", l.problems) : null,
        h("div.muted", `${l.entered_by} · ${fmtTime(l.entered_at)}`)))) : empty("尚无进展记录")),
    owner ? h("div.grid2", logForm(p, reload), investForm(p, reload)) : null);
}
