// case.js - one case: details, every clock, the history as a timeline, and
// the actions this user may take now, each with the fields it needs.
import { get, api, cached } from "../api.js";
import { h, clear, fmtTime, lightBadge, statusBadge, remainingText, loading, errorBox, field, select, showFormError, toast, ROLE } from "../ui.js";
import { unitOptions } from "./cases.js";
import { drafts } from "../drafts.js";
import { attachmentsCard } from "./attachments.js";

// The fields each action needs (docs/API.md, Actions).
const FIELDS = {
  reject: ["reason"], return: ["reason"], verify_fail: ["reason"], suspend: ["reason"], reopen: ["reason"],
  dispatch: ["to_unit"], handle: ["result"], extend: ["clock", "amount", "reason"],
  supervise: ["level", "note"], merge: ["into"], rate: ["rating"],
  comment: ["note"], reopen_request: ["note"], publish: ["note"], unpublish: ["reason"],
};
const LABEL = {
  reason: "理由", to_unit: "派遣至", result: "处置结果", clock: "时限", amount: "延长量", note: "说明",
  level: "督办级别", into: "并入案件编号", rating: "满意度",
};

// "城市管理局（440303-CG）" from the cached unit tree; the code alone if unknown.
let unitNames = new Map();
const unitName = (code) => (code ? (unitNames.has(code) ? `${unitNames.get(code)}（${code}）` : code) : "—");

function describe(ev) {
  const bits = [];
  if (ev.to_unit) bits.push(`派往 ${unitName(ev.to_unit)}`);
  if (ev.reason) bits.push(`理由：${ev.reason}`);
  if (ev.result) bits.push(`结果：${ev.result}`);
  if (ev.note) bits.push(`说明：${ev.note}`);
  if (ev.level) bits.push(`级别 ${ev.level}`);
  if (ev.rating) bits.push(`评价 ${ev.rating}`);
  if (ev.clock) bits.push(`${ev.clock} 延长 ${ev.amount}`);
  // who wrote a comment sent through Open311 (shown to the roles that see personal data)
  const x = ev.extra || {};
  const who = `${x.last_name && x.last_name !== "-" ? x.last_name : ""}${x.first_name || ""}`;
  if (who || x.email) bits.push(`留言人：${[who, x.email].filter(Boolean).join(" ")}`);
  if (x.media_url) bits.push(`图片：${x.media_url}`);
  return bits.join("；");
}

// What the reporter's client sent with the case (Open311 attributes); the
// ones the service does not define are kept under "x-unknown" and shown as such.
function attributeItems(attrs) {
  if (!attrs || !Object.keys(attrs).length) return null;
  const text = (v) => (Array.isArray(v) ? v.join("、") : String(v));
  const { "x-unknown": extra, ...known } = attrs;
  return [
    h("dt", "附加信息"),
    h("dd.attributes",
      h("ul", Object.entries(known).map(([k, v]) => h("li", `${k}：${text(v)}`)),
        Object.entries(extra || {}).map(([k, v]) => h("li.extra", `${k}：${text(v)}`, h("span.muted", "（未登记的属性）"))))),
  ];
}

async function input(name, c) {
  switch (name) {
    case "to_unit": {
      const opts = (await unitOptions("请选择处置单位")).filter(([code]) => code === "" || code.includes("-") || code.length === 9);
      return select(opts, "", { required: true });
    }
    case "result":
    case "reason":
      return h("textarea", { rows: 3, required: true, maxlength: 2000 });
    case "note":
      return h("textarea", { rows: 2, maxlength: 2000 });
    case "clock":
      return select(c.clocks.filter((k) => k.state === "running" || k.state === "paused").map((k) => [k.name, `${k.label}（${k.remaining_label}）`]), "", { required: true });
    case "amount":
      return h("input", { type: "number", min: "0.5", step: "0.5", required: true });
    case "level":
      return select([["1", "一般督办"], ["2", "重点督办"], ["3", "挂牌督办"]], "1");
    case "rating":
      return select([["5", "非常满意"], ["4", "满意"], ["3", "基本满意"], ["2", "不满意"], ["1", "非常不满意"]], "5");
    default:
      return h("input", { type: "text", required: true });
  }
}

async function actionForm(holder, c, a, reload) {
  const names = FIELDS[a.action] || [];
  const inputs = [];
  for (const n of names) inputs.push(field(LABEL[n], await input(n, c), { name: n }));
  if (!names.includes("note")) inputs.push(field("说明（可选）", h("textarea", { rows: 2, maxlength: 2000 }), { name: "note" }));
  const form = h("form.action-form", { "aria-label": a.label },
    h("h3", a.label), inputs, h("div.form-error", { role: "alert" }),
    h("div.row", h("button.primary", { type: "submit" }, "确认" + a.label), h("button", { type: "button", onclick: () => { drafts.detach(`action-${c.id}-${a.action}`); clear(holder); } }, "取消")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { action: a.action, version: c.version };
    for (const el of form.elements) {
      if (!el.name || el.value === "") continue;
      body[el.name] = ["level", "rating"].includes(el.name) ? Number(el.value) : el.name === "amount" ? Number(el.value) : el.value.trim();
    }
    const btn = form.querySelector("button.primary");
    btn.disabled = true;
    try {
      await api("POST", `/api/v1/cases/${c.id}/actions`, body);
      drafts.detach(`action-${c.id}-${a.action}`);
      toast(`已${a.label}`);
      reload();
    } catch (e) {
      btn.disabled = false;
      if (e.status === 409 && e.code === "conflict") {
        const msg = h("div.conflict", { role: "alert" },
          "这件案件在您打开后已被他人更新（您看到的是第 " + c.version + " 版）。请刷新查看最新情况后再操作。 ",
          h("button.primary", { type: "button", onclick: reload }, "刷新案件"));
        clear(form.querySelector(".form-error"), msg);
        return;
      }
      showFormError(form, e);
    }
  });
  clear(holder, form);
  // What is typed here survives a session expiry (drafts.js).
  const key = `action-${c.id}-${a.action}`;
  drafts.attach(key, form);
  const first = form.querySelector("input,select,textarea");
  if (first) first.focus();
}

