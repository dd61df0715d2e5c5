// patrol.js - the patrol loop's pages (巡查闭环):
//   #/patrol                 今日巡查: the grid worker's due and overdue objects,
//                            nearest first, on a map
//   #/patrol/checkin?object= the check-in form (phone-sized): location from the
//                            browser, the object's checklist, findings
// The figures, the hazard list and the 挂牌督办 view are in hazards.js.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { get, post, cached, qs } from "../api.js";
import { h, clear, field, select, loading, empty, errorBox, toast, showFormError, fmtTime, KIND, textNode } from "../ui.js";
import { fromWgs84 } from "../crs.js";
import { uploadFile } from "./attachments.js";
import { enqueue, offlineError, sync } from "../offline.js";

const STATUS = { missed: "漏巡", pending: "待巡", late: "已补巡", done: "已巡", not_due: "本期无任务" };

// Metres between two WGS-84 points (haversine; enough to sort by).
export function distanceM(a, b) {
  const r = Math.PI / 180, R = 6371008.8;
  const dl = (b.lat - a.lat) * r, dn = (b.lng - a.lng) * r;
  const x = Math.sin(dl / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dn / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(x));
}

const fmtDistance = (m) => (m === undefined ? "" : m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`);

// The browser's position (WGS-84), or null when refused or slow.
function here(timeout = 4000) {
  return new Promise((res) => {
    if (!navigator.geolocation) return res(null);
    navigator.geolocation.getCurrentPosition(
      (p) => res({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => res(null), { enableHighAccuracy: true, timeout, maximumAge: 60000 });
  });
}

async function mapCrs() {
  try {
    return (await cached("/api/v1/console")).crs || "wgs84";
  } catch {
    return "wgs84";
  }
}

// What is still to do in the slot running today, or was missed.
function needsVisit(r) {
  return (r.current && r.current.done < r.current.needed) || r.status === "missed";
}

export async function patrolToday(el, user, params) {
  const unit = params.get("unit") || user.unit;
  const list = h("div.due-box", loading("正在读取今日巡查任务…"));
  const mapBox = h("div#patrol-map.map.small", { role: "application", "aria-label": "巡查对象地图" });
  clear(el, h("h1", "今日巡查"), h("p.muted", "本期应巡未巡和漏巡的对象，按与您当前位置的距离排序。"),
    h("div.grid2.patrol-today", list, mapBox));
  let data, pos;
  try {
    [data, pos] = await Promise.all([get("/api/v1/patrols/due" + qs({ unit })), here()]);
  } catch (e) {
    clear(list, errorBox(e));
    return;
  }
  const rows = data.items.filter(needsVisit);
  for (const r of rows) if (pos && r.location) r.distance = distanceM(pos, r.location);
  rows.sort((a, b) => (a.distance ?? 1e12) - (b.distance ?? 1e12) || a.object - b.object);
  const t = data.total;
  clear(list,
    h("p.due-summary", { role: "status" },
      `${data.period.from} 至 ${data.period.to}：应巡 ${t.due} 次，已巡 ${t.done} 次，漏巡 ${t.missed} 次，待巡 ${t.pending} 次。`,
      pos ? "" : " 未取得定位，按编号排序。"),
    rows.length === 0 ? empty("本期巡查任务已全部完成") : null,
    h("ul.due-list", rows.slice(0, 200).map((r) =>
      h("li.due-item", { dataset: { object: r.object } },
        h("div.due-main",
          h("strong", r.name),
          h("span.muted", ` ${KIND[r.kind] || r.kind}`),
          r.risk ? h(`span.badge.risk-${r.risk}`, r.risk_label || r.risk) : null,
          h(`span.badge.due-${r.status}`, STATUS[r.status] || r.status)),
        h("div.due-meta",
          r.current ? `本期（${r.current.from} 至 ${r.current.to}）需巡 ${r.current.needed} 次，已巡 ${r.current.done} 次` : "",
          r.missed ? ` · 漏巡 ${r.missed} 次` : "",
          ` · 上次巡查 ${fmtTime(r.last_patrol_at)}`,
          r.distance !== undefined ? ` · 距您 ${fmtDistance(r.distance)}` : ""),
        h("a.button.primary", { href: `#/patrol/checkin?object=${r.object}` }, "巡查登记")))));

  // the nearest objects' forms read ahead, so the service worker has them
  // when the walk leaves the network behind (sw.js)
  if (navigator.onLine) {
    get("/api/v1/patrol/config").catch(() => {});
    for (const r of rows.slice(0, 20)) get(`/api/v1/objects/${r.object}`).catch(() => {});
  }

  const crs = await mapCrs();
  const map = L.map(mapBox, { preferCanvas: true }).setView([22.55, 114.12], 13);
  const pts = [];
  for (const r of rows.slice(0, 500)) {
    if (!r.location) continue;
    const [lng, lat] = fromWgs84(crs, [r.location.lng, r.location.lat]);
    pts.push([lat, lng]);
    L.circleMarker([lat, lng], { radius: 6, color: r.status === "missed" ? "#c0392b" : "#2f6fb0", fillOpacity: 0.7 })
      .bindTooltip(textNode(r.name)).on("click", () => (location.hash = `#/patrol/checkin?object=${r.object}`)).addTo(map);
  }
  if (pos) {
    const [lng, lat] = fromWgs84(crs, [pos.lng, pos.lat]);
    L.circleMarker([lat, lng], { radius: 8, color: "#2e7d32", fillOpacity: 1 }).bindTooltip("我的位置").addTo(map);
    pts.push([lat, lng]);
  }
  if (pts.length) map.fitBounds(pts, { maxZoom: 16, padding: [20, 20] });
  setTimeout(() => map.invalidateSize(), 0);
  mapBox.dataset.ready = "1";
}

