// screen.js - 大屏 (#/screen): the command centre's wall screen, dark and
// full-screen for 1920x1080.  The map shows the open cases coloured by light
// and, per grid, a circle sized by its open cases (the heat layer); beside it
// today's and this month's counts, closure and on-time rates, the streets
// ranked, the newest cases scrolling, patrol coverage and the target cards.
// The counts and rates are API answers, never recomputed; the heat circles
// count the open cases the page read (up to OPEN_CAP, then it says so).  The
// page asks again every ?interval= seconds (default 15, 1 to 3600) without
// reloading; when the server is away (a restart) it says so, keeps the last
// figures and tries again; leaving the page stops it and frees its map.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { get, qs } from "../api.js";
import { h, clear, LIGHT, SOURCE, textNode } from "../ui.js";
import { pct } from "./dashboard.js";
import { fromWgs84 } from "../crs.js";

const OPEN_CAP = 2000; // open cases read for the map, newest first, 200 a page
const COLOR = { none: "#8aa0b8", green: "#2ecc71", yellow: "#f1c40f", red: "#e74c3c", overdue: "#ff2bd6" };

const beijing = (t = Date.now()) => new Date(t + 8 * 3600000).toISOString();
const today = () => beijing().slice(0, 10);
const clock = () => beijing().slice(0, 19).replace("T", " ");

function tile(key, label) {
  return h("div.s-tile", { dataset: { stat: key } }, h("div.s-value", "—"), h("div.s-label", label));
}

function setTile(root, key, value) {
  const el = root.querySelector(`[data-stat="${key}"] .s-value`);
  if (el) el.textContent = value === null || value === undefined ? "—" : String(value);
}

// What one refresh reads: counts and rates of today and the month, the month's
// streets, the open cases for the map, the newest cases, patrols, targets.
async function fetchAll(unit) {
  const day = today(), month = day.slice(0, 8) + "01";
  const cases = (p) => get("/api/v1/cases" + qs({ unit, ...p }));
  const openCases = async () => {
    const all = [];
    let cursor = null;
    do {
      const r = await cases({ open: "true", limit: 200, cursor, fields: "id,title,light,location,unit" });
      all.push(...r.items);
      cursor = r.next_cursor;
    } while (cursor && all.length < OPEN_CAP);
    return { items: all, more: Boolean(cursor) };
  };
  const [todayStats, monthStats, open, newest, patrol, board] = await Promise.all([
    get("/api/v1/stats/cases" + qs({ unit, from: day, to: day })),
    get("/api/v1/stats/cases" + qs({ unit, from: month, to: day, group_by: "unit" })),
    openCases(),
    cases({ limit: 12, fields: "id,number,title,light,source,created_at,category_name" }),
    get("/api/v1/stats/patrols" + qs({ unit, from: month, to: day })).catch(() => null),
    get("/api/v1/targets/board" + qs({ unit })).catch(() => null),
  ]);
  return { todayStats, monthStats, open, newest, patrol, board };
}

// The heat layer: each unit with open cases (a located case's unit is its
// grid) as one circle at its cases' mean position, its radius by how many,
// its colour by the worst light.
function grids(items) {
  const rank = { none: 0, green: 1, yellow: 2, red: 3, overdue: 4 };
  const by = new Map();
  for (const c of items) {
    if (!c.location || c.location.lat === null) continue;
    const g = by.get(c.unit) || { unit: c.unit, n: 0, lat: 0, lng: 0, worst: "none" };
    g.n++;
    g.lat += c.location.lat;
    g.lng += c.location.lng;
    if (rank[c.light] > rank[g.worst]) g.worst = c.light;
    by.set(c.unit, g);
  }
  return [...by.values()].map((g) => ({ ...g, lat: g.lat / g.n, lng: g.lng / g.n }));
}