export async function caseDetail(el, user, id) {
  clear(el, loading());
  let c;
  try {
    const units = await cached("/api/v1/units").catch(() => ({ items: [] }));
    unitNames = new Map(units.items.map((u) => [u.code, u.name]));
    c = await get(`/api/v1/cases/${id}`);
  } catch (e) {
    clear(el, h("p", h("a", { href: "#/cases" }, "← 返回案件列表")), errorBox(e.status === 404 ? { message: "案件不存在，或不在您的管辖范围内" } : e));
    return;
  }
  const reload = () => caseDetail(el, user, id);
  const holder = h("div.action-holder");
  const actions = h("section.card.actions", { "aria-labelledby": "act-title" },
    h("h2#act-title", "可执行的操作"),
    c.allowed_actions.length
      ? h("div.row", c.allowed_actions.map((a) => h("button", { type: "button", dataset: { action: a.action }, onclick: () => actionForm(holder, c, a, reload) }, a.label)))
      : h("p.muted", "当前状态下您没有可执行的操作。"),
    holder);
  clear(el,
    h("p", h("a", { href: "#/cases" }, "← 返回案件列表")),
    h("div.case-head",
      h("h1", c.title),
      h("div.row", h("span.num", "编号 " + c.number), statusBadge(c.status, c.status_label), lightBadge(c.light),
        c.supervised ? h("span.badge.supervised", `督办（${c.supervise_level}级）`) : null,
        c.reopen_requested ? h("span.badge.reopen", "群众申请重新办理") : null,
        c.published ? h("span.badge.published", { title: "公众可通过 Open311 查看本案件的公开进展" }, "已公开") : null,
        h("span.muted", `第 ${c.version} 版`))),
    c.warnings && c.warnings.length ? h("div.notice", { role: "status" }, c.warnings.map((w) => (w && w.message) || String(w)).join("；")) : null,
    h("div.grid2",
      h("section.card", { "aria-labelledby": "info-title" },
        h("h2#info-title", "基本信息"),
        h("dl.info",
          h("dt", "类别"), h("dd", `${c.category_name}（${c.category}）· ${c.policy}`),
          h("dt", "来源"), h("dd", c.source_label),
          h("dt", "问题描述"), h("dd", c.description),
          h("dt", "事发单位"), h("dd", unitName(c.unit)),
          h("dt", "处置单位"), h("dd", unitName(c.handling_unit)),
          h("dt", "地址"), h("dd", (c.location && c.location.address) || "—"),
          h("dt", "反映人"), h("dd", c.reporter && c.reporter.name ? `${c.reporter.name} ${c.reporter.phone || ""}` : "—"),
          h("dt", "上报时间"), h("dd", fmtTime(c.created_at)),
          h("dt", "办结时限"), h("dd", fmtTime(c.due_at)),
          attributeItems(c.attributes))),
      h("section.card", { "aria-labelledby": "clock-title" },
        h("h2#clock-title", "时限"),
        h("table.clocks",
          h("thead", h("tr", ["时限", "计时方式", "截止", "状态", "剩余"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", c.clocks.map((k) => h("tr", { dataset: { clock: k.name } },
            h("td", k.label),
            h("td", `${k.limit} ${k.remaining_label}`),
            h("td", fmtTime(k.deadline)),
            h("td", lightBadge(k.light), k.state === "stopped" ? (k.on_time ? " 按期" : " 逾期") : k.state === "paused" ? " 暂停" : ""),
            h("td", k.state === "running" || k.state === "paused" ? remainingText(k) : "—"))))))),
    attachmentsCard(c, reload),
    actions,
    h("section.card", { "aria-labelledby": "hist-title" },
      h("h2#hist-title", "办理经过"),
      h("ol.timeline", c.history.map((ev) => h("li",
        h("time", fmtTime(ev.at)),
        h("strong", ev.action_label),
        h("span", ` ${ev.actor || ""}（${ROLE[ev.role] || ev.role}${ev.actor_unit ? "，" + (unitNames.get(ev.actor_unit) || ev.actor_unit) : ""}）`),
        describe(ev) ? h("div.muted", describe(ev)) : null)))));
  const pending = c.allowed_actions.find((a) => drafts.has(`action-${c.id}-${a.action}`));
  if (pending) {
    await actionForm(holder, c, pending, reload);
    toast("已恢复登录过期前填写的内容");
  }
}