// The checklist for an object kind, as core/patrol.c picks it: the first
// plan's for the kind, else the first checklist declared for it.
export function checklistFor(cfg, kind) {
  const plan = cfg.plans.find((p) => p.kind === kind && p.checklist);
  return cfg.checklists.find((c) => (plan ? c.code === plan.checklist : c.kind === kind)) || null;
}

function findingBlock(cfg, i, onRemove) {
  const types = (cfg.hazard_types || []).map((t) => [t.code, t.name]);
  const sev = select([["general", "一般隐患"], ["major", "重大隐患"]], "general", { name: `findings[${i}].severity` });
  const spot = h("input", { type: "checkbox", name: `findings[${i}].on_spot` });
  const major = h("div.major-only", { hidden: true },
    field("整改方案", h("textarea", { rows: 2, maxlength: 1300 }), { name: `findings[${i}].plan` }),
    field("挂牌督办领导", h("input", { type: "text", maxlength: 60, placeholder: cfg.supervisor || "" }), { name: `findings[${i}].supervisor` }));
  const general = h("div.general-only",
    field("隐患类型", select([["", "（一般隐患）"], ...types], ""), { name: `findings[${i}].type` }),
    h("div.field", { dataset: { field: `findings[${i}].on_spot` } },
      h("label.check", spot, " 当场整改"), h("div.field-error", { role: "alert" })));
  sev.addEventListener("change", () => {
    major.hidden = sev.value !== "major";
    general.hidden = sev.value === "major";
  });
  return h("fieldset.finding", { dataset: { index: i } },
    h("legend", `隐患 ${i + 1}`),
    field("隐患等级", sev, { name: `findings[${i}].severity` }),
    field("隐患描述", h("textarea", { rows: 2, required: true, maxlength: 1300 }), { name: `findings[${i}].description` }),
    general, major,
    h("button.link", { type: "button", onclick: onRemove }, "删除此隐患"));
}

