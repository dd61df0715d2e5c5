// offline.js - what a grid worker does without a network is kept and sent
// later.  A report (with its photos) or a check-in that cannot reach the
// server goes into a queue in IndexedDB, per user; it is sent when the
// network is back (the browser's "online" event, every 30 s, and at each
// start), oldest first, each exactly once: a report carries its queue id
// as Idempotency-Key and a check-in as client_id, so a send whose answer
// was lost is answered by the server as a replay, not stored twice.
// Photos are uploaded first and their ids remembered with the item, so a
// retry does not upload them again.  The page shows the state through
// the "bihuan-sync" event (see syncBadge in main.js).
import { api, session } from "./api.js";

const DB = "bihuan-offline";
const STORE = "queue";
const listeners = new Set();
let state = { pending: 0, failed: 0, syncing: false, lastSync: null, lastError: "" };
let running = null;

function open() {
  return new Promise((resolve, reject) => {
    const rq = indexedDB.open(DB, 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore(STORE, { keyPath: "id" }).createIndex("user", "user");
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => reject(rq.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const out = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(out && "result" in out ? out.result : out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error("IndexedDB 事务中止"));
    });
  } finally {
    db.close();
  }
}

const me = () => session.get()?.user?.username || "";
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

// Did this fail because there was no network (not because the server said no)?
export const offlineError = (e) => e && e.status === 0;

// Keep a report or a check-in to send later: kind "report" (body as for
// POST /api/v1/cases) or "checkin" (POST /api/v1/patrols); files:
// [{file, stage, id}] (id: uploaded already).  'id' is the key the form
// already sent with (a send whose answer was lost), else a new one: the
// report's Idempotency-Key, the check-in's client_id.  Resolves to the item.
export async function enqueue(kind, body, files = [], label = "", id = "") {
  // kept for nobody, it would never be sent: the form keeps it instead
  if (!me()) throw new Error("登录已过期，请联网重新登录后再提交（填写的内容仍在表单中）");
  const item = { id: id || body.client_id || newId(), user: me(), kind, body, label,
    files: files.map((f) => ({ blob: f.file, name: f.file.name || "", stage: f.stage, id: f.id || null })),
    created_at: new Date().toISOString(), state: "pending", error: "" };
  if (kind === "checkin") item.body = { ...body, client_id: item.id };
  await tx("readwrite", (s) => s.put(item));
  await refresh();
  return item;
}

export async function list() {
  const all = await tx("readonly", (s) => s.index("user").getAll(me()));
  return all.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function remove(id) {
  await tx("readwrite", (s) => s.delete(id));
  await refresh();
}

// A failed one is tried again at the next sync.
export async function retry(id) {
  const it = await tx("readonly", (s) => s.get(id));
  if (!it) return;
  it.state = "pending";
  it.error = "";
  await tx("readwrite", (s) => s.put(it));
  await refresh();
  sync();
}

export function onSync(fn) {
  listeners.add(fn);
  fn(state);
  return () => listeners.delete(fn);
}

function emit(change) {
  state = { ...state, ...change };
  for (const fn of listeners) fn(state);
  window.dispatchEvent(new CustomEvent("bihuan-sync", { detail: state }));
}

async function refresh() {
  if (!me()) return emit({ pending: 0, failed: 0 });
  const items = await list();
  emit({ pending: items.filter((x) => x.state === "pending").length, failed: items.filter((x) => x.state === "failed").length });
}

// Store 'it' again unless it was deleted meanwhile (the 待同步 page, or
// another tab that sent it): false then.
function save(it) {
  return tx("readwrite", (s) => {
    const rq = s.get(it.id);
    rq.onsuccess = () => rq.result && s.put(it);
    return { get result() { return !!rq.result; } };
  });
}

// A request that hangs is given up (and tried again later): one slow
// network must not hold the queue.
const JSON_TIMEOUT = 30000, UPLOAD_TIMEOUT = 180000;

async function send(it) {
  for (const f of it.files) {
    if (f.id) continue;
    const q = new URLSearchParams({ stage: f.stage, name: f.name });
    f.id = (await api("POST", `/api/v1/attachments?${q}`, f.blob, { timeout: UPLOAD_TIMEOUT })).id;
    if (!(await save(it))) return null; // not uploaded again on a retry; deleted: stop
  }
  const body = it.files.length ? { ...it.body, attachments: it.files.map((f) => f.id) } : it.body;
  if (it.kind === "report")
    return api("POST", "/api/v1/cases", body, { headers: { "Idempotency-Key": it.id }, timeout: JSON_TIMEOUT });
  return api("POST", "/api/v1/patrols", body, { timeout: JSON_TIMEOUT });
}

// Send what is queued; one run at a time in this tab, and with Web Locks
// one in all of this user's tabs and the installed app (the server's keys
// make a second send harmless; the lock saves uploading photos twice).
// Resolves to how many were sent.
export function sync() {
  if (running) return running;
  if (!me()) return Promise.resolve(0); // logged out: sent when this user is back
  if (!navigator.onLine) return Promise.resolve(0); // the "online" event brings it back
  const locked = (fn) => (navigator.locks ? navigator.locks.request("bihuan-sync", fn) : fn());
  running = locked(async () => {
    let sent = 0;
    try {
      emit({ syncing: true });
      for (const it of await list()) {
        if (it.state !== "pending") continue;
        try {
          const r = await send(it);
          if (r === null) continue; // deleted while its photos went up
          await tx("readwrite", (s) => s.delete(it.id));
          sent++;
          window.dispatchEvent(new CustomEvent("bihuan-synced", { detail: { item: it, result: r } }));
        } catch (e) {
          if (offlineError(e) || e.status === 401 || e.status >= 500) {
            emit({ lastError: offlineError(e) ? "网络未连接" : e.message });
            break; // no network, logged out or the server is unwell: later
          }
          it.state = "failed"; // the server refused it: the user decides
          it.error = e.message;
          await save(it);
        }
      }
      if (sent) emit({ lastSync: new Date().toISOString(), lastError: "" });
    } finally {
      await refresh();
      emit({ syncing: false });
      running = null;
    }
    return sent;
  });
  return running;
}

// Start: count what waits, send it now, when the network returns and every 30 s.
export function startSync() {
  // ask the browser not to clear the queue when storage runs low
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  refresh().then(() => sync());
  window.addEventListener("online", () => sync());
  setInterval(() => {
    if (navigator.onLine && state.pending) sync();
  }, 30000);
}

export const syncState = () => state;