export async function wallScreen(el, user, params) {
  const unit = params.get("unit") || user.unit;
  const interval = Math.min(3600, Math.max(1, Number(params.get("interval")) || 15));
  const status = h("span.s-status", { role: "status" }, "加载中…");
  const now = h("span.s-clock", clock());
  const full = h("button.s-full", { type: "button" }, "全屏");
  full.addEventListener("click", () => document.documentElement.requestFullscreen?.().catch(() => {}));
  const left = h("section.s-col.s-left", { "aria-label": "概况" },
    h("h2", "今日上报"),
    h("div.s-tiles", tile("today_reported", "上报"), tile("today_closed", "其中已结案")),
    h("h2", "本月上报"),
    h("div.s-tiles",
      tile("month_reported", "上报"), tile("month_closed", "其中已结案"),
      tile("close_rate", "结案率"), tile("on_time_close_rate", "按期结案率"),
      tile("overdue", "超期"), tile("open", "在办（地图）")),
    h("h2", "巡查（本月）"),
    h("div.s-tiles", tile("coverage", "巡查覆盖率"), tile("rectification_rate", "隐患整改率")),
    h("h2", "目标考核"),
    h("div.s-tiles", tile("red_cards", "红牌"), tile("yellow_cards", "黄牌")));
  const mapBox = h("div.s-map#screen-map", { role: "region", "aria-label": "在办案件地图" });
  const capped = h("div.s-capped", { hidden: true });
  const ranking = h("tbody");
  const newest = h("ul.s-newest", { "aria-live": "off" });
  const right = h("section.s-col.s-right", { "aria-label": "排名与最新案件" },
    h("h2", "街道排名（本月按期结案率）"),
    h("table.s-rank", h("thead", h("tr", ["名次", "单位", "上报", "结案", "按期结案率"].map((x) => h("th", { scope: "col" }, x)))), ranking),
    h("h2", "最新案件"),
    h("div.s-scroll", newest));
  const legend = h("div.s-legend", Object.entries(LIGHT).filter(([k]) => k !== "none").map(([k, v]) =>
    h("span", h("i", { style: `background:${COLOR[k]}` }), v)));
  clear(el,
    h("header.s-top",
      h("h1", "城市运行指挥大屏"), h("span.s-unit", ""), status, now, full,
      h("a.s-back", { href: "#/" }, "返回")),
    h("div.s-body", left, h("section.s-mid", mapBox, legend, capped), right));
  document.body.classList.add("screen-mode");

  // The page lives while its element is in the document: render() replaces
  // it on leaving, and then every timer stops and the map goes.
  let map = null, timer = null, tick = null;
  const alive = () => el.isConnected && location.hash.startsWith("#/screen");
  function stop() {
    clearInterval(tick);
    clearTimeout(timer);
    map?.remove();
    map = null;
    if (!document.querySelector("main.screen")) document.body.classList.remove("screen-mode");
  }
  tick = setInterval(() => (alive() ? (now.textContent = clock()) : stop()), 1000);

  map = L.map(mapBox, { preferCanvas: true, zoomControl: false, attributionControl: false }).setView([22.55, 114.12], 13);
  const layer = L.layerGroup().addTo(map);
  let crs = "wgs84";
  try {
    const cfg = await get("/api/v1/console");
    crs = cfg.tile_crs || "wgs84";
    if (cfg.tile_url && map) L.tileLayer(cfg.tile_url, { maxZoom: 19 }).addTo(map);
  } catch {
    /* no tiles: the points alone */
  }
  get("/api/v1/units/" + encodeURIComponent(unit)).then((u) => {
    el.querySelector(".s-unit").textContent = u.name;
  }).catch(() => {
    el.querySelector(".s-unit").textContent = unit;
  });
  let fitted = false;

  function draw(d) {
    const t = d.todayStats.total, m = d.monthStats.total;
    setTile(el, "today_reported", t.reported);
    setTile(el, "today_closed", t.closed);
    setTile(el, "month_reported", m.reported);
    setTile(el, "month_closed", m.closed);
    setTile(el, "close_rate", pct(m.close_rate));
    setTile(el, "on_time_close_rate", pct(m.on_time_close_rate));
    setTile(el, "overdue", m.overdue);
    setTile(el, "open", d.open.items.length + (d.open.more ? "+" : ""));
    capped.hidden = !d.open.more;
    capped.textContent = d.open.more ? `地图显示最新的 ${d.open.items.length} 件在办案件` : "";
    setTile(el, "coverage", d.patrol ? pct(d.patrol.total.coverage) : null);
    setTile(el, "rectification_rate", d.patrol ? pct(d.patrol.total.rectification_rate) : null);
    const cards = { red: 0, yellow: 0 };
    for (const r of d.board?.rows || []) if (cards[r.card] !== undefined) cards[r.card]++;
    setTile(el, "red_cards", d.board ? cards.red : null);
    setTile(el, "yellow_cards", d.board ? cards.yellow : null);

    const groups = [...(d.monthStats.groups || [])].sort((a, b) =>
      (b.on_time_close_rate ?? -1) - (a.on_time_close_rate ?? -1) || b.reported - a.reported);
    clear(ranking, groups.map((g, i) => h("tr", { dataset: { key: g.key } },
      h("td", i + 1), h("th", { scope: "row" }, g.name), h("td", g.reported), h("td", g.closed), h("td", pct(g.on_time_close_rate)))));
    // more than fit: the list rolls, twice over so that the roll has no seam
    const rolling = d.newest.items.length > 6;
    const row = (c, copy) => h("li", { dataset: { id: c.id }, "aria-hidden": copy ? "true" : null },
      h("i.s-dot", { style: `background:${COLOR[c.light] || COLOR.none}`, title: LIGHT[c.light] || "" }),
      h("span.s-time", c.created_at.slice(5, 16).replace("T", " ")),
      h("span.s-src", SOURCE[c.source] || c.source),
      h(copy ? "span.s-copy" : "span.s-title", c.title));
    clear(newest, d.newest.items.map((c) => row(c, false)), rolling ? d.newest.items.map((c) => row(c, true)) : null);
    newest.classList.toggle("s-rolling", rolling);

    layer.clearLayers();
    const pts = [];
    for (const g of grids(d.open.items)) {
      const [lng, lat] = fromWgs84(crs, [g.lng, g.lat]);
      L.circle([lat, lng], { radius: 120 + 100 * Math.sqrt(g.n), stroke: false, fillColor: COLOR[g.worst], fillOpacity: 0.3 })
        .bindTooltip(textNode(`${g.unit}：在办 ${g.n} 件`)).addTo(layer);
    }
    for (const c of d.open.items) {
      if (!c.location || c.location.lat === null) continue;
      const [lng, lat] = fromWgs84(crs, [c.location.lng, c.location.lat]);
      pts.push([lat, lng]);
      L.circleMarker([lat, lng], { radius: 5, weight: 1, color: "#0b1a2a", fillColor: COLOR[c.light] || COLOR.none, fillOpacity: 0.95 })
        .bindTooltip(textNode(c.title)).addTo(layer);
    }
    mapBox.dataset.points = String(pts.length);
    if (pts.length && !fitted) {
      map.fitBounds(pts, { maxZoom: 15, padding: [30, 30] });
      fitted = true;
    }
  }

  async function refresh() {
    if (!alive()) return stop();
    try {
      const d = await fetchAll(unit);
      if (!alive()) return stop(); // left while the answers came
      draw(d);
      status.textContent = `已更新 ${clock().slice(11)}`;
      status.classList.remove("s-down");
      el.dataset.updated = String(Date.now());
    } catch (e) {
      if (!alive() || e.status === 401) return stop(); // the session is over: api.js goes to login
      status.classList.add("s-down");
      if (e.status === 400 || e.status === 403 || e.status === 404) {
        status.textContent = `无法显示：${e.message}`; // asking again will not help
        return stop();
      }
      status.textContent = `数据暂不可用（${e.message}），${interval} 秒后重试`;
    }
    timer = setTimeout(refresh, interval * 1000);
  }
  setTimeout(() => map?.invalidateSize(), 0);
  await refresh();
}
