// console.test.mjs - the web console in a real browser: Debian's chromium
// driven by playwright-core, against a real `bihuan serve` on a random
// loopback port with a fresh demo district.
//
//   node web/tests/console.test.mjs --bihuan build/bihuan --out build/console [--web web/dist]
//
// Screenshots of every main page go to --out (docs/CONSOLE.md shows them).
// Exits non-zero if any check fails.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BIHUAN = resolve(arg("bihuan", join(here, "../../build/bihuan")));
const OUT = resolve(arg("out", join(here, "../../build/console")));
const WEB = resolve(arg("web", join(here, "../dist")));
const MKPHOTO = resolve(arg("mkphoto", join(here, "../../build/tests/mkphoto")));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PASSWORD = "console-pass-1";

let failures = 0, passes = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passes++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, msg) {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

// ---- the server ----
if (!existsSync(join(WEB, "index.html"))) {
  console.error(`console.test: ${WEB}/index.html is missing: build the console first (make)`);
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "bihuan-console-"));
const db = join(dir, "console.db");
execFileSync(BIHUAN, ["demo", "--db", db, "--period", "2023H1", "--cases", "300", "--password", PASSWORD], { stdio: "ignore" });
// serve the demo on 'listen'; resolves to the server and its first line
async function serve(listen, dbPath = db) {
  const proc = spawn(BIHUAN, ["serve", "--db", dbPath, "--listen", listen, "--web", WEB], {
    env: { ...process.env, BIHUAN_SWEEP_INTERVAL: "0.5" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((res, rej) => {
    const rl = createInterface({ input: proc.stdout });
    rl.once("line", res);
    proc.once("exit", (code) => rej(new Error("bihuan serve exited " + code)));
    setTimeout(() => rej(new Error("bihuan serve did not start")), 15000);
  });
  return { proc, line };
}
let { proc: server, line: firstLine } = await serve("127.0.0.1:0");
const BASE = firstLine.match(/http:\/\/[^\s]+/)[0].replace(/\/$/, "");
console.log(`console.test: ${BASE}, chromium ${CHROMIUM}`);

async function apiAs(user, method, path, body) {
  const s = await fetch(BASE + "/api/v1/session", { method: "POST", body: JSON.stringify({ username: user, password: PASSWORD }) }).then((r) => r.json());
  const r = await fetch(BASE + path, { method, headers: { Authorization: "Bearer " + s.token }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json().catch(() => null) };
}

// ---- the browser ----
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
context.setDefaultTimeout(15000);
const page = await context.newPage();
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));

async function login(user, p = page) {
  await p.goto(BASE + "/#/login");
  await p.evaluate(() => sessionStorage.clear());
  await p.goto(BASE + "/#/login");
  await p.getByLabel("用户名").fill(user);
  await p.getByLabel("密码").fill(PASSWORD);
  await p.getByRole("button", { name: "登录" }).click();
  await p.waitForSelector("header.top");
}
// The middle of a grid's bounding box, [lng, lat] by index (0 lng, 1 lat).
async function gridMiddle(code) {
  const g = await apiAs("wgy_hb", "GET", `/api/v1/units/${code}/geometry`);
  const ring = (g.json.geometry || g.json).coordinates.flat(g.json.type === "MultiPolygon" ? 2 : 1);
  return (i) => (Math.min(...ring.map((p) => p[i])) + Math.max(...ring.map((p) => p[i]))) / 2;
}
async function navItems(p = page) {
  return p.locator("nav.nav a").allTextContents();
}
async function shot(name, p = page, fullPage = true) {
  await p.screenshot({ path: join(OUT, name + ".png"), fullPage });
}
async function openCase(id, p = page) {
  await p.goto(`${BASE}/#/cases/${id}`);
  await p.waitForSelector("#act-title");
}
async function act(action, fill = async () => {}, p = page) {
  await p.locator(`.actions button[data-action="${action}"]`).click();
  await p.waitForSelector(".action-form");
  await fill(p.locator(".action-form"));
  await p.locator(".action-form button.primary").click();
  await p.waitForSelector(".action-form", { state: "detached" });
}
async function actions(p = page) {
  return p.locator(".actions .row button").allTextContents();
}

try {
  await check("login page is Chinese and labelled; wrong password says so next to the form", async () => {
    await page.goto(BASE + "/");
    await page.waitForSelector("form.login-card");
    eq(await page.getAttribute("html", "lang"), "zh-CN", "lang");
    await shot("login");
    await page.getByLabel("用户名").fill("zhzx01");
    await page.getByLabel("密码").fill("wrong-password");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => [...document.querySelectorAll(".login-card .form-error, .login-card .field-error")].some((e) => e.textContent.length > 0));
    const text = await page.locator(".login-card").textContent();
    assert(/密码|用户名/.test(text), "error shown: " + text);
  });

  await check("the session token is out of reach of page scripts; the page carries a CSP", async () => {
    const res = await page.goto(BASE + "/");
    const csp = (await res.allHeaders())["content-security-policy"] || "";
    assert(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), "CSP: " + csp);
    eq((await res.allHeaders())["x-content-type-options"], "nosniff", "nosniff");
    await login("zhzx01");
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert(!/bh_[A-Za-z0-9_-]{20,}/.test(stored), "no token in storage or document.cookie: " + stored);
    const cookies = await context.cookies();
    const c = cookies.find((k) => k.name === "bh_session");
    assert(c && c.httpOnly && c.sameSite === "Strict", "HttpOnly SameSite=Strict cookie: " + JSON.stringify(cookies));
    // a cookie-authenticated write without the console's header is refused (CSRF)
    const status = await page.evaluate(async () => (await fetch("/api/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status);
    eq(status, 403, "cookie write without X-Requested-With");
  });

  const roles = {
    admin: ["工作台", "案件", "统计", "今日巡查", "隐患", "挂牌督办", "巡查统计", "目标考核", "重点项目", "报告", "大屏", "系统管理"],
    leader: ["工作台", "案件", "统计", "隐患", "挂牌督办", "巡查统计", "目标考核", "重点项目", "报告", "大屏"],
    zhzx01: ["工作台", "案件", "上报", "统计", "今日巡查", "隐患", "挂牌督办", "巡查统计", "目标考核", "重点项目", "报告", "大屏"],
    cg: ["工作台", "案件", "隐患", "目标考核", "重点项目", "报告"],
    wgy_hb: ["工作台", "案件", "上报", "今日巡查", "隐患"],
    citizen: ["工作台", "上报"],
  };
  const queues = {
    zhzx01: ["待立案", "待派遣", "待核查", "超期", "申请重新办理"], cg: ["待签收", "处置中", "返工"],
    leader: ["督办", "红灯", "超期"], wgy_hb: ["我的上报", "待核查"], citizen: ["我的上报"],
  };
  for (const [user, nav] of Object.entries(roles)) {
    await check(`log in as ${user}: navigation and workbench for the role`, async () => {
      await login(user);
      eq(await navItems(), nav, "nav");
      await page.waitForFunction(() => !document.querySelector(".queue .loading"));
      if (queues[user]) {
        const titles = (await page.locator(".queue h2").allTextContents()).map((t) => t.replace(/\s*[\d+!…]+$/, "").trim());
        eq(titles, queues[user], "queues");
      }
      if (user === "zhzx01") await shot("workbench-operator");
      if (user === "leader") await shot("workbench-leader");
    });
  }

  await check("operator queue counts agree with the API", async () => {
    await login("zhzx01");
    await page.waitForFunction(() => !document.querySelector(".queue .loading"));
    const counts = await page.locator(".queue .count").allTextContents();
    const api = await apiAs("zhzx01", "GET", "/api/v1/cases?status=reported&limit=200");
    eq(counts[0], String(api.json.items.length) + (api.json.next_cursor ? "+" : ""), "待立案 count");
  });

  let caseId;
  await check("grid worker reports a case through the form: category search, map click shows the grid", async () => {
    await login("wgy_hb");
    await page.goto(BASE + "/#/report");
    await page.waitForSelector("#map[data-ready='1']");
    await page.getByPlaceholder("输入关键字筛选，如：井盖").fill("占道");
    const chosen = await page.locator("#f-category").inputValue();
    assert(chosen.length > 0, "a category is chosen by the search");
    await page.getByLabel("标题").fill("浏览器测试：文锦路占道经营");
    await page.getByLabel("问题描述").fill("早市摊位占用人行道，行人只能走机动车道。");
    // a click in the middle of the map lands in some grid of the demo district
    const box = await page.locator("#map").boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector(".where.ok, .where.bad");
    // a point in another street: the API refuses it, the message sits by the map
    await page.locator("#f-lat").fill("22.5500");
    await page.locator("#f-lng").fill("114.1300");
    await page.getByRole("button", { name: "定位" }).click();
    await page.waitForSelector(".where.ok");
    await page.getByRole("button", { name: "提交上报" }).click();
    await page.waitForFunction(() => document.querySelector('.field[data-field="location"] .field-error')?.textContent.includes("不在您的管辖范围"));
    // coordinates typed by hand: the middle of a grid of the worker's own street (黄贝街道)
    const mid = await gridMiddle("44030300100101");
    await page.locator("#f-lat").fill(mid(1).toFixed(6));
    await page.locator("#f-lng").fill(mid(0).toFixed(6));
    await page.getByRole("button", { name: "定位" }).click();
    await page.waitForFunction(() => document.querySelector(".where.ok")?.textContent.includes("44030300100101"));
    const where = await page.locator(".where").textContent();
    assert(/所在网格：.+（44030300100101）/.test(where), "grid shown: " + where);
    await shot("report");
    // the point goes out in the map's coordinate system (GET /api/v1/console says which)
    const mapCrs = await page.locator("#map").getAttribute("data-crs");
    eq(mapCrs, (await apiAs("wgy_hb", "GET", "/api/v1/console")).json.crs, "the map's system");
    const sent = page.waitForRequest((q) => q.method() === "POST" && q.url().endsWith("/api/v1/cases"));
    await page.getByRole("button", { name: "提交上报" }).click();
    eq(JSON.parse((await sent).postData()).location.crs, mapCrs, "location.crs");
    await page.waitForURL(/#\/cases\/\d+$/);
    caseId = Number(page.url().match(/cases\/(\d+)/)[1]);
    const c = await apiAs("zhzx01", "GET", `/api/v1/cases/${caseId}`);
    eq([c.json.status, c.json.title, c.json.created_by], ["reported", "浏览器测试：文锦路占道经营", "wgy_hb"], "stored");
    assert(where.includes(c.json.unit), `the case is in the grid shown (${c.json.unit})`);
  });

  await check("evidence: a grid worker reports with a photo from the form; the case shows when and where it was taken (where only to the command centre); a PDF added on the case page", async () => {
    const jpg = join(dir, "现场.jpg");
    execFileSync(MKPHOTO, [jpg, "640", "--time", "2026:12:07 09:30:05", "--gps", "22.5431,114.0579"]);
    await login("wgy_hb");
    await page.goto(BASE + "/#/report");
    await page.waitForSelector("#map[data-ready='1']");
    await page.getByPlaceholder("输入关键字筛选，如：井盖").fill("占道");
    await page.getByLabel("问题描述").fill("带照片上报：人行道被摊位占用。");
    await page.locator("#f-lat").fill("22.5431");
    await page.locator("#f-lng").fill("114.0579");
    const mid = await gridMiddle("44030300100101");
    await page.locator("#f-lat").fill(mid(1).toFixed(6));
    await page.locator("#f-lng").fill(mid(0).toFixed(6));
    await page.getByRole("button", { name: "定位" }).click();
    await page.waitForSelector(".where.ok");
    // a text file chosen as a photo: refused at the field, nothing reported
    await page.getByLabel("现场照片").setInputFiles({ name: "照片.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not a photo") });
    await page.getByRole("button", { name: "提交上报" }).click();
    await page.waitForFunction(() => /按内容识别/.test(document.querySelector('.field[data-field="attachments"] .field-error')?.textContent || ""));
    assert(page.url().endsWith("#/report"), "still on the form: " + page.url());
    const found = await apiAs("zhzx01", "GET", "/api/v1/cases?q=" + encodeURIComponent("带照片上报") + "&limit=5");
    eq(found.json.items.length, 0, "nothing reported");
    await page.getByLabel("现场照片").setInputFiles(jpg);
    await page.getByRole("button", { name: "提交上报" }).click();
    await page.waitForURL(/#\/cases\/\d+$/);
    const id = Number(page.url().match(/cases\/(\d+)/)[1]);
    const c = (await apiAs("zhzx01", "GET", `/api/v1/cases/${id}`)).json;
    eq(c.attachments.map((a) => [a.stage, a.taken_at]), [["before", "2026-12-07T09:30:05+08:00"]], "the photo bound to the case");
    // the command centre sees when and where; the thumbnail loads
    await login("zhzx01");
    await page.goto(`${BASE}/#/cases/${id}`);
    const fig = page.locator(`figure.attachment[data-attachment="${c.attachments[0].id}"]`);
    await fig.waitFor();
    await page.waitForFunction((aid) => document.querySelector(`figure[data-attachment="${aid}"] img`)?.naturalWidth > 0, c.attachments[0].id);
    assert((await fig.locator(".taken").textContent()).includes("2026-12-07 09:30"), "when");
    assert((await fig.locator(".place").textContent()).includes("22.54310, 114.05790"), "where");
    // a PDF from the case page
    const f = page.locator("form.attach-form");
    await f.getByLabel("文件").setInputFiles({ name: "整改通知.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") });
    await f.getByLabel("阶段").selectOption("other");
    await f.getByRole("button", { name: "上传" }).click();
    await page.waitForFunction(() => document.querySelectorAll("figure.attachment").length === 2);
    assert((await page.locator("figure.attachment").nth(1).textContent()).includes("整改通知.pdf"), "the PDF listed by name");
    await shot("case-evidence");
    // a leader: the photo, but not where it was taken
    await login("leader");
    await page.goto(`${BASE}/#/cases/${id}`);
    await fig.waitFor();
    eq(await fig.locator(".place").count(), 0, "no place for a leader");
  });

  await check("a case's warnings read as text", async () => {
    // a petition's 60-day clock runs past the last published holiday year
    const filed = await apiAs("zhzx01", "POST", "/api/v1/cases", { category: "P01", source: "petition", title: "信访：警告显示", description: "六十日时限", unit: "44030300100101" });
    assert(filed.status === 201, "petition filed: " + filed.status);
    await apiAs("zhzx01", "POST", `/api/v1/cases/${filed.json.id}/actions`, { action: "register" }); // its clocks start
    const p = await apiAs("zhzx01", "GET", `/api/v1/cases/${filed.json.id}`);
    // The calendar data ends with 2026: a 60-day clock from today runs into an
    // unpublished year.  When the next year's schedule is added, pick a longer clock.
    const warned = (p.json.warnings || []).length > 0;
    assert(warned, "the fixture must carry a warning: " + JSON.stringify(p.json.warnings));
    await login("zhzx01");
    await openCase(p.json.id);
    const text = await page.locator("main").textContent();
    assert(!text.includes("[object Object]"), "no [object Object]");
    assert(text.includes(p.json.warnings[0].message), "the warning's message is shown");
  });

  await check("a point outside every grid is refused, not guessed", async () => {
    await page.goto(BASE + "/#/report");
    await page.waitForSelector("#map[data-ready='1']"); // the grids loaded: no second locate
    await page.locator("#f-lat").fill("10");
    await page.locator("#f-lng").fill("10");
    await page.getByRole("button", { name: "定位" }).click();
    await page.waitForSelector(".where.bad");
    assert((await page.locator(".where").textContent()).includes("不在任何网格内"), "message");
  });

  await check("forbidden actions are not offered", async () => {
    await login("cg");
    await page.goto(`${BASE}/#/cases/${caseId}`);
    await page.waitForSelector("#main h1, .state.error");
    const text = await page.locator("#main").textContent();
    assert(text.includes("不存在") || !(await actions()).includes("立案"), "handler cannot register");
    await login("wgy_hb");
    await openCase(caseId);
    const a = await actions();
    assert(!a.includes("立案") && !a.includes("派遣"), "grid worker offered: " + a);
  });

  await check("the case is walked through 立案 → 派遣 → 签收 → 处置 → 核查 → 结案 by the right users", async () => {
    await login("zhzx01");
    await openCase(caseId);
    assert((await actions()).includes("立案"), "operator may register");
    await act("register");
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("已立案"));
    await act("dispatch", async (f) => {
      await f.getByLabel("派遣至").selectOption("440303-CG");
      await f.getByLabel("说明（可选）").fill("请城管局处置");
    });
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("已派遣"));
    await shot("case-detail");
    await login("cg");
    await openCase(caseId);
    eq((await actions()).filter((x) => ["签收", "退回"].includes(x)).sort(), ["签收", "退回"].sort(), "handler actions");
    await act("accept");
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("处置中"));
    // a required field left empty: the API's error is shown next to it, in Chinese
    await page.locator('.actions button[data-action="handle"]').click();
    await page.locator(".action-form").evaluate((f) => f.querySelector("textarea[name=result]").removeAttribute("required"));
    await page.locator(".action-form button.primary").click();
    await page.waitForFunction(() => document.querySelector('.action-form .field[data-field="result"] .field-error')?.textContent.length > 0);
    await page.locator(".action-form textarea[name=result]").fill("已清理摊位，恢复通行");
    await page.locator(".action-form button.primary").click();
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("待核查"));
    await login("wgy_hb");
    await openCase(caseId);
    await act("verify_pass");
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("已结案"));
    const c = await apiAs("zhzx01", "GET", `/api/v1/cases/${caseId}`);
    eq(c.json.status, "closed", "closed");
    eq(c.json.history.map((e) => e.action), ["report", "register", "dispatch", "accept", "handle", "verify_pass"], "history");
    const items = await page.locator(".timeline li strong").allTextContents();
    eq(items.length, 6, "timeline entries");
  });

  await check("a stale version is explained and resolved by reloading", async () => {
    const r = await apiAs("zhzx01", "POST", "/api/v1/cases", { category: "E0501", title: "并发测试", description: "两人同时处理", unit: "44030300100101" });
    const id = r.json.id;
    await login("zhzx01");
    await openCase(id);
    await apiAs("zhzx01", "POST", `/api/v1/cases/${id}/actions`, { action: "supervise", level: 1, note: "另一位操作员" });
    await page.locator('.actions button[data-action="register"]').click();
    await page.locator(".action-form button.primary").click();
    await page.waitForSelector(".conflict");
    assert((await page.locator(".conflict").textContent()).includes("已被他人更新"), "explained");
    await page.getByRole("button", { name: "刷新案件" }).click();
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("第 2 版"));
    await act("register");
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("已立案"));
  });

  await check("case list: filters, lights with remaining time, sorting and paging", async () => {
    await login("zhzx01");
    await page.goto(BASE + "/#/cases");
    await page.waitForSelector("table.cases tbody tr");
    await page.getByLabel("状态").selectOption("dispatched");
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(/status=dispatched/);
    await page.waitForSelector("table.cases tbody tr, .state.empty");
    const statuses = await page.locator("table.cases tbody td:nth-child(5)").allTextContents();
    assert(statuses.length > 0 && statuses.every((s) => s === "已派遣"), "filtered: " + statuses.slice(0, 3));
    const lights = await page.locator("table.cases tbody td:nth-child(6)").allTextContents();
    assert(lights.some((l) => /(剩余|超期) (\d+ (个工作日|天)|不足 1 个工作日|(\d+ 小时)?( ?\d+ 分)?)/.test(l)), "remaining shown: " + lights.slice(0, 3));
    // as people say it: never fractional hours, never hundreds of hours
    assert(!lights.some((l) => /\d+\.\d+ *(小时|工作日|天)|\d{3,} *(工作)?小时/.test(l)), "durations read as said: " + lights.slice(0, 5));
    await shot("cases");
    await page.goto(BASE + "/#/cases");
    await page.waitForSelector("table.cases tbody tr");
    const first = await page.locator("table.cases tbody tr").first().getAttribute("data-id");
    await page.getByRole("link", { name: "下一页" }).click();
    await page.waitForFunction((f) => document.querySelector("table.cases tbody tr")?.dataset.id !== f, first);
    await page.getByRole("link", { name: "上一页" }).click();
    await page.waitForFunction((f) => document.querySelector("table.cases tbody tr")?.dataset.id === f, first);
    await page.getByRole("link", { name: /上报时间/ }).click();
    await page.waitForURL(/sort=created_at/);
    await page.waitForSelector("table.cases tbody tr");
    const api = await apiAs("zhzx01", "GET", "/api/v1/cases?sort=created_at&limit=1");
    eq(await page.locator("table.cases tbody tr").first().getAttribute("data-id"), String(api.json.items[0].id), "ascending sort");
    await page.goto(BASE + "/#/cases?q=" + encodeURIComponent("井盖"));
    await page.waitForSelector("table.cases tbody tr, .state.empty");
  });

  await check("dashboard figures are the API's", async () => {
    await login("leader");
    await page.goto(BASE + "/#/dashboard?unit=440303&from=2023-01-01&to=2023-06-30");
    await page.waitForSelector("#chart-week[data-ready='1']", { timeout: 60000 });
    const api = await apiAs("leader", "GET", "/api/v1/stats/cases?unit=440303&from=2023-01-01&to=2023-06-30&group_by=unit");
    const t = api.json.total;
    const pct = (x) => (x === null ? "—" : (x * 100).toFixed(1) + "%");
    const tile = (k) => page.locator(`.tile[data-stat="${k}"] .tile-value`).textContent();
    eq(await tile("reported"), String(t.reported), "上报数");
    eq(await tile("closed"), String(t.closed), "结案数");
    eq(await tile("on_time_close_rate"), pct(t.on_time_close_rate), "按期结案率");
    eq(await tile("overdue"), String(t.overdue), "超期数");
    for (const g of api.json.groups) {
      const cells = await page.locator(`table.ranking tr[data-key="${g.key}"] > *`).allTextContents();
      eq(cells.slice(1), [g.name, String(g.reported), String(g.closed), pct(g.on_time_close_rate), String(g.overdue), pct(g.close_rate)], "row " + g.name);
    }
    const ranks = await page.locator("table.ranking tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.key));
    eq(ranks.length, api.json.groups.length, "every street ranked");
    assert((await page.locator("#chart-unit canvas").count()) > 0, "street chart drawn");
    await shot("dashboard");
  });

  await check("session expiry: back to login, the report form's input survives", async () => {
    await login("wgy_hb");
    await page.goto(BASE + "/#/report");
    await page.waitForSelector("#f-lat");
    await page.getByLabel("标题").fill("过期前填写的标题");
    await page.getByLabel("问题描述").fill("过期前填写的描述，不能丢。");
    // the session ends on the server (as when it expires)
    await page.evaluate(async () => {
      await fetch("/api/v1/session", { method: "DELETE", headers: { "X-Requested-With": "bihuan" } });
    });
    await page.getByRole("button", { name: "提交上报" }).click();
    await page.waitForSelector("form.login-card .notice");
    assert((await page.locator(".notice").textContent()).includes("登录已过期"), "told");
    await page.getByLabel("用户名").fill("wgy_hb");
    await page.getByLabel("密码").fill(PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL(/#\/report/);
    await page.waitForSelector("#f-lat");
    eq(await page.getByLabel("标题").inputValue(), "过期前填写的标题", "title restored");
    eq(await page.getByLabel("问题描述").inputValue(), "过期前填写的描述，不能丢。", "description restored");
  });

  await check("session expiry in the middle of an action: the typed result survives", async () => {
    const c = (await apiAs("zhzx01", "POST", "/api/v1/cases", { category: "E0501", title: "过期测试", description: "处置中过期", unit: "44030300100101" })).json;
    await apiAs("zhzx01", "POST", `/api/v1/cases/${c.id}/actions`, { action: "register" });
    await apiAs("zhzx01", "POST", `/api/v1/cases/${c.id}/actions`, { action: "dispatch", to_unit: "440303-CG" });
    await apiAs("cg", "POST", `/api/v1/cases/${c.id}/actions`, { action: "accept" });
    await login("cg");
    await openCase(c.id);
    await page.locator('.actions button[data-action="handle"]').click();
    await page.locator(".action-form textarea[name=result]").fill("已修复，待核查");
    await page.evaluate(async () => {
      await fetch("/api/v1/session", { method: "DELETE", headers: { "X-Requested-With": "bihuan" } });
    });
    await page.locator(".action-form button.primary").click();
    await page.waitForSelector("form.login-card .notice");
    await page.getByLabel("用户名").fill("cg");
    await page.getByLabel("密码").fill(PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL(new RegExp(`#/cases/${c.id}$`));
    await page.waitForSelector(".action-form textarea[name=result]");
    eq(await page.locator(".action-form textarea[name=result]").inputValue(), "已修复，待核查", "result restored");
    await page.locator(".action-form button.primary").click();
    await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("待核查"));
  });

  await check("keyboard only: log in and reach the case list", async () => {
    await page.goto(BASE + "/#/login");
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForSelector("form.login-card");
    await page.keyboard.type("zhzx01");
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForSelector("nav.nav");
    await page.locator("nav.nav a", { hasText: "案件" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("table.cases");
  });

  await check("tablet width: one column, no horizontal page scroll", async () => {
    const tablet = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const p = await tablet.newPage();
    await login("zhzx01", p);
    await p.goto(`${BASE}/#/cases/${caseId}`);
    await p.waitForSelector("#act-title");
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, "page scrolls sideways by " + overflow);
    await shot("tablet-case", p);
    await tablet.close();
  });

  // ---- the patrol loop ----
  let patrolHazards = [];
  await check("grid worker on a phone: 今日巡查 nearest first, then a check-in with a general and a major hazard", async () => {
    const obj = (await apiAs("wgy_hb", "GET", "/api/v1/objects/2")).json; // the grid's red enterprise
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 }, locale: "zh-CN", timezoneId: "Asia/Shanghai", hasTouch: true,
      geolocation: { latitude: obj.location.lat + 0.0003, longitude: obj.location.lng, accuracy: 12 }, permissions: ["geolocation"],
    });
    phone.setDefaultTimeout(20000);
    const p = await phone.newPage();
    p.on("pageerror", (e) => consoleErrors.push(String(e)));
    await login("wgy_hb", p);
    await p.goto(BASE + "/#/patrol");
    await p.waitForSelector(".due-item");
    await p.waitForSelector("#patrol-map[data-ready='1']");
    const due = (await apiAs("wgy_hb", "GET", "/api/v1/patrols/due?unit=440303001")).json;
    const todo = due.items.filter((r) => (r.current && r.current.done < r.current.needed) || r.status === "missed");
    eq(await p.locator(".due-item").count(), Math.min(todo.length, 200), "every object still to patrol is listed");
    const metres = (await p.locator(".due-meta").allTextContents()).slice(0, 30).map((t) => {
      const m = t.match(/距您 ([\d.]+) (米|公里)/);
      assert(m, "distance shown: " + t);
      return Number(m[1]) * (m[2] === "公里" ? 1000 : 1);
    });
    for (let i = 1; i < metres.length; i++) assert(metres[i] >= metres[i - 1] - 50, "nearest first: " + metres.join(","));
    eq(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, "no sideways scroll on 今日巡查");
    await shot("phone-patrol-today", p);

    await p.locator(`.due-item[data-object="2"] a.button`).click();
    await p.waitForSelector("form.checkin");
    await p.waitForFunction(() => /已定位/.test(document.querySelector(".where").textContent));
    // a required item left out is refused, next to the item
    await p.locator("form.checkin button.primary").click();
    await p.waitForFunction(() => (document.querySelector('.field[data-field="answers.fire_exit"] .field-error') || {}).textContent);
    for (const code of ["fire_exit", "extinguisher"]) await p.locator(`input[name="answers.${code}"]`).first().check();
    await p.locator('input[name="answers.wiring"]').nth(1).check(); // 私拉乱接
    await p.getByRole("button", { name: "＋ 登记隐患" }).click();
    await p.locator('textarea[name="findings[0].description"]').fill("配电箱旁电线私拉乱接");
    await p.locator('select[name="findings[0].type"]').selectOption("electric");
    await p.getByRole("button", { name: "＋ 登记隐患" }).click();
    await p.locator('select[name="findings[1].severity"]').selectOption("major");
    await p.locator('textarea[name="findings[1].description"]').fill("车间与宿舍未分隔，疏散通道封堵");
    await p.locator('textarea[name="findings[1].plan"]').fill("停产整改，设置防火分隔");
    eq(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, "no sideways scroll on the form");
    await shot("phone-checkin", p);
    await p.locator("form.checkin button.primary").click();
    await p.waitForSelector(".checkin-done");
    const text = await p.locator(".checkin-done").textContent();
    assert(/一般隐患：配电箱旁电线私拉乱接/.test(text) && /已立案督办/.test(text), "result: " + text);
    await shot("phone-checkin-done", p);
    const id = Number(text.match(/巡查编号 (\d+)/)[1]);
    const pv = (await apiAs("wgy_hb", "GET", `/api/v1/patrols/${id}`)).json;
    eq(pv.object, 2, "checked in on the object");
    eq(pv.flags || [], [], "near the object and inside its grid: no flags");
    patrolHazards = pv.hazards;
    eq(patrolHazards.map((z) => z.severity), ["general", "major"], "two hazards");
    assert(patrolHazards[1].case, "the major hazard is a case");
    await phone.close();
  });

  await check("grid worker's phone offline: a check-in and two reports (one with a photo) kept on the phone, each stored once when the network returns (a lost answer replayed); dispatch and overdue reach a local webhook and SMTP sink; the handler closes it with an after photo", async () => {
    // a webhook receiver and an SMTP sink on loopback
    const hooks = [], mails = [];
    const recv = createServer((req, res) => {
      let b = "";
      req.on("data", (d) => (b += d));
      req.on("end", () => { hooks.push(JSON.parse(b)); res.end("ok"); });
    });
    const smtp = createTcpServer((sock) => {
      let buf = "", data = null;
      const w = (x) => sock.write(x + "\r\n");
      sock.setEncoding("utf8");
      w("220 sink ESMTP");
      sock.on("data", (d) => {
        buf += d;
        for (let i; (i = buf.indexOf("\r\n")) >= 0;) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (data !== null) {
            if (line === ".") { mails.push(data); data = null; w("250 queued"); } else data += (line.startsWith("..") ? line.slice(1) : line) + "\n";
            continue;
          }
          const u = line.toUpperCase();
          if (u.startsWith("EHLO")) { w("250-sink"); w("250 8BITMIME"); } else if (u === "DATA") { data = ""; w("354 go ahead"); } else if (u === "QUIT") { w("221 bye"); sock.end(); } else w("250 ok");
        }
      });
    });
    await Promise.all([new Promise((r) => recv.listen(0, "127.0.0.1", r)), new Promise((r) => smtp.listen(0, "127.0.0.1", r))]);
    const mailText = (m) => Buffer.from(m.split("\n\n").slice(1).join("").replace(/\s/g, ""), "base64").toString("utf8");
    const until = async (pred, what, ms = 20000) => {
      for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 200))) if (await pred()) return;
      throw new Error("timed out waiting for " + what);
    };
    const dispute = (await apiAs("admin", "GET", "/api/v1/categories")).json.policies.find((x) => x.key === "dispute");
    const handle0 = dispute.clocks.find((c) => c.name === "handle");
    const phone = await browser.newContext({
      viewport: { width: 390, height: 780 }, locale: "zh-CN", timezoneId: "Asia/Shanghai", hasTouch: true, isMobile: true,
      geolocation: { latitude: 0, longitude: 0, accuracy: 10 }, permissions: ["geolocation"],
    });
    try {
      eq((await apiAs("admin", "PUT", "/api/v1/notifications/config", {
        base_url: BASE + "/", smtp: { url: `smtp://127.0.0.1:${smtp.address().port}`, from: "bihuan@district.example" },
        retry: { first_seconds: 1, max_seconds: 2, max_attempts: 5 },
        channels: [{ key: "hook", type: "webhook", url: `http://127.0.0.1:${recv.address().port}/hook` },
          { key: "mail", type: "email", to: ["zhiban@hb.example"], unit: "440303001" }],
        rules: [{ event: "dispatch", channels: ["hook", "mail"] }, { event: "overdue", channels: ["hook", "mail"] }],
      })).status, 204, "notifications configured");
      // 矛盾纠纷's 调解 clock in seconds, for cases reported from now on
      eq((await apiAs("admin", "PUT", "/api/v1/categories/policies/dispute", { clocks: [
        { name: "handle", basis: "natural", unit: "minutes", civil: false, limit: 0.1, yellow: 0.03, red: 0.06, max_extension: 0 }] })).status, 200, "fast clock");
      const mid = await gridMiddle("44030300100101");
      await phone.setGeolocation({ latitude: mid(1), longitude: mid(0), accuracy: 10 });
      phone.setDefaultTimeout(20000);
      const p = await phone.newPage();
      p.on("pageerror", (e) => consoleErrors.push(String(e)));
      await login("wgy_hb", p);
      // online once: the app is installed (manifest, service worker) and the pages read what they need
      await p.goto(BASE + "/#/report");
      await p.waitForSelector("#map[data-ready='1']");
      eq(await p.evaluate(async () => !!(await navigator.serviceWorker.ready).active), true, "the service worker is active");
      eq(await p.evaluate(async () => (await fetch("/manifest.webmanifest").then((r) => r.json())).short_name), "闭环", "installable: the manifest");
      const before = (await apiAs("wgy_hb", "GET", "/api/v1/patrols?object=2&limit=200")).json.items.length;
      await p.goto(BASE + "/#/patrol/checkin?object=2");
      await p.waitForFunction(() => /已定位/.test(document.querySelector(".where")?.textContent || ""));

      await phone.setOffline(true);
      // a check-in without a network
      for (const code of ["fire_exit", "extinguisher", "wiring"]) await p.locator(`input[name="answers.${code}"]`).first().check();
      await p.getByLabel("巡查情况").fill("离线巡查：消防通道畅通");
      const doneAt = Date.now();
      await p.locator("form.checkin button.primary").click();
      await p.waitForSelector(".checkin-done.offline");
      await p.waitForFunction(() => document.querySelector(".sync-badge")?.dataset.pending === "1");
      await p.waitForFunction(() => /^离线 · 待同步 1 条$/.test(document.querySelector(".sync-badge")?.textContent || ""));
      // two reports, the first with a photo from the camera and the phone's position
      const jpg = join(dir, "离线现场.jpg");
      execFileSync(MKPHOTO, [jpg, "640", "--time", "2026:12:07 10:15:00"]);
      for (const [i, desc] of [[1, "离线上报一：楼道堆物引发邻里纠纷"], [2, "离线上报二：噪音扰民引发纠纷"]]) {
        await p.evaluate(() => (location.hash = "#/report"));
        await p.waitForSelector("form.report");
        await p.getByPlaceholder("输入关键字筛选，如：井盖").fill("矛盾纠纷");
        await p.getByLabel("问题描述").fill(desc);
        await p.getByRole("button", { name: "使用当前位置" }).click();
        await p.waitForFunction(() => /离线/.test(document.querySelector(".where")?.textContent || ""));
        if (i === 1) await p.getByLabel("现场照片").setInputFiles(jpg);
        await p.getByRole("button", { name: "提交上报" }).click();
        await p.waitForFunction((n) => document.querySelector(".sync-badge")?.dataset.pending === String(n), 1 + i);
      }
      eq((await apiAs("zhzx01", "GET", "/api/v1/cases?q=" + encodeURIComponent("离线上报"))).json.items.length, 0, "nothing reached the server");
      await p.evaluate(() => (location.hash = "#/outbox"));
      await p.waitForSelector(".outbox-item");
      eq(await p.locator(".outbox-item").count(), 3, "three kept on the phone");
      await shot("phone-offline-outbox", p);
      // the app opens again without a network: its files and the reads it needs are kept
      await p.reload();
      await p.waitForSelector(".outbox-item");
      eq(await p.locator(".outbox-item").count(), 3, "still kept after a reload");
      eq(await p.evaluate(async () => [navigator.onLine, !!(await caches.match("/api/v1/categories", { cacheName: "bihuan-api" })),
        (await caches.keys()).some((k) => k.startsWith("bihuan-shell-"))]), [false, true, true], "offline, from the service worker's caches");
      // back online; the answer to the first report is lost on the way back
      let posts = 0;
      await p.route("**/api/v1/cases", async (route) => {
        if (route.request().method() === "POST" && posts++ === 0) {
          await route.fetch(); // the server stores it...
          return route.abort("connectionreset"); // ...the phone never hears
        }
        return route.continue();
      });
      await phone.setOffline(false);
      await until(() => posts >= 1, "the first send");
      await p.waitForFunction(() => !document.querySelector(".sync-status")?.textContent.includes("同步中"));
      await p.getByRole("button", { name: "立即同步" }).click();
      await p.waitForFunction(() => document.querySelectorAll(".outbox-item").length === 0 && document.querySelector(".sync-badge")?.hidden);
      const one = (await apiAs("zhzx01", "GET", "/api/v1/cases?q=" + encodeURIComponent("离线上报一"))).json.items;
      const two = (await apiAs("zhzx01", "GET", "/api/v1/cases?q=" + encodeURIComponent("离线上报二"))).json.items;
      eq([one.length, two.length, posts], [1, 1, 3], "each report stored once (the first sent twice, replayed)");
      const after = (await apiAs("wgy_hb", "GET", "/api/v1/patrols?object=2&limit=200")).json.items;
      eq(after.length, before + 1, "the check-in stored once");
      const mine = after.find((x) => x.note === "离线巡查：消防通道畅通");
      assert(mine && Math.abs(Date.parse(mine.at) - doneAt) < 5000, "the check-in keeps the time it was done: " + JSON.stringify(mine));
      let k = (await apiAs("zhzx01", "GET", `/api/v1/cases/${one[0].id}`)).json;
      eq([k.category, k.unit, k.attachments.map((a) => [a.stage, a.taken_at])], ["D01", "44030300100101", [["before", "2026-12-07T10:15:00+08:00"]]],
        "located by the phone's position, the photo bound");
      // the command centre dispatches it to the street: the duty mailbox and the webhook are told
      await apiAs("zhzx01", "POST", `/api/v1/cases/${k.id}/actions`, { action: "register" });
      await apiAs("zhzx01", "POST", `/api/v1/cases/${k.id}/actions`, { action: "dispatch", to_unit: "440303001" });
      await apiAs("hb_jd", "POST", `/api/v1/cases/${k.id}/actions`, { action: "accept" });
      const told = (ev) => hooks.some((x) => x.event === ev && x.data.case.id === k.id) &&
        mails.some((m) => mailText(m).includes(k.number) && mailText(m).includes(ev === "dispatch" ? "派遣至" : "已超期"));
      await until(() => told("dispatch"), "the dispatch notice at the webhook and in the mailbox");
      await until(() => told("overdue"), "the overdue notice at the webhook and in the mailbox", 40000);
      // the handler closes it with an after photo, on the case page
      await login("hb_jd");
      await openCase(k.id);
      const f = page.locator("form.attach-form");
      execFileSync(MKPHOTO, [join(dir, "处置后.jpg"), "640"]);
      await f.getByLabel("文件").setInputFiles(join(dir, "处置后.jpg"));
      await f.getByLabel("阶段").selectOption("after");
      await f.getByRole("button", { name: "上传" }).click();
      await page.waitForFunction(() => document.querySelectorAll("figure.attachment").length === 2);
      await act("handle", async (form) => form.locator("textarea[name=result]").fill("已调解，堆物清理完毕"));
      await page.waitForFunction(() => document.querySelector(".case-head")?.textContent.includes("待核查"));
      await apiAs("wgy_hb", "POST", `/api/v1/cases/${k.id}/actions`, { action: "verify_pass" });
      k = (await apiAs("zhzx01", "GET", `/api/v1/cases/${k.id}`)).json;
      eq([k.status, k.attachments.map((a) => a.stage)], ["closed", ["before", "after"]], "closed with its before and after photos");
      eq(hooks.filter((x) => x.data.case.id === k.id).map((x) => x.event).sort(), ["dispatch", "overdue"], "each notice once");
    } finally {
      await apiAs("admin", "PUT", "/api/v1/notifications/config", { channels: [], rules: [] });
      await apiAs("admin", "PUT", "/api/v1/categories/policies/dispute", { clocks: [
        { name: "handle", basis: handle0.basis, unit: handle0.unit, civil: !!handle0.civil, limit: handle0.limit, yellow: handle0.yellow, red: handle0.red, max_extension: handle0.max_extension }] });
      await phone.close();
      recv.close();
      smtp.close();
    }
  });

  await check("operator rectifies the general hazard; the major one's case is rectified and re-inspected", async () => {
    const [gen, maj] = patrolHazards;
    await login("zhzx01");
    await page.goto(BASE + "/#/hazards?status=open&severity=general&light=");
    await page.waitForSelector(`table.hazards tr[data-id="${gen.id}"]`);
    eq((await page.locator(`tr[data-id="${gen.id}"] .badge.light-green`).count()) +
       (await page.locator(`tr[data-id="${gen.id}"] .badge.light-yellow`).count()), 1, "a fresh hazard shows its light");
    await shot("hazards");
    await page.locator(`button[data-rectify="${gen.id}"]`).click();
    await page.locator("form.rectify button.primary").click(); // no note: refused
    await page.waitForFunction(() => (document.querySelector("form.rectify .field-error") || {}).textContent);
    await page.locator("form.rectify textarea").fill("已规范线路，现场复核合格");
    await page.locator("form.rectify button.primary").click();
    await page.waitForSelector(`tr[data-id="${gen.id}"]`, { state: "detached" }); // no longer open
    await page.goto(BASE + "/#/hazards?status=rectified&severity=general&light=");
    await page.waitForSelector(`tr[data-id="${gen.id}"] .badge.status-rectified`);
    eq((await apiAs("zhzx01", "GET", `/api/v1/hazards/${gen.id}`)).json.status, "rectified", "API agrees");

    const k = (await apiAs("zhzx01", "GET", `/api/v1/cases/${maj.case}`)).json;
    assert(k.supervised && k.history.some((e) => e.action === "supervise" && e.level === 3 && /挂牌督办/.test(e.note)), "挂牌督办 at level 3: " + JSON.stringify(k.history));
    const dept = k.handling_unit.split("-")[1].toLowerCase();
    for (const [user, body] of [[dept, { action: "accept" }], [dept, { action: "handle", result: "已完成防火分隔整改" }],
                                ["wgy_hb", { action: "verify_pass", note: "复查合格" }]]) {
      const r = await apiAs(user, "POST", `/api/v1/cases/${maj.case}/actions`, body);
      assert(r.status === 200, `${body.action}: ${r.status} ${JSON.stringify(r.json)}`);
    }
    await login("leader");
    await page.goto(BASE + "/#/supervision");
    await page.waitForSelector(`.sv-item[data-id="${maj.id}"]`);
    const sv = await page.locator(`.sv-item[data-id="${maj.id}"]`).textContent();
    assert(/已复查销号/.test(sv) && /区安全生产委员会办公室/.test(sv), "supervision view: " + sv);
    await shot("supervision");
  });

  await check("patrol figures page: tiles and table are the API's", async () => {
    await page.goto(BASE + "/#/patrol/stats?unit=440303&from=2023-01-01&to=2023-06-30");
    await page.waitForSelector("#chart-patrol-risk[data-ready='1']", { timeout: 60000 });
    const api = (await apiAs("leader", "GET", "/api/v1/stats/patrols?unit=440303&from=2023-01-01&to=2023-06-30&group_by=unit")).json;
    const t = api.total, pct = (x) => (x === null ? "—" : (x * 100).toFixed(1) + "%");
    const tile = (k) => page.locator(`.tile[data-stat="${k}"] .tile-value`).textContent();
    eq(await tile("coverage"), pct(t.coverage), "巡查覆盖率");
    eq(await tile("rectification_rate"), pct(t.rectification_rate), "隐患整改率");
    eq(await tile("visits"), String(t.visits), "家次");
    eq(await tile("section_coverage_rate"), pct(t.section_coverage_rate), "轨迹覆盖率");
    eq(await tile("cases"), String(t.cases), "立案");
    assert(t.visits > 1000 && t.hazards > 100 && t.cases > 0 && t.section_patrols > 0 && t.section_coverage_rate < 1,
      "the demo half-year has patrols, some of them too short for their section: " + JSON.stringify(t));
    for (const g of api.groups) {
      const cells = await page.locator(`table.patrol-stats tr[data-key="${g.key}"] > td`).allTextContents();
      eq([cells[2], cells[3], cells[6], cells[11]], [String(g.due), String(g.done), pct(g.coverage), pct(g.rectification_rate)], "row " + g.name);
    }
    assert((await page.locator("#chart-patrol-unit canvas").count()) > 0, "unit chart drawn");
    await shot("patrol-stats");
  });

  const pctText = (x) => (x === null ? "—" : (x * 100).toFixed(1) + "%");
  await check("target board: every street's indicators with 完成率 against the 序时进度 line, 同比, rank and card", async () => {
    await login("leader");
    await page.goto(BASE + "/#/targets?unit=440303&from=2023-01-01&to=2023-06-30");
    await page.waitForSelector("section.board-ind");
    const api = (await apiAs("leader", "GET", "/api/v1/targets/board?unit=440303&period=2023H1")).json;
    eq(await page.locator("section.board-ind").count(), new Set(api.rows.map((x) => x.indicator)).size, "one section per indicator");
    for (const ind of ["fixed_investment", "case_close_rate", "waste_sorting"]) {
      const rows = api.rows.filter((x) => x.indicator === ind);
      const sec = page.locator(`section.board-ind[data-indicator="${ind}"]`);
      eq(await sec.locator("tbody tr").count(), rows.length, ind + " rows");
      for (const x of rows) {
        const tr = sec.locator(`tr[data-unit="${x.unit}"]`);
        const cells = await tr.locator("> td").allTextContents();
        eq(cells[0], String(x.rank || "—"), `${ind} ${x.unit} rank`);
        assert(cells[4].includes(pctText(x.completion)), `${ind} ${x.unit} 完成率 ${cells[4]}`);
        eq(cells[5], x.gap_text || "—", `${ind} ${x.unit} 进度差`);
        assert(cells[6].includes(x.yoy_text), `${ind} ${x.unit} 同比 ${cells[6]}`);
        eq(cells[7], { red: "红牌", yellow: "黄牌", blue: "蓝牌" }[x.card] || "正常", `${ind} ${x.unit} card`);
        const left = await tr.locator(".progress-tick").getAttribute("style");
        eq(left, `left:${(Math.min(x.time_progress, 1) * 100).toFixed(1)}%`, `${ind} ${x.unit} 序时进度 line`);
        if (x.yoy !== null) assert((await tr.locator(".yoy").textContent()).startsWith(x.yoy > 0 ? "▲" : x.yoy < 0 ? "▼" : "＝"), "arrow");
      }
    }
    // the demo has streets behind on investment: their cards show
    assert((await page.locator('section[data-indicator="fixed_investment"] tr[data-card="red"], section[data-indicator="fixed_investment"] tr[data-card="yellow"]').count()) > 0, "red or yellow cards");
    await shot("targets-board", page, false); // the first screen: the page is long
  });

  await check("monthly ranking: June's flags (awarded by the demo) shown; the operator awards July's from the page", async () => {
    await login("zhzx01");
    await page.goto(BASE + "/#/targets/ranking?unit=440303&month=2023-06");
    await page.waitForSelector('section[data-type="street"] .flag-red');
    eq(await page.locator("#award").count(), 0, "June is awarded already: no button");
    const june = (await apiAs("zhzx01", "GET", "/api/v1/targets/ranking?unit=440303&period=2023-06")).json.units;
    for (const u of june.filter((x) => x.type === "street")) {
      const tr = page.locator(`section[data-type="street"] tr[data-unit="${u.unit}"]`);
      const cells = await tr.locator("> td").allTextContents();
      eq([cells[0], cells[2], await tr.getAttribute("data-flag")], [String(u.rank), u.score.toFixed(1), u.flag || ""], "June " + u.name);
    }
    await shot("targets-ranking");
    await page.goto(BASE + "/#/targets/ranking?unit=440303&month=2023-07");
    await page.waitForSelector("#award");
    eq(await page.locator('section[data-type="street"] .flag-red').count(), 0, "July not yet awarded");
    await page.locator("#award").click();
    await page.waitForSelector('section[data-type="street"] .flag-red');
    const year = (await apiAs("zhzx01", "GET", "/api/v1/targets/flags?unit=440303&year=2023")).json.items;
    const july = year.filter((x) => x.month === "2023-07");
    eq(july.map((x) => x.flag).sort(), ["red", "red", "red", "yellow", "yellow", "yellow"], "three red, three yellow");
    for (const f of july)
      eq(await page.locator(`section[data-type="street"] tr[data-unit="${f.unit}"]`).getAttribute("data-flag"), f.flag, "July flag of " + f.unit);
    eq(await page.locator("#award").count(), 0, "no second award");
    eq(await page.locator("table.flags tbody tr").count(), year.length, "the year's flags, June's kept");
  });

  await check("indicator trend: a street's investment month by month against last year", async () => {
    await page.goto(BASE + "/#/targets/trend?unit=440303003&indicator=fixed_investment&year=2023");
    await page.waitForSelector("#chart-trend[data-ready='1'] canvas");
    const t = (await apiAs("zhzx01", "GET", "/api/v1/targets/trend?unit=440303003&indicator=fixed_investment&year=2023")).json;
    eq(await page.locator("table.trend tbody tr").count(), t.months.length, "a row per month");
    // a month with no figure has no card either
    eq((await page.locator('table.trend tr[data-month="2023-07"] > td').allTextContents())[8], "—", "July's card");
    for (const m of t.months.slice(0, 6)) {
      const cells = await page.locator(`table.trend tr[data-month="${m.month}"] > td`).allTextContents();
      eq([cells[2], cells[5], cells[6], cells[7]], [m.mom_text, m.yoy_text, pctText(m.completion), pctText(m.time_progress)], m.month);
    }
    await shot("targets-trend");
  });

  await check("a street enters its monthly actual: a bad number is named at its field, a correction keeps history", async () => {
    await login("hb_jd");
    await page.goto(BASE + "/#/targets/entry");
    await page.waitForSelector("form.entry");
    await page.getByLabel("指标", { exact: true }).selectOption("fixed_investment");
    await page.getByLabel("月份", { exact: true }).fill("2023-06");
    await page.waitForSelector("table.actuals");
    const before = await page.locator("table.actuals tbody tr").count();
    await page.getByLabel("完成值", { exact: true }).fill("-5");
    await page.getByRole("button", { name: "提交" }).click();
    await page.waitForFunction(() => document.querySelector('.field[data-field="value"] .field-error')?.textContent.length > 0);
    await page.getByLabel("完成值", { exact: true }).fill("4321.5");
    await page.getByLabel("说明", { exact: true }).fill("更正：补录一个项目");
    await page.getByRole("button", { name: "提交" }).click();
    await page.waitForFunction((n) => document.querySelectorAll("table.actuals tbody tr").length === n + 1, before);
    const items = (await apiAs("admin", "GET", "/api/v1/targets/actuals?unit=440303001&year=2023&indicator=fixed_investment&history=true")).json.items;
    const last = items[items.length - 1];
    eq([last.period, last.value, last.entered_by, last.note], ["2023-06", 4321.5, "hb_jd", "更正：补录一个项目"], "stored");
    eq(await page.locator("table.actuals tbody tr").first().locator("td").nth(4).textContent(), "hb_jd", "newest first");
    await shot("targets-entry");
  });

  await check("key projects: plan completion, lights, milestones and the latest progress as the API's", async () => {
    await login("leader");
    await page.goto(BASE + "/#/projects?unit=440303&period=2023H1");
    await page.waitForSelector("table.projects");
    const api = (await apiAs("leader", "GET", "/api/v1/projects?unit=440303&period=2023H1")).json;
    eq(await page.locator("table.projects tbody tr").count(), api.items.length, "a row per project");
    eq(await page.locator('.tile[data-stat="plan_completion"] .tile-value').textContent(), pctText(api.summary.plan_completion), "占年度计划");
    eq(await page.locator('.tile[data-stat="milestones_overdue"] .tile-value').textContent(), String(api.summary.milestones_overdue), "逾期节点");
    for (const p of api.items) {
      const tr = page.locator(`table.projects tr[data-id="${p.id}"]`);
      eq(await tr.getAttribute("data-light"), p.light, p.code + " light");
      assert((await tr.locator("td").nth(5).textContent()).includes(pctText(p.plan_completion)), p.code + " plan completion");
      if (p.latest_log) assert((await tr.locator("td").nth(8).textContent()).includes(p.latest_log.text), p.code + " latest log");
      eq(await tr.locator("ul.milestones li.ms-overdue").count(), p.milestones_overdue, p.code + " overdue milestones");
    }
    await shot("projects");
  });

  await check("the owner department writes a progress entry and finishes an overdue milestone on the project page", async () => {
    const list = (await apiAs("sw", "GET", "/api/v1/projects?unit=440303-SW&period=2023H1")).json.items;
    const p = list.find((x) => x.code === "ZD2023-05");
    const ms = p.milestones.find((m) => m.status === "overdue");
    assert(ms, "ZD2023-05 has an overdue milestone");
    await login("sw");
    await page.goto(`${BASE}/#/projects/${p.id}?period=2023H1`);
    await page.waitForSelector("#log-form");
    const logs = await page.locator("ol.logs li").count();
    await page.getByLabel("日期", { exact: true }).fill("2023-06-30"); // within the half-year shown
    await page.getByLabel("进展情况").fill("截污箱涵剩余80米，本周完成顶管作业。");
    await page.getByLabel("形象进度（%）").fill("150");
    await page.getByRole("button", { name: "提交进展" }).click();
    await page.waitForFunction(() => document.querySelector('#log-form .field[data-field="percent"] .field-error')?.textContent.includes("0 到 100"));
    await page.getByLabel("形象进度（%）").fill("85");
    await page.getByRole("button", { name: "提交进展" }).click();
    await page.waitForFunction((n) => document.querySelectorAll("ol.logs li").length === n + 1, logs);
    assert((await page.locator("ol.logs li").first().textContent()).includes("截污箱涵剩余80米"), "the new entry on top");
    eq(await page.getByLabel(`“${ms.name}”完成日期`).inputValue(), new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10), "done today by default");
    await page.getByLabel(`“${ms.name}”完成日期`).fill("2023-06-29");
    await page.locator(`button[data-milestone="${ms.id}"]`).click();
    await page.waitForSelector(`table.milestones-table tr[data-id="${ms.id}"][data-status="late"]`);
    const after = (await apiAs("sw", "GET", `/api/v1/projects/${p.id}?period=2023H1`)).json;
    eq([after.milestones.find((m) => m.id === ms.id).status, after.milestones.find((m) => m.id === ms.id).actual], ["late", "2023-06-29"], "逾期完成 on the day given");
    eq([after.logs[0].text, after.logs[0].percent, after.logs[0].entered_by], ["截污箱涵剩余80米，本周完成顶管作业。", 0.85, "sw"], "log stored");
    // a month's investment corrected from the page: the latest entry of the month is in force
    await page.getByLabel("月份", { exact: true }).fill("2023-06");
    await page.getByLabel("完成投资（万元）").fill("1020");
    await page.locator("#invest-form button.primary").click();
    await page.waitForFunction(() => document.querySelectorAll("table.months td")[5]?.textContent === "1,020");
    const inv = (await apiAs("sw", "GET", `/api/v1/projects/${p.id}?period=2023H1`)).json;
    eq(inv.months[5], 1020, "June's investment in force");
    await shot("project-detail");
  });

  await check("reports: a leader builds the half-year summary, previews its text and tables, downloads the .docx; a weekly bulletin is scheduled", async () => {
    await login("leader");
    await page.goto(BASE + "/#/reports");
    await page.waitForSelector("#report-form");
    await page.getByLabel("类型").first().selectOption("summary");
    await page.locator('#report-form [name="unit"], #report-form .field[data-field="unit"] select').first().selectOption("440303");
    await page.getByLabel("期间", { exact: true }).fill("2023H3");
    await page.getByRole("button", { name: "生成", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#report-form .field[data-field="period"] .field-error')?.textContent.includes("period"));
    await page.getByLabel("期间", { exact: true }).fill("2023H1");
    await page.getByRole("button", { name: "生成", exact: true }).click();
    await page.waitForSelector("article.report-doc .report-title");
    const id = Number(page.url().split("/").pop());
    const api = (await apiAs("leader", "GET", `/api/v1/reports/${id}`)).json;
    eq(await page.locator(".report-title").textContent(), "示范区2023年上半年工作总结", "title");
    const para = api.content.blocks.find((b) => b.kind === "paragraph" && b.text.includes("共上报案件")).text;
    assert((await page.locator("article.report-doc").textContent()).includes(para), "the API's sentence on the page");
    assert(/共上报案件\d+件/.test(para), "the sentence has the count: " + para);
    eq(await page.locator('figure.report-table[data-table="cases_by_unit"] tbody tr').count(), 11, "ten streets and the total");
    eq(await page.locator('figure.report-table[data-table="target_detail"]').count(), 0, "the annex table is not printed");
    assert(await page.locator("figure.report-chart canvas").count() >= 1, "charts drawn");
    const href = await page.locator('.report-meta a[data-format="docx"]').getAttribute("href");
    const res = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, r.headers.get("content-type"), r.headers.get("content-disposition"), (await r.arrayBuffer()).byteLength]; }, href);
    eq(res.slice(0, 2), [200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"], "docx download with the cookie");
    assert(decodeURIComponent(res[2].split("UTF-8''")[1]) === "示范区2023年上半年工作总结.docx", "Chinese file name: " + res[2]);
    assert(res[3] > 10000, "a real document");
    await shot("report-preview");
    await page.goto(BASE + "/#/reports");
    await page.waitForSelector("#schedule-form");
    eq(await page.locator(`table.reports tr[data-id="${id}"]`).count(), 1, "listed");
    await page.locator("#schedule-form button.primary").click();
    await page.waitForSelector("table.schedules tbody tr");
    const s = (await apiAs("leader", "GET", "/api/v1/reports/schedules")).json.items;
    eq([s.length, s[0].label], [1, "每周一 09:00，通报上周"], "schedule stored");
    // the template: shown as the shipped one; a broken edit refused with the place named
    await page.waitForFunction(() => document.querySelector("#tf-text")?.value.includes("工作总结（默认模板）"));
    eq(await page.locator("#tf-source").textContent(), "来源：内置模板", "template source");
    await page.locator("#tf-text").fill('{"kind":"summary","name":"x","title":"{unit","body":[]}');
    await page.getByRole("button", { name: "保存模板" }).click();
    await page.waitForFunction(() => document.querySelector('#template-form .field[data-field="template"] .field-error')?.textContent.includes("title"));
    eq((await apiAs("leader", "GET", "/api/v1/reports/templates/summary?unit=440303")).json.name, "工作总结（默认模板）", "nothing stored");
    await shot("reports");
  });

  await check("an Open311 report's attributes, the unregistered ones too, show on the case", async () => {
    const key = (await apiAs("admin", "POST", "/api/v1/apikeys", { name: "fms-console", role: "public", unit: "440303" })).json.key;
    const body = new URLSearchParams({ api_key: key, service_code: "C0101", lat: "22.5325", long: "114.0804",
      description: "井盖破损（FixMyStreet）", "attribute[damage]": "broken", "attribute[fms_extra_title]": "先生" });
    const r = await fetch(BASE + "/open311/v2/requests.json", { method: "POST", body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" } }).then((x) => x.json());
    const id = r[0].service_request_id;
    await login("zhzx01");
    await openCase(id);
    const text = await page.locator("dd.attributes").textContent();
    assert(text.includes("damage：broken") && text.includes("fms_extra_title：先生") && text.includes("未登记的属性"), text);
    // the citizen comments from FixMyStreet: the operator sees the words and who wrote them
    const up = new URLSearchParams({ api_key: key, service_request_id: id, update_id: "c-1", status: "OPEN",
      description: "井盖边上已经有人绊倒", email: "wang@example.org", first_name: "芳", last_name: "王" });
    const u = await fetch(BASE + "/open311/v2/servicerequestupdates.json", { method: "POST", body: up,
      headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    eq(u.status, 200, "update posted");
    await page.reload();
    await page.waitForSelector("#act-title");
    const last = page.locator("ol.timeline li").last();
    const said = await last.textContent();
    assert(said.includes("留言") && said.includes("井盖边上已经有人绊倒") && said.includes("留言人：王芳 wang@example.org"), said);
    eq(await page.locator(".badge.reopen").count(), 0, "an open case has no reopen request");
    eq(await page.locator(".badge.published").textContent(), "已公开", "an Open311 report is public");
    // the operator withdraws it from the public pages, with a reason
    await act("unpublish", async (f) => f.locator("textarea").first().fill("含个人信息"));
    await page.waitForFunction(() => !document.querySelector(".badge.published"));
    eq((await fetch(`${BASE}/open311/v2/requests/${id}.json`)).status, 404, "withdrawn from anonymous reads");
  });

  await check("an enterprise account lands on its own self-check form", async () => {
    await login("qy_hb");
    eq(await navItems(), ["企业自查", "隐患"], "enterprise navigation");
    await page.waitForSelector("form.checkin");
    eq(await page.locator("#checkin-title").textContent(), "企业自查", "title");
  });

  await check("wall screen at 1920×1080: the API's figures, a case reported elsewhere shows without a reload, it rides out a server restart", async () => {
    const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    wall.setDefaultTimeout(20000);
    const p = await wall.newPage();
    p.on("pageerror", (e) => consoleErrors.push(String(e)));
    try {
      await login("leader", p);
      await p.goto(BASE + "/#/screen?interval=1");
      const updated = async () => Number(await p.locator("main.screen").getAttribute("data-updated"));
      await p.waitForFunction(() => document.querySelector("main.screen")?.dataset.updated);
      eq(await p.locator("header.top").count(), 0, "no navigation bar on the wall");
      const val = async (k) => (await p.locator(`[data-stat="${k}"] .s-value`).textContent()).trim();
      const day = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
      const month = await apiAs("leader", "GET", `/api/v1/stats/cases?from=${day.slice(0, 8)}01&to=${day}&group_by=unit`);
      eq(await val("month_reported"), String(month.json.total.reported), "this month's reports");
      eq(await p.locator(".s-rank tbody tr").count(), month.json.groups.length, "a ranking row per street");
      const open = await apiAs("leader", "GET", "/api/v1/cases?open=true&limit=200");
      eq(await val("open"), open.json.items.length + (open.json.next_cursor ? "+" : ""), "open cases on the map");
      const before = Number(await val("today_reported"));
      const todays = await apiAs("leader", "GET", `/api/v1/stats/cases?from=${day}&to=${day}`);
      eq(before, todays.json.total.reported, "today's reports");
      // reported elsewhere (the hotline desk): the wall shows it within an interval
      const title = "大屏测试：深南东路井盖缺失";
      const r = await apiAs("zhzx01", "POST", "/api/v1/cases", { category: "E0501", title, description: "井盖缺失，车辆绕行。",
        source: "hotline", unit: "44030300100101", location: { lat: 22.548, lng: 114.137, address: "深南东路1号" } });
      eq(r.status, 201, "case reported");
      await p.waitForFunction(([n, t]) => document.querySelector('[data-stat="today_reported"] .s-value').textContent.trim() === String(n) &&
        [...document.querySelectorAll(".s-newest .s-title")].some((e) => e.textContent === t), [before + 1, title]);
      assert(Number(await p.locator("#screen-map").getAttribute("data-points")) > 0, "open cases drawn on the map");
      await shot("screen", p, false);
      // the server restarts: the wall says so, keeps its figures, and comes back by itself
      const port = new URL(BASE).port;
      server.kill("SIGTERM");
      await new Promise((res) => server.once("exit", res));
      await p.waitForSelector(".s-status.s-down");
      eq(await val("today_reported"), String(before + 1), "the last figures stay");
      ({ proc: server } = await serve("127.0.0.1:" + port));
      const t0 = await updated();
      await p.waitForFunction((t) => Number(document.querySelector("main.screen").dataset.updated) > t &&
        !document.querySelector(".s-status.s-down"), t0);
      eq(await val("today_reported"), String(before + 1), "the same figures after the restart");
      // leaving the wall stops it: no more requests for its figures
      await p.goto(BASE + "/#/");
      await p.waitForSelector("header.top");
      let asked = 0;
      p.on("request", (q) => { if (q.url().includes("/api/v1/stats/cases")) asked++; });
      await p.waitForTimeout(2500);
      eq(asked, 0, "requests after leaving the screen");
      assert(!(await p.evaluate(() => document.body.classList.contains("screen-mode"))), "the dark mode goes with it");
    } finally {
      await wall.close();
    }
  });

  await check("admin, users: one added (a short password refused at its field), its role changed and the account deactivated from the page", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/users");
    const add = page.locator("form.admin-add");
    await add.getByLabel("用户名").fill("wgy_admin_test");
    await add.getByLabel("姓名").fill("新网格员");
    await add.getByLabel("角色").selectOption("reporter");
    await add.getByLabel("所属单位编码").fill("440303001");
    await add.getByLabel("初始密码").fill("short");
    await add.getByRole("button", { name: "添加用户" }).click();
    await page.waitForFunction(() => document.querySelector('form.admin-add .field[data-field="password"] .field-error')?.textContent.includes("8"));
    await add.getByLabel("初始密码").fill("admin-test-pass-1");
    await add.getByRole("button", { name: "添加用户" }).click();
    await page.waitForSelector('tr[data-user="wgy_admin_test"]');
    const logIn = () => fetch(BASE + "/api/v1/session", { method: "POST", body: JSON.stringify({ username: "wgy_admin_test", password: "admin-test-pass-1" }) });
    assert((await logIn()).ok, "the new user logs in");
    await page.locator('tr[data-user="wgy_admin_test"] button').click();
    const ed = page.locator("form.admin-edit");
    await ed.getByLabel("角色").selectOption("handler");
    await ed.getByLabel("状态").selectOption("false");
    await ed.getByRole("button", { name: "保存" }).click();
    await page.waitForFunction(() => document.querySelector('tr[data-user="wgy_admin_test"]')?.textContent.includes("停用"));
    const u = (await apiAs("admin", "GET", "/api/v1/users")).json.items.find((x) => x.username === "wgy_admin_test");
    eq([u.role, u.active], ["handler", false], "stored");
    assert(!(await logIn()).ok, "a deactivated account cannot log in");
    await shot("admin-users");
  });

  await check("admin, units: a grid added under a community, renamed, a self-intersecting polygon refused with GEOS's reason, a square accepted and drawn", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/units?unit=440303001001");
    const add = page.locator("form.admin-add-unit");
    await add.getByLabel("编码").fill("44030300100199");
    await add.getByLabel("名称").fill("测试网格");
    await add.getByRole("button", { name: "添加" }).click();
    await page.waitForSelector('tr[data-code="44030300100199"]');
    await page.locator('tr[data-code="44030300100199"] a').click();
    await page.waitForFunction(() => document.querySelector("#unit-self")?.textContent.includes("44030300100199"));
    const rename = page.locator("form.admin-rename");
    await rename.getByLabel("名称").fill("测试网格（改）");
    await rename.getByRole("button", { name: "改名" }).click();
    await page.waitForFunction(() => document.querySelector("#unit-self")?.textContent.startsWith("测试网格（改）"));
    const upload = async (g) => {
      await page.locator("form.admin-geometry input[type=file]").setInputFiles({ name: "grid.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(g)) });
      await page.locator("form.admin-geometry").getByRole("button", { name: "上传边界" }).click();
    };
    await upload({ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[114.10, 22.50], [114.11, 22.51], [114.11, 22.50], [114.10, 22.51], [114.10, 22.50]]] } });
    await page.waitForFunction(() => /Self-intersection/.test(document.querySelector('form.admin-geometry .field-error')?.textContent || ""));
    eq((await apiAs("admin", "GET", "/api/v1/units/44030300100199")).json.has_geometry, false, "nothing stored");
    await upload({ type: "Polygon", coordinates: [[[114.10, 22.50], [114.11, 22.50], [114.11, 22.51], [114.10, 22.51], [114.10, 22.50]]] });
    await page.waitForSelector("#admin-map[data-ready='1']");
    eq((await apiAs("admin", "GET", "/api/v1/units/44030300100199")).json.name, "测试网格（改）", "renamed");
    await shot("admin-units");
  });

  await check("admin, API keys: a key is shown once, listed, and revoked", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/keys");
    const f = page.locator("form.admin-key");
    await f.getByLabel("名称").fill("热线对接测试");
    await f.getByRole("button", { name: "创建" }).click();
    const key = (await page.locator(".key-once code.key-value").textContent()).trim();
    assert(key.length > 20, "the key is shown: " + key);
    await page.waitForSelector('tr[data-key="热线对接测试"]');
    await page.reload();
    await page.waitForSelector('tr[data-key="热线对接测试"]');
    assert(!(await page.content()).includes(key), "shown once only: not in the page after a reload");
    assert(!JSON.stringify((await apiAs("admin", "GET", "/api/v1/apikeys")).json).includes(key), "nor in the list");
    page.once("dialog", (d) => d.accept());
    await page.locator('tr[data-key="热线对接测试"] button').click();
    await page.waitForFunction(() => document.querySelector('tr[data-key="热线对接测试"]')?.textContent.includes("已吊销"));
    const k = (await apiAs("admin", "GET", "/api/v1/apikeys")).json.items.find((x) => x.name === "热线对接测试");
    assert(k.revoked_at, "revoked in the store");
  });

  await check("admin, ledgers: a bad row is listed with row, column and reason, nothing written; exports are links", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/ledgers");
    const csv = "种类,名称,所属网格,风险等级\n重点户,页面导入一,44030300100101,低风险\n重点户,页面导入二,44030300100101,紫色\n";
    const f = page.locator("form.admin-import");
    await f.getByLabel("台账").selectOption("objects");
    await f.locator("input[type=file]").setInputFiles({ name: "objects.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await f.getByRole("button", { name: "导入" }).click();
    await page.waitForSelector("table.ledger-errors tbody tr");
    eq(await page.locator("table.ledger-errors tbody tr td").allTextContents().then((t) => t.slice(1, 4)), ["3", "D", "风险等级"], "row, column, header");
    assert((await page.locator(".ledger-result .notice").textContent()).includes("没有导入任何数据"), "nothing written");
    const o = await apiAs("admin", "GET", "/api/v1/objects?kind=household&limit=200");
    eq(o.json.items.filter((x) => x.name.startsWith("页面导入")).length, 0, "no object stored");
    eq(await page.locator('a[href="/api/v1/ledgers/units.xlsx"]').count(), 1, "export link");
    await shot("admin-ledgers");
  });

  await check("admin, categories: a bad threshold is refused at its field; a limit changed on the page applies to the next case only", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/categories");
    await page.waitForSelector('details[data-policy="city_event"] summary');
    await page.locator('details[data-policy="city_event"] summary').click();
    const v0 = (await apiAs("admin", "GET", "/api/v1/categories")).json.version;
    eq(await page.locator(".categories-version").getAttribute("data-version"), String(v0), "the version in force shown");
    const report = async (desc) => (await apiAs("zhzx01", "POST", "/api/v1/cases", { category: "E0101", title: desc, description: desc, unit: "44030300100101" })).json;
    const close = (c) => c.clocks.find((x) => x.name === "close");
    const before = await report("改时限之前上报");
    const sec = page.locator('details[data-policy="city_event"]');
    const fs = sec.locator('fieldset[data-clock="close"]');
    await fs.getByLabel("红灯", { exact: true }).fill("99");
    await sec.getByRole("button", { name: /保存/ }).click();
    await page.waitForFunction(() => /红灯/.test(document.querySelector('details[data-policy="city_event"] .field[data-field="clocks[2].red"] .field-error')?.textContent || ""));
    eq((await apiAs("admin", "GET", "/api/v1/categories")).json.version, v0, "nothing stored");
    await fs.getByLabel("时限", { exact: true }).fill("8");
    await fs.getByLabel("黄灯", { exact: true }).fill("5");
    await fs.getByLabel("红灯", { exact: true }).fill("7");
    await sec.getByRole("button", { name: /保存/ }).click();
    await page.waitForSelector(`.categories-version[data-version="${v0 + 1}"]`);
    await page.waitForSelector('details[data-policy="city_event"][open]'); // the policy saved stays open
    assert((await page.locator('details[data-policy="city_event"] summary').textContent()).includes("结案 8 个工作日"), "the summary reads the new limit");
    const cur = (await apiAs("admin", "GET", "/api/v1/categories")).json;
    eq([cur.version, cur.source], [v0 + 1, "admin"], "a new version by the administrator");
    const cl = close(cur.policies.find((p) => p.key === "city_event"));
    eq([cl.limit, cl.yellow, cl.red], [8, 5, 7], "stored as typed");
    const after = await report("改时限之后上报");
    eq([before.policy_version, after.policy_version], [v0, v0 + 1], "each case under the version it was reported in");
    const due = async (c, days) => (await apiAs("zhzx01", "GET", `/api/v1/calendar/deadline?start=${close(c).started_at.slice(0, 10)}&amount=${days}&basis=working_days`)).json.deadline;
    eq(close(after).deadline, await due(after, 8), "the next case: 8 working days");
    const again = (await apiAs("zhzx01", "GET", `/api/v1/cases/${before.id}`)).json;
    eq(close(again).deadline, await due(before, 5), "the earlier case keeps 5 working days");
    await page.waitForSelector("table.category-versions tbody tr");
    eq(await page.locator("table.category-versions tbody tr").count(), cur.version, "every version listed");
    await shot("admin-categories");
  });

  await check("admin, notifications: a rule naming no channel is refused whole; a dispatch reaches a local receiver; a dead letter is sent again from the page", async () => {
    // a receiver on loopback: /ok takes everything, /down answers 503 until it is back
    const got = [];
    let down = true;
    const recv = createServer((req, res) => {
      let b = "";
      req.on("data", (d) => (b += d));
      req.on("end", () => {
        got.push({ path: req.url, body: JSON.parse(b) });
        res.statusCode = req.url === "/down" && down ? 503 : 200;
        res.end("ok");
      });
    });
    await new Promise((r) => recv.listen(0, "127.0.0.1", r));
    const hook = (p) => `http://127.0.0.1:${recv.address().port}${p}`;
    try {
      await login("admin");
      await page.goto(BASE + "/#/admin/notifications");
      await page.waitForSelector("textarea[name=document]");
      assert(/还没有通道/.test(await page.locator("#nt-channels").locator("..").textContent()), "no channels yet");
      const doc = {
        base_url: BASE + "/",
        retry: { first_seconds: 1, max_seconds: 1, max_attempts: 2 },
        channels: [{ key: "ok", name: "指挥中心系统", type: "webhook", url: hook("/ok") },
          { key: "down", name: "城管局系统", type: "webhook", url: hook("/down") }],
        rules: [{ event: "dispatch", channels: ["ok", "nobody"] }],
      };
      await page.locator("textarea[name=document]").fill(JSON.stringify(doc, null, 2));
      await page.getByRole("button", { name: "保存并生效" }).click();
      await page.waitForFunction(() => /rules\[0\]\.channels\[1\]/.test(document.querySelector("form.notify-config .form-error")?.textContent || ""));
      eq((await apiAs("admin", "GET", "/api/v1/notifications/config")).json.channels.length, 0, "nothing stored");
      doc.rules[0].channels = ["ok", "down"];
      await page.locator("textarea[name=document]").fill(JSON.stringify(doc, null, 2));
      await page.getByRole("button", { name: "保存并生效" }).click();
      await page.waitForSelector('table.notify-channels tr[data-channel="down"]');
      const k = (await apiAs("wgy_hb", "POST", "/api/v1/cases", { category: "E0101", description: "通知测试：井盖缺失", unit: "44030300100101" })).json;
      await apiAs("zhzx01", "POST", `/api/v1/cases/${k.id}/actions`, { action: "register" });
      await apiAs("zhzx01", "POST", `/api/v1/cases/${k.id}/actions`, { action: "dispatch", to_unit: "440303-CG" });
      const until = async (pred, what, ms = 15000) => {
        for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 200))) if (await pred()) return;
        throw new Error("timed out waiting for " + what);
      };
      await until(() => got.some((g) => g.path === "/ok" && g.body.data.case.id === k.id), "the dispatch notice at /ok");
      const okNote = got.find((g) => g.path === "/ok");
      assert(okNote.body.subject.startsWith("【派遣】") && okNote.body.text.includes(`/#/cases/${k.id}`), "the notice links the case");
      await until(async () => (await apiAs("admin", "GET", "/api/v1/notifications?status=dead")).json.items.length === 1, "the dead letter");
      await page.goto(BASE + "/#/admin/notifications?status=dead");
      const row = page.locator('table.notify-outbox tr[data-status="dead"]');
      await row.waitFor();
      assert(/HTTP 503/.test(await row.locator(".notice-error").textContent()), "the receiver's answer shown");
      assert(/已放弃 1 条/.test(await page.locator(".notice-counts").textContent()), "counted");
      eq(await page.locator("table.notify-outbox tbody tr").count(), 1, "only the dead one under 已放弃");
      await shot("admin-notifications");
      down = false;
      await row.getByRole("button", { name: "重发" }).click();
      await until(() => got.filter((g) => g.path === "/down").length === 3, "the third try at /down");
      await until(async () => (await apiAs("admin", "GET", "/api/v1/notifications?status=sent")).json.items.filter((n) => n.ref === `case:${k.id}`).length === 2, "both sent");
      await page.goto(BASE + "/#/admin/notifications?status=sent");
      await page.waitForSelector('table.notify-outbox tr[data-status="sent"]');
      eq(await page.locator('table.notify-outbox tr[data-status="sent"]', { hasText: k.number }).count(), 2, "both listed as sent");
      // nobody else is told of later dispatches
      await apiAs("admin", "PUT", "/api/v1/notifications/config", { channels: [], rules: [] });
    } finally {
      recv.close();
    }
  });

  await check("a fresh live demo (no --period): green and overdue clocks (yellow and red when there are) on the case list and workbench, durations as people say them", async () => {
    const live = join(dir, "live.db");
    execFileSync(BIHUAN, ["demo", "--db", live, "--cases", "300", "--no-patrols", "--password", PASSWORD], { stdio: "ignore" });
    const { proc, line } = await serve("127.0.0.1:0", live);
    const base = line.match(/http:\/\/[^\s]+/)[0].replace(/\/$/, "");
    const p = await context.newPage();
    try {
      await p.goto(base + "/#/login");
      await p.getByLabel("用户名").fill("zhzx01");
      await p.getByLabel("密码").fill(PASSWORD);
      await p.getByRole("button", { name: "登录" }).click();
      await p.waitForSelector("header.top");
      await p.waitForFunction(() => document.querySelector(".queue") && !document.querySelector(".queue .loading"));
      const texts = [];
      // green and overdue always; yellow and red when the hour of the day
      // leaves a recent case between its thresholds (the API says)
      const token = (await fetch(base + "/api/v1/session", { method: "POST", body: JSON.stringify({ username: "zhzx01", password: PASSWORD }) }).then((r) => r.json())).token;
      for (const light of ["green", "yellow", "red", "overdue"]) {
        const n = (await fetch(`${base}/api/v1/cases?open=true&light=${light}&limit=1`, { headers: { Authorization: "Bearer " + token } }).then((r) => r.json())).items.length;
        if (light === "green" || light === "overdue") assert(n > 0, `the live demo has ${light} cases`);
        if (!n) continue;
        await p.goto(`${base}/#/cases?open=true&light=${light}`);
        await p.waitForSelector(`main table .badge.light-${light}`);
        texts.push(...await p.locator(`main table .badge.light-${light}`).allTextContents());
      }
      const days = texts.map((t) => t.match(/超期 (\d+) 个工作日/)).filter(Boolean).map((m) => Number(m[1]));
      assert(days.length > 0, "an overdue clock in working days: " + JSON.stringify(texts));
      assert(Math.max(...days) <= 130, "overdue within the half-year: " + JSON.stringify(days));
      assert(!texts.some((t) => /\d+\.\d/.test(t)), "no fractional amounts: " + JSON.stringify(texts.filter((t) => /\d+\.\d/.test(t))));
      assert(texts.some((t) => /剩余/.test(t)), "a running clock says what is left: " + JSON.stringify(texts.slice(0, 5)));
      assert(!texts.some((t) => /超期\s*超期/.test(t)), "the light is not said twice: " + JSON.stringify(texts.filter((t) => /超期\s*超期/.test(t))));
      await p.goto(base + "/#/");
      await p.waitForFunction(() => document.querySelector(".queue") && !document.querySelector(".queue .loading"));
      await shot("workbench-live", p);
    } finally {
      await p.close();
      proc.kill("SIGTERM");
    }
  });

  await check("admin, audit log: the hash chain checked from the page, as the API answers", async () => {
    await login("admin");
    await page.goto(BASE + "/#/admin/audit");
    await page.getByRole("button", { name: "校验散列链" }).click();
    await page.waitForSelector(".audit-result [data-intact]");
    eq(await page.locator(".audit-result [data-intact]").getAttribute("data-intact"), "1", "intact");
    const shown = Number((await page.locator(".audit-result").textContent()).match(/共 (\d+) 条/)[1]);
    const api = await apiAs("admin", "GET", "/api/v1/audit/verify");
    assert(api.json.intact && shown > 0 && shown <= api.json.rows, `rows shown ${shown}, API ${api.json.rows}`);
  });

  await check("no script errors in the page", async () => {
    eq(consoleErrors, [], "page errors");
  });
} finally {
  await browser.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passes} passed, ${failures} failed (screenshots in ${OUT})`);
process.exit(failures ? 1 : 0);
