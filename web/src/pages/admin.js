// admin.js - 系统管理, for administrators: users (#/admin/users), the unit
// tree with its grid polygons (#/admin/units), API keys (#/admin/keys),
// ledger import and export (#/admin/ledgers), the case categories and their
// SLA policies (#/admin/categories: an edit applies to cases reported after
// it), notifications (#/admin/notifications: notifications.js) and the audit
// log's hash chain (#/admin/audit).  Every change goes through
// the same API a script would use; an error is shown next to its field.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { api, get, post, qs } from "../api.js";
import { h, clear, loading, errorBox, empty, field, select, toast, ROLE, fmtTime, submitForm as form } from "../ui.js";
import { notificationsTab } from "./notifications.js";
import { geojsonFromWgs84 } from "../crs.js";

const TABS = [
  ["users", "用户"], ["units", "单位与网格"], ["keys", "API 密钥"], ["ledgers", "台账导入导出"],
  ["categories", "类别与时限"], ["notifications", "通知"], ["audit", "审计日志"],
];
const UNIT_TYPE = { district: "区", street: "街道", community: "社区", grid: "网格", department: "部门" };
const CHILD_TYPES = { district: ["street", "department"], street: ["community", "department"], community: ["grid"], grid: [], department: [] };
const LEDGERS = [
  ["units", "单位"], ["geometries", "网格边界（GeoJSON）"], ["objects", "管理对象"], ["users", "用户"],
  ["cases", "案件"], ["targets", "目标值"], ["actuals", "指标完成值"],
];
const put = (path, body, opts) => api("PUT", path, body, opts);
const BASIS = [["working_days", "工作日"], ["working_hours", "工作时"], ["natural", "自然时间"]];
const UNIT = [["days", "天"], ["hours", "小时"], ["minutes", "分钟"]];
// an enterprise account is bound to its enterprise: made with it (bihuan user add --object)
const roleOptions = Object.entries(ROLE).filter(([r]) => r !== "enterprise");

const val = (f, name) => f.elements.namedItem(name).value.trim();

// ---- users ----

