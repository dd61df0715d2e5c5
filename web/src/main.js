// main.js - the console's shell: login, role-aware navigation and a hash
// router (#/, #/cases, #/cases/42, #/report, #/dashboard, and the patrol
// loop's #/patrol, #/patrol/checkin, #/hazards, #/supervision, #/patrol/stats,
// and the target loop's #/targets, #/targets/ranking, #/targets/trend,
// #/targets/entry, #/projects, #/projects/7, and the reporting loop's
// #/reports, #/reports/3), the command centre's wall screen #/screen and
// the administrator's #/admin/users, /units, /keys, /ledgers; #/outbox, what
// waits to be sent from a phone that was offline (offline.js).
import "./style.css";
import { api, session, setExpiredHandler, clearCache, forgetReads } from "./api.js";
import { h, clear, ROLE, showFormError, field } from "./ui.js";
import { workbench } from "./pages/workbench.js";
import { caseList } from "./pages/cases.js";
import { caseDetail } from "./pages/case.js";
import { reportForm } from "./pages/report.js";
import { dashboard } from "./pages/dashboard.js";
import { patrolToday, checkinForm } from "./pages/patrol.js";
import { hazardList, supervision, patrolStats } from "./pages/hazards.js";
import { targetBoard, targetRanking, targetTrend, actualEntry } from "./pages/targets.js";
import { projectList, projectDetail } from "./pages/projects.js";
import { reportList, reportView } from "./pages/reports.js";
import { wallScreen } from "./pages/screen.js";
import { adminPage } from "./pages/admin.js";
import { drafts } from "./drafts.js";
import { outboxPage } from "./pages/outbox.js";
import { startSync, onSync, sync, syncState as syncStateNow } from "./offline.js";

const app = document.getElementById("app");

// Which pages each role sees in the navigation.
const NAV = [
  { path: "#/", label: "工作台", roles: ["admin", "leader", "operator", "handler", "reporter", "public"] },
  { path: "#/cases", label: "案件", roles: ["admin", "leader", "operator", "handler", "reporter"] },
  { path: "#/report", label: "上报", roles: ["operator", "reporter", "public"] },
  { path: "#/dashboard", label: "统计", roles: ["admin", "leader", "operator"] },
  { path: "#/patrol", label: "今日巡查", roles: ["admin", "operator", "reporter"] },
  { path: "#/patrol/checkin", label: "企业自查", roles: ["enterprise"] },
  { path: "#/hazards", label: "隐患", roles: ["admin", "leader", "operator", "handler", "reporter", "enterprise"] },
  { path: "#/supervision", label: "挂牌督办", roles: ["admin", "leader", "operator"] },
  { path: "#/patrol/stats", label: "巡查统计", roles: ["admin", "leader", "operator"] },
  { path: "#/targets", label: "目标考核", roles: ["admin", "leader", "operator", "handler"] },
  { path: "#/projects", label: "重点项目", roles: ["admin", "leader", "operator", "handler"] },
  { path: "#/reports", label: "报告", roles: ["admin", "leader", "operator", "handler"] },
  { path: "#/screen", label: "大屏", roles: ["admin", "leader", "operator"] },
  { path: "#/admin", label: "系统管理", roles: ["admin"] },
];
// who may keep reports and check-ins offline (#/outbox)
const OFFLINE_ROLES = ["admin", "operator", "reporter", "public", "enterprise"];

function route() {
  const hash = location.hash || "#/";
  const [path, query] = hash.slice(1).split("?");
  return { path, params: new URLSearchParams(query || "") };
}

// Session over: keep the place and the form being filled in, then log in.
setExpiredHandler(() => {
  if (location.hash === "#/login") return; // a page's other requests, after the first 401
  drafts.saveAll();
  sessionStorage.setItem("bihuan.return", location.hash || "#/");
  sessionStorage.setItem("bihuan.expired", "1");
  location.hash = "#/login";
});

function loginPage() {
  const expired = sessionStorage.getItem("bihuan.expired");
  const user = h("input", { type: "text", autocomplete: "username", required: true });
  const pass = h("input", { type: "password", autocomplete: "current-password", required: true });
  const form = h("form.login-card", { "aria-labelledby": "login-title" },
    h("h1#login-title", "闭环 · 基层治理闭环管理平台"),
    expired ? h("p.notice", { role: "alert" }, "登录已过期，请重新登录。您正在填写的内容已保留。") : null,
    field("用户名", user, { name: "username" }),
    field("密码", pass, { name: "password" }),
    h("div.form-error", { role: "alert" }),
    h("button.primary", { type: "submit" }, "登录"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector("button");
    btn.disabled = true;
    btn.textContent = "登录中…";
    try {
      const r = await api("POST", "/api/v1/session", { username: user.value.trim(), password: pass.value });
      session.set({ user: r.user, expires_at: r.expires_at }); // the token stays in the HttpOnly cookie
      clearCache();
      forgetReads(); // another user's, kept for offline use
      sync(); // what this user kept offline before logging in again
      sessionStorage.removeItem("bihuan.expired");
      const back = sessionStorage.getItem("bihuan.return");
      sessionStorage.removeItem("bihuan.return");
      location.hash = back && back !== "#/login" ? back : "#/";
    } catch (e) {
      showFormError(form, e, e.field === "username" || e.field === "password" ? undefined : "");
    } finally {
      btn.disabled = false;
      btn.textContent = "登录";
    }
  });
  clear(app, h("main#main.login", form));
  user.focus();
}

