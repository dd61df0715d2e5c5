// api.js - the one way the console talks to bihuan: JSON over fetch.  The
// session token travels in an HttpOnly cookie that no script can read; the
// page keeps only who is logged in (sessionStorage, this tab) and marks its
// requests with X-Requested-With, which the server demands of cookie writes.
// A 401 means the session is over: the page saves what the user was typing
// (see drafts) and goes back to login.

const KEY = "bihuan.session";

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = e.code || "";
    this.field = e.field || "";
    this.body = body;
  }
}

export const session = {
  get() {
    try {
      const s = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (s && s.expires_at && Date.parse(s.expires_at) <= Date.now()) return null;
      return s;
    } catch {
      return null;
    }
  },
  set(s) {
    sessionStorage.setItem(KEY, JSON.stringify({ user: s.user, expires_at: s.expires_at }));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

// Called on 401 (set by main.js): remember the place, go to login.
let onExpired = () => {};
export function setExpiredHandler(fn) {
  onExpired = fn;
}

// 'body' goes as JSON, unless it is a Blob (a File): then as it is, with its
// own type unless headers say another.  With 'timeout' (ms), a request that
// has not answered by then is given up as if there were no network.
export async function api(method, path, body, { headers = {}, raw = false, timeout = 0 } = {}) {
  const h = { "X-Requested-With": "bihuan", ...headers };
  const blob = body instanceof Blob;
  if (body !== undefined && !h["Content-Type"]) h["Content-Type"] = blob ? body.type || "application/octet-stream" : "application/json";
  const ctl = timeout ? new AbortController() : null;
  const timer = ctl ? setTimeout(() => ctl.abort(), timeout) : null;
  let res;
  try {
    res = await fetch(path, { method, headers: h, credentials: "same-origin", signal: ctl?.signal, body: body === undefined ? undefined : blob ? body : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: { message: ctl?.signal.aborted ? "服务器长时间无响应，请稍后重试" : "无法连接服务器，请检查网络后重试" } });
  } finally {
    clearTimeout(timer);
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.status === 401 && path !== "/api/v1/session") {
    session.clear();
    forgetReads();
    onExpired();
    throw new ApiError(401, json);
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => api("GET", path);

// What the service worker kept of one user's reads (sw.js): forgotten when
// a session ends, and before another one begins.
export function forgetReads() {
  if (window.caches) caches.delete("bihuan-api").catch(() => {});
}
export const post = (path, body, opts) => api("POST", path, body, opts);

// Query strings without empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
}

// Small caches of reference data (they change rarely).
const cache = new Map();
export function cached(path) {
  if (!cache.has(path)) cache.set(path, get(path).catch((e) => { cache.delete(path); throw e; }));
  return cache.get(path);
}
export function clearCache() {
  cache.clear();
}