export async function checkinForm(el, user, params) {
  const id = Number(params.get("object") || user.object);
  if (!id) {
    clear(el, h("h1", "巡查登记"), empty("请先在“今日巡查”中选择对象。"));
    return;
  }
  clear(el, loading());
  let obj, cfg;
  try {
    [obj, cfg] = await Promise.all([get(`/api/v1/objects/${id}`), get("/api/v1/patrol/config")]);
  } catch (e) {
    clear(el, h("h1", "巡查登记"), errorBox(e));
    return;
  }
  const self = user.role === "enterprise";
  const cl = checklistFor(cfg, obj.kind);
  const lat = h("input", { type: "number", step: "any", id: "f-lat", inputmode: "decimal", placeholder: "纬度" });
  const lng = h("input", { type: "number", step: "any", id: "f-lng", inputmode: "decimal", placeholder: "经度" });
  const acc = h("input", { type: "number", step: "any", id: "f-acc", inputmode: "decimal", placeholder: "精度（米）" });
  const where = h("div.where", { role: "status", "aria-live": "polite" }, self ? "企业自查可不带定位。" : "正在获取定位…");
  const findings = h("div.findings");
  const photos = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true, capture: "environment" });
  const uploaded = new Map(); // a photo sent once is not sent again on a retry
  let nfind = 0;
  const addFinding = () => {
    const b = findingBlock(cfg, nfind++, () => b.remove());
    findings.append(b);
    b.querySelector("textarea").focus();
  };
  const items = cl ? cl.items.map((it) =>
    h("fieldset.field.item", { dataset: { field: `answers.${it.code}` } },
      h("legend", it.label, it.required ? h("span.req", { "aria-label": "必填" }, " *") : null),
      h("div.options", it.options.map((o, k) =>
        h("label.check", h("input", { type: "radio", name: `answers.${it.code}`, value: o, required: it.required, checked: false }),
          " ", o, k === 0 ? "" : ""))),
      h("div.field-error", { role: "alert" }))) : [h("p.muted", "该类对象没有检查表。")];
  const form = h("form.checkin", { "aria-labelledby": "checkin-title", novalidate: true },
    h("h1#checkin-title", self ? "企业自查" : "巡查登记"),
    h("div.card.object-card",
      h("strong", obj.name), " ", h("span.muted", KIND[obj.kind] || obj.kind),
      obj.risk ? h(`span.badge.risk-${obj.risk}`, obj.risk_label || obj.risk) : null,
      h("div.muted", obj.address || obj.grid)),
    h("div.field", { dataset: { field: "location" } },
      h("span.label", "当前位置"),
      h("div.row.coords",
        h("label.sr-only", { for: "f-lat" }, "纬度"), lat,
        h("label.sr-only", { for: "f-lng" }, "经度"), lng,
        h("label.sr-only", { for: "f-acc" }, "定位精度"), acc,
        h("button", { type: "button", onclick: () => locate() }, "重新定位")),
      where, h("div.field-error", { role: "alert" })),
    h("h2", cl ? cl.name : "检查表"),
    items,
    field("巡查情况", h("textarea", { rows: 3, maxlength: 1300, placeholder: "现场情况、整改要求等" }), { name: "note" }),
    field("现场照片", photos, { name: "attachments", hint: "可多张；没有网络时保存在本机，联网后随巡查一起发送" }),
    h("h2", "发现的隐患"),
    findings,
    h("button", { type: "button", onclick: addFinding }, "＋ 登记隐患"),
    h("div.form-error", { role: "alert" }),
    h("div.row", h("button.primary", { type: "submit" }, "提交巡查")));
  clear(el, form);

  async function locate() {
    where.textContent = "正在获取定位…";
    const p = await here(8000);
    if (!p) {
      where.textContent = "未能取得定位：请允许浏览器使用位置信息，或手动输入坐标。";
      where.className = "where bad";
      return;
    }
    lat.value = p.lat.toFixed(6);
    lng.value = p.lng.toFixed(6);
    acc.value = Math.round(p.accuracy);
    const d = obj.location ? distanceM(p, obj.location) : undefined;
    where.textContent = `已定位（精度 ${Math.round(p.accuracy)} 米）` + (d !== undefined ? `，距对象 ${fmtDistance(d)}` : "");
    where.className = d !== undefined && d > (cfg.max_distance_m || 500) ? "where bad" : "where ok";
  }
  if (!self) locate();

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = (n) => {
      const e = form.elements.namedItem(n);
      return e ? (e.type === "checkbox" ? e.checked : (e.value || "").trim()) : "";
    };
    const answers = {};
    for (const it of cl ? cl.items : []) {
      const c = form.querySelector(`input[name="answers.${CSS.escape(it.code)}"]:checked`);
      if (c) answers[it.code] = c.value;
    }
    // the time it was done, not the time it reached the server (offline: hours later)
    const body = { object: id, client_id: form.dataset.key || (form.dataset.key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`), answers, at: new Date().toISOString() };
    if (v("note")) body.note = v("note");
    if (lat.value && lng.value) {
      body.location = { lat: Number(lat.value), lng: Number(lng.value), crs: "wgs84" };
      if (acc.value) body.location.accuracy = Number(acc.value);
    }
    body.findings = [...findings.querySelectorAll("fieldset.finding")].map((b) => {
      const i = b.dataset.index, f = { severity: v(`findings[${i}].severity`), description: v(`findings[${i}].description`) };
      if (f.severity === "major") {
        if (v(`findings[${i}].plan`)) f.plan = v(`findings[${i}].plan`);
        if (v(`findings[${i}].supervisor`)) f.supervisor = v(`findings[${i}].supervisor`);
      } else {
        if (v(`findings[${i}].type`)) f.type = v(`findings[${i}].type`);
        f.on_spot = v(`findings[${i}].on_spot`);
      }
      return { i, f };
    });
    // the API numbers findings as sent; the blocks keep their own numbers
    const order = body.findings.map((x) => x.i);
    body.findings = body.findings.map((x) => x.f);
    const btn = form.querySelector("button.primary");
    btn.disabled = true;
    btn.textContent = "提交中…";
    try {
      if (!navigator.onLine) throw Object.assign(new Error("离线"), { status: 0 });
      const ids = [];
      for (const f of photos.files) {
        if (!uploaded.has(f)) uploaded.set(f, (await uploadFile(f, "other", null)).id);
        ids.push(uploaded.get(f));
      }
      if (ids.length) body.attachments = ids;
      const r = await post("/api/v1/patrols", body);
      showResult(el, r, obj);
    } catch (e) {
      if (offlineError(e)) {
        // no network: kept on this phone; its client_id makes it count once
        delete body.attachments;
        const files = [...photos.files].map((f) => ({ file: f, stage: "other", id: uploaded.get(f) }));
        try {
          await enqueue("checkin", body, files, obj.name);
        } catch (qe) {
          showFormError(form, Object.assign(new Error(`离线保存失败：${qe.message}`), { field: "" }));
          return;
        }
        sync();
        clear(el, h("div.card.checkin-done.offline", { role: "status" },
          h("h1", "巡查已保存在本机"),
          h("p", `${obj.name}：没有网络，联网后自动发送（巡查时间按现在 ${fmtTime(body.at)} 计）。`),
          h("div.row", h("a.button", { href: "#/patrol" }, "返回今日巡查"), h("a.button", { href: "#/outbox" }, "查看待同步"))));
        return;
      }
      if (e.status === 401) return;
      let fld = e.field;
      const m = fld && fld.match(/^findings\[(\d+)\](.*)$/);
      if (m) fld = `findings[${order[Number(m[1])]}]${m[2]}`;
      if (fld && fld.startsWith("location")) fld = "location";
      showFormError(form, e, fld);
    } finally {
      btn.disabled = false;
      btn.textContent = "提交巡查";
    }
  });
}

const FLAG = { far: "距对象较远", outside_grid: "不在对象所在网格内", low_accuracy: "定位精度低", synced_late: "延迟同步" };

function showResult(el, r, obj) {
  const flags = (r.flags || []).map((f) => FLAG[f] || f);
  clear(el,
    h("div.card.checkin-done", { role: "status" },
      h("h1", "巡查已登记"),
      h("p", `${obj.name}：巡查编号 ${r.id}` + (r.late ? "（补巡，计为逾期完成）" : "") + (r.self_check ? "（企业自查）" : "")),
      flags.length ? h("p.warn", "已标记：" + flags.join("、")) : null,
      r.hazards && r.hazards.length
        ? h("ul.hazards-made", r.hazards.map((z) => h("li",
          `${z.severity_label}：${z.description}`,
          z.status === "rectified" ? "（当场整改）" : `，整改期限 ${z.deadline}`,
          z.case ? h("span", "，已立案督办 ", h("a", { href: `#/cases/${z.case}` }, `案件 ${z.case}`)) : null)))
        : h("p.muted", "未登记隐患。"),
      h("div.row",
        h("a.button.primary", { href: "#/patrol" }, "返回今日巡查"),
        h("a.button", { href: "#/hazards" }, "查看隐患"))));
  toast("巡查已登记");
}
