// api.js - the one way the console talks to bihuan: JSON over fetch with
// the session's bearer token.  A 401 means the session is over: the page
// saves what the user was typing (see drafts) and goes back to login.

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
      const s = JSON.parse(localStorage.getItem(KEY) || "null");
      if (s && s.expires_at && Date.parse(s.expires_at) <= Date.now()) return null;
      return s;
    } catch {
      return null;
    }
  },
  set(s) {
    localStorage.setItem(KEY, JSON.stringify(s));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
};

// Called on 401 (set by main.js): remember the place, go to login.
let onExpired = () => {};
export function setExpiredHandler(fn) {
  onExpired = fn;
}

export async function api(method, path, body, { headers = {}, raw = false } = {}) {
  const s = session.get();
  const h = { ...headers };
  if (s) h.Authorization = "Bearer " + s.token;
  if (body !== undefined) h["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: { message: "无法连接服务器，请检查网络后重试" } });
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
    onExpired();
    throw new ApiError(401, json);
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => api("GET", path);
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