async function usersTab(body) {
  const list = await get("/api/v1/users");
  const add = form("admin-add", "添加用户", [
    field("用户名", h("input", { required: true, autocomplete: "off" }), { name: "username" }),
    field("姓名", h("input"), { name: "display_name" }),
    field("角色", select(roleOptions, "reporter"), { name: "role" }),
    field("所属单位编码", h("input", { required: true }), { name: "unit" }),
    field("电话", h("input", { type: "tel" }), { name: "phone" }),
    field("初始密码", h("input", { type: "password", autocomplete: "new-password", required: true }), { name: "password", hint: "至少8个字符" }),
  ], "添加用户", async (f) => {
    const b = {};
    for (const k of ["username", "display_name", "role", "unit", "phone"]) if (val(f, k)) b[k] = val(f, k);
    b.password = f.elements.namedItem("password").value; // as typed: a password is not trimmed
    await post("/api/v1/users", b);
    toast(`已添加用户 ${b.username}`);
    await usersTab(body);
  });
  const rows = list.items.map((u) => {
    const edit = h("button", { type: "button", "aria-label": `修改 ${u.username}` }, "修改");
    const tr = h("tr", { dataset: { user: u.username } },
      h("th", { scope: "row" }, u.username), h("td", u.display_name || ""), h("td", ROLE[u.role] || u.role),
      h("td", u.unit), h("td", u.active ? "启用" : h("span.muted", "停用")), h("td", edit));
    edit.addEventListener("click", () => {
      if (tr.nextElementSibling?.classList.contains("edit-row")) return;
      const f = form("admin-edit", `修改用户 ${u.username}`, [
        u.role === "enterprise" ? h("p.muted", "企业账号：角色和单位随其企业，不能修改") : field("角色", select(roleOptions, u.role), { name: "role" }),
        field("所属单位编码", h("input", { value: u.unit }), { name: "unit" }),
        field("状态", select([["true", "启用"], ["false", "停用"]], String(u.active)), { name: "active" }),
        field("重置密码", h("input", { type: "password", autocomplete: "new-password" }), { name: "password", hint: "留空则不改；改密码后该用户须重新登录" }),
      ], "保存", async (ff) => {
        const b = {};
        if (ff.elements.namedItem("role") && val(ff, "role") !== u.role) b.role = val(ff, "role");
        if (val(ff, "unit") !== u.unit) b.unit = val(ff, "unit");
        if (val(ff, "active") !== String(u.active)) b.active = val(ff, "active") === "true";
        if (val(ff, "password")) b.password = ff.elements.namedItem("password").value;
        if (!Object.keys(b).length) throw Object.assign(new Error("没有修改"), { field: "" });
        await put(`/api/v1/users/${encodeURIComponent(u.username)}`, b);
        toast(`已保存 ${u.username}`);
        await usersTab(body);
      });
      tr.after(h("tr.edit-row", h("td", { colspan: 6 }, f)));
      f.querySelector("select").focus();
    });
    return tr;
  });
  clear(body,
    h("section.card", { "aria-labelledby": "users-add" }, h("h2#users-add", "添加用户"), add),
    h("section.card", { "aria-labelledby": "users-list" }, h("h2#users-list", `用户（${list.items.length}）`),
      h("div.table-wrap", h("table.admin-users",
        h("thead", h("tr", ["用户名", "姓名", "角色", "所属单位", "状态", ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", rows)))));
}

// ---- units and grid polygons ----

async function unitsTab(body, user, params) {
  const code = params.get("unit") || user.unit || "";
  let unit;
  try {
    unit = await get("/api/v1/units/" + encodeURIComponent(code));
  } catch (e) {
    clear(body, errorBox(e));
    return;
  }
  // the way up, for the breadcrumbs
  const trail = [unit];
  while (trail[0].parent) trail.unshift(await get("/api/v1/units/" + encodeURIComponent(trail[0].parent)));
  const crumbs = h("nav.crumbs", { "aria-label": "上级单位" }, trail.map((u, i) => [i ? " › " : "",
    i === trail.length - 1 ? h("strong", u.name) : h("a", { href: "#/admin/units" + qs({ unit: u.code }) }, u.name)]));

  const rename = form("admin-rename", "改名", [field("名称", h("input", { value: unit.name, required: true }), { name: "name" })],
    "改名", async (f) => {
      await put("/api/v1/units/" + encodeURIComponent(unit.code), { name: val(f, "name") });
      toast("已改名");
      await unitsTab(body, user, params);
    });
  const toggle = h("button", { type: "button" }, unit.active ? "停用此单位" : "启用此单位");
  toggle.addEventListener("click", async () => {
    try {
      await put("/api/v1/units/" + encodeURIComponent(unit.code), { active: !unit.active });
      toast(unit.active ? "已停用" : "已启用");
      await unitsTab(body, user, params);
    } catch (e) {
      toast(e.message, "error");
    }
  });
  const types = CHILD_TYPES[unit.type] || [];
  const add = types.length ? form("admin-add-unit", "添加下级单位", [
    field("编码", h("input", { required: true, inputmode: "numeric" }), { name: "code", hint: "国家统一编码：街道9位、社区12位、网格14位；部门为“区编码-字母”" }),
    field("名称", h("input", { required: true }), { name: "name" }),
    field("类型", select(types.map((t) => [t, UNIT_TYPE[t]]), types[0]), { name: "type" }),
  ], "添加", async (f) => {
    await post("/api/v1/units", { code: val(f, "code"), name: val(f, "name"), type: val(f, "type"), parent: unit.code });
    toast("已添加");
    await unitsTab(body, user, params);
  }) : null;

  const children = (unit.children || []);
  const mapBox = h("div.admin-map#admin-map", { role: "region", "aria-label": "单位边界地图" });
  const file = h("input", { type: "file", accept: ".geojson,.json,application/geo+json,application/json" });
  const upload = form("admin-geometry", "上传边界", [field("边界文件（GeoJSON Polygon/MultiPolygon，WGS-84）", file, { name: "geometry" })],
    "上传边界", async (f) => {
      if (!file.files.length) throw Object.assign(new Error("请选择一个 GeoJSON 文件"), { field: "geometry" });
      const text = await file.files[0].text();
      let g;
      try {
        g = JSON.parse(text);
      } catch {
        throw Object.assign(new Error("文件不是 JSON"), { field: "geometry" });
      }
      if (g?.type === "FeatureCollection") {
        if (g.features?.length !== 1)
          throw Object.assign(new Error(`文件含 ${g.features?.length ?? 0} 个要素：请上传只含此单位边界的一个要素（多个网格请用台账导入“网格边界”）`), { field: "geometry" });
        g = g.features[0];
      }
      if (g?.type === "Feature") g = g.geometry;
      if (!g || typeof g !== "object") throw Object.assign(new Error("文件中没有几何图形（Polygon 或 MultiPolygon）"), { field: "geometry" });
      try {
        await put(`/api/v1/units/${encodeURIComponent(unit.code)}/geometry`, g ?? null);
      } catch (e) {
        throw Object.assign(e, { field: "geometry" });
      }
      toast("边界已保存");
      await unitsTab(body, user, params);
    });

  clear(body,
    crumbs,
    h("section.card", { "aria-labelledby": "unit-self" },
      h("h2#unit-self", `${unit.name}（${UNIT_TYPE[unit.type] || unit.type}，编码 ${unit.code}）`,
        unit.active ? null : h("span.badge.muted", " 已停用")),
      h("div.admin-row", rename, toggle)),
    h("section.card", { "aria-labelledby": "unit-children" },
      h("h2#unit-children", `下级单位（${children.length}）`),
      children.length ? h("div.table-wrap", h("table.admin-units",
        h("thead", h("tr", ["编码", "名称", "类型", "状态"].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", children.map((c) => h("tr", { dataset: { code: c.code } },
          h("td", h("a", { href: "#/admin/units" + qs({ unit: c.code }) }, c.code)), h("th", { scope: "row" }, c.name),
          h("td", UNIT_TYPE[c.type] || c.type), h("td", c.active ? "启用" : "停用")))))) : empty("没有下级单位"),
      add),
    h("section.card", { "aria-labelledby": "unit-geom" },
      h("h2#unit-geom", "边界"),
      unit.has_geometry ? mapBox : h("p.muted", "尚无边界"), upload));

  if (unit.has_geometry) {
    const map = L.map(mapBox, { preferCanvas: true }).setView([22.55, 114.12], 13);
    let crs = "wgs84";
    try {
      const cfg = await get("/api/v1/console");
      crs = cfg.tile_crs || "wgs84";
      if (cfg.tile_url) L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
    } catch {
      /* no tiles */
    }
    // stored in WGS-84; drawn in the tiles' system (GCJ-02 / BD-09 base maps)
    const g = geojsonFromWgs84(crs, await get(`/api/v1/units/${encodeURIComponent(unit.code)}/geometry`));
    const shape = L.geoJSON(g, { style: { color: "#1f5fa8", weight: 2, fillOpacity: 0.15 } }).addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [20, 20] });
    mapBox.dataset.ready = "1";
    setTimeout(() => map.invalidateSize(), 0);
  }
}

// ---- API keys ----

async function keysTab(body, user) {
  const list = await get("/api/v1/apikeys");
  const shown = h("div.key-once", { role: "status" });
  const add = form("admin-key", "创建 API 密钥", [
    field("名称", h("input", { required: true }), { name: "name", hint: "如：12345热线对接" }),
    field("角色", select([["public", ROLE.public], ["reporter", ROLE.reporter], ["operator", ROLE.operator]], "public"), { name: "role" }),
    field("单位编码", h("input", { value: user.unit || "" }), { name: "unit" }),
  ], "创建", async (f) => {
    const r = await post("/api/v1/apikeys", { name: val(f, "name"), role: val(f, "role"), unit: val(f, "unit") || undefined });
    await keysTab(body, user);
    clear(body.querySelector(".key-once"), h("p", "密钥只显示这一次，请立即复制保存："), h("code.key-value", r.key));
  });
  const rows = list.items.map((k) => {
    const revoke = k.revoked_at ? null : h("button", { type: "button", "aria-label": `吊销 ${k.name}` }, "吊销");
    revoke?.addEventListener("click", async () => {
      if (!confirm(`吊销密钥“${k.name}”？使用它的系统将无法再访问。`)) return;
      try {
        await api("DELETE", "/api/v1/apikeys/" + encodeURIComponent(k.name));
        toast("已吊销");
        await keysTab(body, user);
      } catch (e) {
        toast(e.message, "error");
      }
    });
    return h("tr", { dataset: { key: k.name } },
      h("th", { scope: "row" }, k.name), h("td", ROLE[k.role] || k.role), h("td", k.unit),
      h("td", fmtTime(k.created_at)), h("td", fmtTime(k.last_used_at)), h("td", k.revoked_at ? "已吊销 " + fmtTime(k.revoked_at) : "有效"),
      h("td", revoke));
  });
  clear(body,
    h("section.card", { "aria-labelledby": "keys-add" }, h("h2#keys-add", "创建密钥"), add, shown),
    h("section.card", { "aria-labelledby": "keys-list" }, h("h2#keys-list", "密钥"),
      list.items.length ? h("div.table-wrap", h("table.admin-keys",
        h("thead", h("tr", ["名称", "角色", "单位", "创建时间", "最近使用", "状态", ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", rows))) : empty("还没有密钥")));
}

// ---- ledgers ----

async function ledgersTab(body) {
  const file = h("input", { type: "file", accept: ".csv,.xlsx,.geojson,.json", required: true });
  const result = h("div.ledger-result", { "aria-live": "polite" });
  const imp = form("admin-import", "导入台账", [
    field("台账", select(LEDGERS, "objects"), { name: "kind" }),
    field("文件", file, { name: "file", hint: "CSV、xlsx，网格边界为 GeoJSON；表头可用中文列名" }),
    h("label.check", h("input", { type: "checkbox", name: "skip_bad" }), " 跳过错误行，导入其余各行"),
    h("label.check", h("input", { type: "checkbox", name: "dry_run" }), " 只检查，不写入"),
  ], "导入", async (f) => {
    if (!file.files.length) throw Object.assign(new Error("请选择文件"), { field: "file" });
    const kind = val(f, "kind");
    const q = qs({ skip_bad: f.elements.namedItem("skip_bad").checked ? "true" : "", dry_run: f.elements.namedItem("dry_run").checked ? "true" : "" });
    let r;
    clear(result, loading("导入中…（大文件先检查全部行，再分批写入）"));
    try {
      r = await api("POST", `/api/v1/ledgers/${kind}${q}`, file.files[0]);
    } catch (e) {
      if (!e.body || e.body.rows === undefined) {
        clear(result);
        throw e;
      }
      r = e.body; // rows were bad: the same summary, with the error
    }
    showResult(result, r);
  });
  const exports = h("ul.ledger-exports", LEDGERS.concat([["patrols", "巡查记录"]]).map(([k, label]) => h("li", label, "：",
    k === "geometries" ? h("a", { href: `/api/v1/ledgers/${k}.geojson`, download: "" }, "GeoJSON")
      : [h("a", { href: `/api/v1/ledgers/${k}.xlsx`, download: "" }, "xlsx"), " · ", h("a", { href: `/api/v1/ledgers/${k}.csv`, download: "" }, "CSV")])));
  clear(body,
    h("section.card", { "aria-labelledby": "ledger-in" }, h("h2#ledger-in", "导入"), imp, result),
    h("section.card", { "aria-labelledby": "ledger-out" }, h("h2#ledger-out", "导出"), exports));
}

function showResult(box, r) {
  const head = r.error ? h("p.notice.error", { role: "alert" }, r.error.message)
    : h("p.notice", `${r.dry_run ? "试导入（未写入）：" : "已导入："}读取 ${r.rows} 行，新建 ${r.created}，更新 ${r.updated}，未变 ${r.unchanged}，错误 ${r.bad}` +
      (r.resumed ? `（续传：前 ${r.resumed} 行已在上次导入中处理）` : ""));
  clear(box, head, r.errors.length ? h("div.table-wrap", h("table.ledger-errors",
    h("thead", h("tr", ["工作表", "行", "列", "列名", "原因"].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", r.errors.map((e) => h("tr", h("td", e.sheet || ""), h("td", e.row), h("td", e.column || ""), h("td", e.header || ""), h("td", e.reason)))))) : null);
}

// ---- categories and SLA policies ----

// One policy: a summary line of its clocks that opens to a form with each
// clock's basis, unit, limit, yellow and red thresholds and the extension
// allowed.  Saved as the next version, expecting the one shown (409 when
// someone saved meanwhile).
const amount = (c, v) => `${v} ${c.basis === "working_days" ? "个工作日" : c.basis === "working_hours" ? (c.unit === "minutes" ? "工作分钟" : "工作小时") : (UNIT.find(([u]) => u === c.unit) || [, c.unit])[1]}`;

function policyForm(body, cats, p) {
  const names = new Map(cats.items.map((c) => [c.code, c.name]));
  const num = (v) => h("input", { type: "number", step: "any", min: "0", value: v, required: true });
  const fields = p.clocks.map((c, i) => h("fieldset.sla-clock", { dataset: { clock: c.name } },
    h("legend", `${c.label}（${c.name}）`),
    field("计时方式", select(BASIS, c.basis), { name: `clocks[${i}].basis` }),
    field("单位", select(UNIT, c.unit), { name: `clocks[${i}].unit` }),
    field("时限", num(c.limit), { name: `clocks[${i}].limit` }),
    field("黄灯", num(c.yellow), { name: `clocks[${i}].yellow` }),
    field("红灯", num(c.red), { name: `clocks[${i}].red` }),
    field("最多延期", num(c.max_extension), { name: `clocks[${i}].max_extension` })));
  const f = form("admin-policy", `${p.name}时限`, [
    h("p.muted", "黄灯、红灯：用时达到该值时亮灯（0 < 黄灯 ≤ 红灯 ≤ 时限）；最多延期为 0 时不可延期。按工作日计时须为整数天。"),
    fields,
  ], "保存（对之后上报的案件生效）", async (ff) => {
    const clocks = p.clocks.map((c, i) => {
      const one = { name: c.name };
      for (const k of ["basis", "unit"]) one[k] = val(ff, `clocks[${i}].${k}`);
      for (const k of ["limit", "yellow", "red", "max_extension"]) one[k] = Number(val(ff, `clocks[${i}].${k}`));
      return one;
    });
    const r = await put(`/api/v1/categories/policies/${encodeURIComponent(p.key)}`, { clocks },
      { headers: { "If-Match": `"${cats.version}"` } });
    toast(`已保存“${p.name}”：第 ${r.version} 版起，新上报的案件按新时限计时`);
    await categoriesTab(body, p.key);
  });
  const used = p.categories.map((c) => names.get(c) || c);
  return h("details.card.sla-policy", { dataset: { policy: p.key } },
    h("summary", h("strong", p.name), h("span.muted", ` ${p.key}`), "：",
      p.clocks.map((c) => `${c.label} ${amount(c, c.limit)}`).join("，")),
    h("p.muted", used.length ? `适用类别（${used.length}）：${used.slice(0, 8).join("、")}${used.length > 8 ? "等" : ""}`
      : "按来源或紧急程度适用（见类别文件的 overrides）"),
    f);
}

async function categoriesTab(body, open) {
  const [cats, versions] = await Promise.all([get("/api/v1/categories"), get("/api/v1/categories/versions")]);
  const file = h("input", { type: "file", accept: ".json,application/json", required: true });
  const upload = form("admin-categories-doc", "上传类别文件", [
    field("类别文件（JSON）", file, { name: "file", hint: "格式同 data/categories.json；可先下载现行文件再修改" }),
  ], "上传并生效", async () => {
    if (!file.files.length) throw Object.assign(new Error("请选择文件"), { field: "file" });
    const r = await put("/api/v1/categories", file.files[0],
      { headers: { "Content-Type": "application/json", "If-Match": `"${cats.version}"` } });
    toast(`已上传：第 ${r.version} 版生效`);
    await categoriesTab(body);
  });
  const source = (v) => v.source === "admin" ? `管理员 ${v.by || ""} 修改` : "类别文件";
  clear(body,
    h("section.card", { "aria-labelledby": "cat-now" }, h("h2#cat-now", "现行版本"),
      h("p.notice.categories-version", { dataset: { version: String(cats.version) } },
        `第 ${cats.version} 版（${source(cats)}，${fmtTime(cats.updated_at)}）：${cats.items.length} 个类别，${cats.policies.length} 个时限策略。`),
      h("p", "修改时限只对修改之后上报的案件生效；已上报的案件仍按其上报时的版本计时，它们的期限和红黄灯不会因修改而变化。"),
      h("p", h("a", { href: "/api/v1/categories/document", download: "categories.json" }, "下载现行类别文件"))),
    h("section.card", { "aria-labelledby": "cat-policies" }, h("h2#cat-policies", "时限策略"),
      h("p.muted", "点开一个策略修改其时限。"),
      cats.policies.map((p) => policyForm(body, cats, p))),
    h("section.card", { "aria-labelledby": "cat-doc" }, h("h2#cat-doc", "整体替换"),
      h("p.muted", "增删类别、修改立案结案标准或时限的起止条件，请下载现行文件修改后上传。文件中的错误会指出出错的条目和字段，不会部分生效。"), upload),
    h("section.card", { "aria-labelledby": "cat-versions" }, h("h2#cat-versions", "版本记录"),
      h("div.table-wrap", h("table.category-versions",
        h("thead", h("tr", ["版本", "来源", "时间", ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", versions.items.map((v) => h("tr", h("th", { scope: "row" }, `第 ${v.version} 版`),
          h("td", source(v)), h("td", fmtTime(v.at)), h("td", v.in_force ? "现行" : ""))))))));
  if (open) body.querySelector(`details[data-policy="${CSS.escape(open)}"]`)?.setAttribute("open", "");
}

// ---- the audit log ----

async function auditTab(body) {
  const out = h("div.audit-result", { role: "status", "aria-live": "polite" });
  const btn = h("button.primary", { type: "button" }, "校验散列链");
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    clear(out, loading("校验中…（从第一条记录起逐条核对）"));
    try {
      const r = await get("/api/v1/audit/verify");
      clear(out, r.intact
        ? h("p.notice.ok", { dataset: { intact: "1" } }, `散列链完整：共 ${r.rows} 条记录（${fmtTime(r.checked_at)} 校验）`)
        : h("p.notice.error", { dataset: { intact: "0" } }, `审计日志损坏：第 ${r.bad_seq} 条：${r.reason}（已核对 ${r.rows} 条）`));
    } catch (e) {
      clear(out, errorBox(e));
    } finally {
      btn.disabled = false;
    }
  });
  clear(body, h("section.card", { "aria-labelledby": "audit-h" },
    h("h2#audit-h", "审计日志"),
    h("p", "每次写入（案件、单位、用户、密钥、台账等）都记入带散列链的审计日志：每条记录的散列包含上一条的散列，删改、插入或调换任何一条都会使校验失败，并指出第一条出错的记录。"),
    btn, out));
}

export async function adminPage(el, user, path, params) {
  const tab = path.split("/")[2] || "users";
  if (user.role !== "admin") {
    clear(el, h("h1", "系统管理"), errorBox(new Error("只有系统管理员可以使用系统管理")));
    return;
  }
  const body = h("div.admin-body", loading());
  clear(el, h("h1", "系统管理"),
    h("nav.tabs", { "aria-label": "管理项目" }, TABS.map(([k, label]) =>
      h("a", { href: "#/admin/" + k, "aria-current": k === tab ? "page" : null }, label))),
    body);
  try {
    if (tab === "units") await unitsTab(body, user, params);
    else if (tab === "keys") await keysTab(body, user);
    else if (tab === "ledgers") await ledgersTab(body);
    else if (tab === "categories") await categoriesTab(body);
    else if (tab === "notifications") await notificationsTab(body, params);
    else if (tab === "audit") await auditTab(body);
    else await usersTab(body);
  } catch (e) {
    clear(body, errorBox(e));
  }
}
