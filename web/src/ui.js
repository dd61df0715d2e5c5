// ui.js - small DOM helpers and the labels the console shows.

// h("div.card#x", {onclick}, child, ...) builds an element.
export function h(tag, attrs, ...children) {
  const [, name, rest] = tag.match(/^([a-z0-9]+)(.*)$/i);
  const el = document.createElement(name);
  for (const m of rest.matchAll(/([.#])([\w-]+)/g)) {
    if (m[1] === ".") el.classList.add(m[2]);
    else el.id = m[2];
  }
  // anything but a plain object is a first child (a 0 too)
  if (attrs !== null && attrs !== undefined && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const STATUS = {
  reported: "待立案", registered: "已立案", dispatched: "已派遣", accepted: "处置中",
  handled: "待核查", closed: "已结案", rejected: "不予立案", suspended: "已挂起",
};
export const LIGHT = { none: "未计时", green: "绿灯", yellow: "黄灯", red: "红灯", overdue: "超期" };
export const ROLE = {
  admin: "系统管理员", leader: "领导", operator: "指挥中心", handler: "处置单位", reporter: "网格员", public: "公众",
  enterprise: "企业",
};
export const KIND = {
  enterprise: "企业/场所", component: "城市部件", river_section: "河段", forest_section: "林段", household: "重点户",
};
export const SOURCE = {
  grid: "网格员上报", hotline: "12345热线", citizen: "群众反映", petition: "信访", inspection: "巡查检查",
  self_check: "企业自查", video: "视频监控", superior: "上级交办", open311: "Open311",
};

// "2023-05-02T14:38:11.985+08:00" -> "2023-05-02 14:38"
export function fmtTime(t) {
  if (!t) return "—";
  return t.slice(0, 16).replace("T", " ");
}

export function lightBadge(light, extra) {
  const label = LIGHT[light] || light;
  // "超期 3 个工作日" says the light itself: not "超期 超期 3 个工作日"
  const text = !extra ? label : extra.startsWith(label) ? extra : label + " " + extra;
  return h(`span.badge.light-${light || "none"}`, { title: LIGHT[light] || "" }, text);
}

export function statusBadge(status, label) {
  return h(`span.badge.status-${status}`, label || STATUS[status] || status);
}

// "剩余 2 个工作日" / "超期 3 个工作日" / "剩余 2 小时 15 分": the server's
// wording of what is left of a running clock (core/wording.c).
export function remainingText(clock) {
  if (clock.remaining === undefined || clock.remaining === null) return "";
  return clock.remaining_text || "";
}

// The clock a list row shows: the running one closest to its deadline.
export function governingClock(row) {
  const running = (row.clocks || []).filter((c) => c.remaining !== undefined);
  running.sort((a, b) => (a.deadline || "").localeCompare(b.deadline || ""));
  return running[0] || null;
}

export function loading(text = "加载中…") {
  return h("div.state.loading", { role: "status", "aria-live": "polite" }, h("span.spinner", { "aria-hidden": "true" }), text);
}

export function empty(text = "暂无数据") {
  return h("div.state.empty", { role: "status" }, text);
}

export function errorBox(e) {
  return h("div.state.error", { role: "alert" }, e.message || String(e));
}

let toastTimer;
export function toast(text, kind = "ok") {
  let el = document.getElementById("toast");
  if (!el) {
    el = h("div#toast", { role: "status", "aria-live": "polite" });
    document.body.append(el);
  }
  el.className = "toast " + kind;
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = "toast hidden"), 4000);
}

// A labelled form field; the error slot under it shows API errors for it.
export function field(label, input, { name, hint } = {}) {
  const id = input.id || "f-" + (name || Math.random().toString(36).slice(2));
  input.id = id;
  if (name) input.name = name;
  return h("div.field", { dataset: { field: name || "" } },
    h("label", { for: id }, label),
    input,
    hint ? h("small.hint", hint) : null,
    h("div.field-error", { role: "alert", id: id + "-err" }));
}

// Show an API error next to its field in 'form' ('as' names the field to
// use instead of the API's), or at the form's top.
export function showFormError(form, e, as) {
  const name = as === undefined ? e.field : as;
  form.querySelectorAll(".field-error, .form-error").forEach((x) => (x.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((x) => x.removeAttribute("aria-invalid"));
  const slot = name && form.querySelector(`.field[data-field="${CSS.escape(name)}"] .field-error`);
  if (slot) {
    slot.textContent = e.message;
    const input = slot.parentElement.querySelector("input,select,textarea");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    return;
  }
  const top = form.querySelector(".form-error");
  if (top) top.textContent = e.message;
}

export function select(options, value, attrs = {}) {
  return h("select", attrs, options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, label)));
}

// Text for a map tooltip or popup: Leaflet writes a string as HTML, so text
// from users (case titles, object names) goes in as a node.
export function textNode(text) {
  return h("span", String(text ?? ""));
}

let formSeq = 0;

// A form with its error line; 'onsubmit' gets the form, and an error it
// throws is shown at its field (showFormError).
export function submitForm(cls, label, fields, button, onsubmit) {
  const f = h(`form.${cls}`, { "aria-label": label }, fields, h("div.form-error", { role: "alert" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, button)));
  // several forms on a page name the same fields: each its own ids
  for (const lab of f.querySelectorAll("label[for]")) {
    const input = f.querySelector("#" + CSS.escape(lab.htmlFor));
    if (!input) continue;
    const id = `${cls}-${input.name}-${++formSeq}`;
    f.querySelector("#" + CSS.escape(lab.htmlFor + "-err"))?.setAttribute("id", id + "-err");
    input.id = id;
    lab.htmlFor = id;
  }
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = f.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      await onsubmit(f);
    } catch (e) {
      showFormError(f, e);
    } finally {
      btn.disabled = false;
    }
  });
  return f;
}