// The sync state in the header: offline, what waits to be sent, sending.
// Each page draws the header again: the last badge's listeners go first.
let dropBadge = () => {};
function syncBadge() {
  dropBadge();
  const a = h("a.sync-badge", { href: "#/outbox", "aria-live": "polite" });
  const show = (s) => {
    const n = s.pending + s.failed;
    a.hidden = navigator.onLine && !n && !s.syncing;
    a.dataset.pending = String(s.pending);
    a.className = "sync-badge" + (s.failed ? " bad" : navigator.onLine ? "" : " offline");
    a.textContent = (navigator.onLine ? "" : "离线 · ") + (s.syncing ? `同步中…（${n}）` : n ? `待同步 ${n} 条` : "已同步");
  };
  const off = onSync(show);
  const net = () => show(syncStateNow());
  addEventListener("online", net);
  addEventListener("offline", net);
  dropBadge = () => {
    off();
    removeEventListener("online", net);
    removeEventListener("offline", net);
  };
  return a;
}

function shell(user, current) {
  const nav = h("nav.nav", { "aria-label": "主导航" },
    NAV.filter((n) => n.roles.includes(user.role)).map((n) =>
      h("a", { href: n.path, "aria-current": current === n.path ? "page" : null }, n.label)));
  const logout = h("button.link", { type: "button" }, "退出");
  logout.addEventListener("click", async () => {
    const waiting = syncStateNow().pending;
    if (waiting && !confirm(`还有 ${waiting} 条离线记录未同步：退出后须由您再次登录才会发送。仍要退出？`)) return;
    try {
      await api("DELETE", "/api/v1/session");
    } catch {
      /* the session may already be gone */
    }
    session.clear();
    forgetReads(); // what this user's pages read
    location.hash = "#/login";
  });
  const main = h("main#main.page", { tabindex: "-1" });
  clear(app,
    h("header.top",
      h("a.brand", { href: "#/" }, "闭环"),
      nav,
      OFFLINE_ROLES.includes(user.role) ? syncBadge() : null,
      h("div.who", h("span", `${user.display_name || user.username}`), h("span.role", ROLE[user.role] || user.role), logout)),
    main);
  return main;
}

async function render() {
  const { path, params } = route();
  const s = session.get();
  if (path === "/login" || !s) {
    if (!s && path !== "/login") {
      sessionStorage.setItem("bihuan.return", location.hash || "#/");
      location.hash = "#/login";
      return;
    }
    loginPage();
    return;
  }
  const user = s.user;
  if (path === "/screen" && NAV.find((n) => n.path === "#/screen").roles.includes(user.role)) {
    const main = h("main#main.screen", { tabindex: "-1" }); // full screen: no navigation bar
    clear(app, main);
    await wallScreen(main, user, params);
    return;
  }
  let current = "#/";
  let page;
  const m = path.match(/^\/cases\/(\d+)$/);
  if (m) {
    current = "#/cases";
    page = (el) => caseDetail(el, user, Number(m[1]));
  } else if (path === "/cases") {
    current = "#/cases";
    page = (el) => caseList(el, user, params);
  } else if (path === "/report") {
    current = "#/report";
    page = (el) => reportForm(el, user);
  } else if (path === "/dashboard") {
    current = "#/dashboard";
    page = (el) => dashboard(el, user, params);
  } else if (path === "/patrol") {
    current = "#/patrol";
    page = (el) => patrolToday(el, user, params);
  } else if (path === "/patrol/checkin") {
    current = user.role === "enterprise" ? "#/patrol/checkin" : "#/patrol";
    page = (el) => checkinForm(el, user, params);
  } else if (path === "/patrol/stats") {
    current = "#/patrol/stats";
    page = (el) => patrolStats(el, user, params);
  } else if (path === "/hazards") {
    current = "#/hazards";
    page = (el) => hazardList(el, user, params);
  } else if (path === "/supervision") {
    current = "#/supervision";
    page = (el) => supervision(el, user);
  } else if (path.startsWith("/targets")) {
    current = "#/targets";
    const pages = { "/targets": targetBoard, "/targets/ranking": targetRanking, "/targets/trend": targetTrend, "/targets/entry": actualEntry };
    page = (el) => (pages[path] || targetBoard)(el, user, params);
  } else if (path === "/projects" || /^\/projects\/\d+$/.test(path)) {
    current = "#/projects";
    const id = path.split("/")[2];
    page = (el) => (id ? projectDetail(el, user, Number(id), params) : projectList(el, user, params));
  } else if (path === "/reports" || /^\/reports\/\d+$/.test(path)) {
    current = "#/reports";
    const id = path.split("/")[2];
    page = (el) => (id ? reportView(el, user, Number(id)) : reportList(el, user));
  } else if (path === "/outbox") {
    current = "#/outbox";
    page = (el) => outboxPage(el);
  } else if (path === "/admin" || path.startsWith("/admin/")) {
    current = "#/admin";
    page = (el) => adminPage(el, user, path, params);
  } else if (user.role === "enterprise") {
    page = (el) => checkinForm(el, user, params);
    current = "#/patrol/checkin";
  } else {
    page = (el) => workbench(el, user);
  }
  const main = shell(user, current);
  await page(main);
}

window.addEventListener("hashchange", render);
render();
startSync();
// The service worker keeps the console's files and the data its pages
// last read, so the app opens and reports without a network (sw.js).
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
