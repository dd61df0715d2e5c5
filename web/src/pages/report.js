// report.js - 上报: category with search, description, the place by a
// click on the grid map or by coordinates; the grid it falls in is shown
// before sending.  The map draws the grid polygons from the API; a base
// layer of tiles is added only when the server is configured with one.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { get, post, cached, qs } from "../api.js";
import { h, clear, field, select, showFormError, toast, SOURCE, textNode } from "../ui.js";
import { drafts } from "../drafts.js";
import { geojsonFromWgs84 } from "../crs.js";
import { uploadFile } from "./attachments.js";
import { enqueue, offlineError, sync } from "../offline.js";

const DRAFT = "report";

async function categoryPicker() {
  const { items } = await cached("/api/v1/categories");
  const leaves = items.filter((c) => !items.some((x) => x.parent === c.code));
  const search = h("input", { type: "search", placeholder: "输入关键字筛选，如：井盖", "aria-controls": "f-category" });
  const sel = h("select", { id: "f-category", required: true, size: 6 },
    leaves.map((c) => h("option", { value: c.code }, `${c.name}（${c.code}）· ${c.kind_label}`)));
  search.addEventListener("input", () => {
    const q = search.value.trim();
    let first = null;
    for (const o of sel.options) {
      o.hidden = q !== "" && !o.textContent.includes(q);
      if (!o.hidden && !first) first = o;
    }
    if (first && (sel.selectedOptions[0] || {}).hidden !== false) sel.value = first.value;
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      sel.focus();
    }
  });
  return { search, sel };
}

export async function reportForm(el, user) {
  const { search, sel } = await categoryPicker();
  const lat = h("input", { type: "number", step: "any", min: "-90", max: "90", placeholder: "纬度" });
  const lng = h("input", { type: "number", step: "any", min: "-180", max: "180", placeholder: "经度" });
  const where = h("div.where", { role: "status", "aria-live": "polite" }, "在地图上点击事发位置，或输入坐标后点“定位”。");
  // photos go up first (ahead of the case) and the report names them; one
  // already uploaded is not sent again when the report is retried
  const photos = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true, capture: "environment" });
  const uploaded = new Map();
  const mapBox = h("div#map.map", { role: "application", "aria-label": "网格地图：点击选择事发位置" });
  const sources = user.role === "operator"
    ? field("来源", select(Object.entries(SOURCE).filter(([k]) => k !== "open311"), "hotline"), { name: "source" })
    : null;
  const form = h("form.report", { "aria-labelledby": "report-title", novalidate: true },
    h("h1#report-title", "上报问题"),
    h("div.grid2",
      h("div",
        h("div.field", { dataset: { field: "category" } },
          h("label", { for: "f-category" }, "问题类别"), search, sel, h("div.field-error", { role: "alert" })),
        field("标题", h("input", { type: "text", maxlength: 60, placeholder: "可不填：按类别和地址或描述自动生成" }), { name: "title" }),
        field("问题描述", h("textarea", { rows: 5, required: true, maxlength: 1300 }), { name: "description" }),
        field("紧急程度", select([["normal", "一般"], ["urgent", "紧急"]], "normal"), { name: "urgency" }),
        sources,
        user.role === "operator" ? field("反映人", h("input", { type: "text", maxlength: 30 }), { name: "reporter_name" }) : null,
        user.role === "operator" ? field("联系电话", h("input", { type: "tel", maxlength: 20 }), { name: "reporter_phone" }) : null,
        field("地址", h("input", { type: "text", maxlength: 160, placeholder: "门牌、路口或明显标志物" }), { name: "address" }),
        field("现场照片", photos, { name: "attachments", hint: "可多张；拍摄时间和位置随照片上传" })),
      h("div",
        h("div.field", { dataset: { field: "location" } },
          h("span.label", "事发位置"),
          mapBox,
          h("div.row.coords",
            h("label.sr-only", { for: "f-lat" }, "纬度"), Object.assign(lat, { id: "f-lat", name: "lat" }),
            h("label.sr-only", { for: "f-lng" }, "经度"), Object.assign(lng, { id: "f-lng", name: "lng" }),
            h("button", { type: "button", onclick: () => locate() }, "定位"),
            h("button.gps", { type: "button", onclick: () => here() }, "使用当前位置")),
          where,
          h("div.field-error", { role: "alert" })))),
    h("div.form-error", { role: "alert" }),
    h("div.row", h("button.primary", { type: "submit" }, "提交上报")));
  clear(el, form);
  sel.name = "category";
  const restored = drafts.attach(DRAFT, form);
  if (restored) toast("已恢复登录过期前填写的内容");

  // The map: grid polygons; tiles only if configured.
  const map = L.map(mapBox, { zoomControl: true, attributionControl: true, preferCanvas: true });
  map.setView([22.55, 114.12], 13);
  let marker = null;
  // The base layer's coordinate system: polygons are drawn in it and
  // picked points are sent in it (see crs.js).
  let mapCrs = "wgs84";
  const cfgReady = get("/api/v1/console").then((cfg) => {
    mapCrs = cfg.crs || "wgs84";
    mapBox.dataset.crs = mapCrs;
    if (cfg.tile_url) L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
  }).catch(() => {});
  Promise.all([get("/api/v1/ledgers/geometries.geojson"), cfgReady]).then(([fc]) => {
    const layer = L.geoJSON(geojsonFromWgs84(mapCrs, fc), {
      style: { color: "#2f6fb0", weight: 1, fillOpacity: 0.06 },
      onEachFeature: (f, l) => l.bindTooltip(textNode(`${f.properties.name}（${f.properties.code}）`), { sticky: true }),
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
    layer.on("click", (e) => place(e.latlng.lat, e.latlng.lng));
    if (lat.value && lng.value) locate();
    mapBox.dataset.ready = "1";
  }).catch(() => {
    where.textContent = "网格边界未能加载；仍可点击地图或输入坐标定位。";
    mapBox.dataset.ready = "1";
  });
  map.on("click", (e) => place(e.latlng.lat, e.latlng.lng));
  setTimeout(() => map.invalidateSize(), 0);

  let located = null, asked = 0; // only the newest locate's answer is shown
  let pointCrs = null; // the system of the point: the map's, or WGS-84 from the phone's GPS
  function place(la, ln, crs = null) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    pointCrs = crs;
    locate();
  }
  // the phone's position (GPS: WGS-84)
  function here() {
    if (!navigator.geolocation) {
      where.textContent = "此设备不能定位，请在地图上点击或输入坐标。";
      return;
    }
    where.textContent = "正在获取当前位置…";
    navigator.geolocation.getCurrentPosition(
      (p) => place(p.coords.latitude, p.coords.longitude, "wgs84"),
      (e) => (where.textContent = e.code === 1 ? "未获准使用位置，请在地图上点击或输入坐标。" : "未能获取当前位置，请在地图上点击或输入坐标。"),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  async function locate() {
    const la = Number(lat.value), ln = Number(lng.value);
    located = null;
    if (!lat.value || !lng.value || Number.isNaN(la) || Number.isNaN(ln)) {
      where.textContent = "请输入纬度和经度。";
      return;
    }
    if (marker) marker.remove();
    marker = L.circleMarker([la, ln], { radius: 7, color: "#c0392b", fillOpacity: 0.8 }).addTo(map);
    where.textContent = "定位中…";
    where.className = "where";
    const mine = ++asked;
    try {
      const r = await get("/api/v1/locate" + qs({ lat: la, lng: ln, crs: pointCrs || mapCrs }));
      if (mine !== asked) return;
      if (r.found === false) {
        where.textContent = r.message || "该位置不在任何网格内，请重新选择。";
        where.className = "where bad";
      } else {
        located = r;
        where.textContent = `所在网格：${r.name || ""}（${r.unit}）` + (r.path ? ` · ${r.path.map((p) => p.name).join(" / ")}` : "");
        where.className = "where ok";
      }
    } catch (e) {
      if (mine !== asked) return;
      where.textContent = offlineError(e) ? "离线：暂不能查询所在网格，联网发送时按坐标定位。" : e.message;
      where.className = offlineError(e) ? "where" : "where bad";
    }
  }

  const key = () => form.dataset.key || (form.dataset.key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = (n) => (form.elements.namedItem(n) ? form.elements.namedItem(n).value.trim() : "");
    const body = {
      category: sel.value, title: v("title"), description: v("description"), urgency: v("urgency"),
    };
    if (v("source")) body.source = v("source");
    if (lat.value && lng.value) body.location = { lat: Number(lat.value), lng: Number(lng.value), crs: pointCrs || mapCrs, address: v("address") || undefined };
    if (v("reporter_name") || v("reporter_phone")) body.reporter = { name: v("reporter_name") || undefined, phone: v("reporter_phone") || undefined };
    if (!body.location && user.unit && v("address")) body.unit = user.unit;
    const btn = form.querySelector("button.primary");
    btn.disabled = true;
    btn.textContent = "提交中…";
    try {
      if (!navigator.onLine) throw Object.assign(new Error("离线"), { status: 0 });
      const ids = [];
      for (const f of photos.files) {
        if (!uploaded.has(f)) {
          btn.textContent = `上传照片 ${ids.length + 1}/${photos.files.length}…`;
          try {
            uploaded.set(f, (await uploadFile(f, "before", null)).id);
          } catch (e) {
            throw Object.assign(e, { field: "attachments", message: `照片“${f.name}”：${e.message}` });
          }
        }
        ids.push(uploaded.get(f));
      }
      if (ids.length) body.attachments = ids;
      btn.textContent = "提交中…";
      const c = await post("/api/v1/cases", body, { headers: { "Idempotency-Key": key() } });
      drafts.detach(DRAFT);
      toast(`已上报，案件编号 ${c.number}`);
      location.hash = `#/cases/${c.id}`;
    } catch (e) {
      if (offlineError(e)) {
        // no network: kept on this phone and sent when it is back, once
        const files = [...photos.files].map((f) => ({ file: f, stage: "before", id: uploaded.get(f) }));
        const cat = sel.selectedOptions[0] ? sel.selectedOptions[0].textContent.split("（")[0] : body.category;
        try {
          await enqueue("report", body, files, `${cat}：${body.description.slice(0, 30)}`, key());
        } catch (qe) {
          showFormError(form, Object.assign(new Error(`离线保存失败：${qe.message}`), { field: "" }));
          return;
        }
        drafts.detach(DRAFT);
        toast("已离线保存：联网后自动上报");
        sync();
        await reportForm(el, user); // a fresh form for the next one
        return;
      }
      if (e.status !== 401) showFormError(form, e, e.field === "unit" ? "location" : undefined);
    } finally {
      btn.disabled = false;
      btn.textContent = "提交上报";
    }
  });
}
