// sw.js - the console's service worker: the app opens and works without a
// network.  Built by vite.config.js (serviceWorker), which puts in the
// list of the build's files and a version; a new build is a new worker.
//  - The console's files are kept at install and served from the cache
//    (the hashed /assets/ never change; index.html is tried online first).
//  - The reads a phone needs offline (categories, the map's grids, today's
//    patrols, objects, checklists) are answered from the network and kept;
//    without a network the last answer is served.  Logging in and out, and
//    an ended session, delete them (they are one user's).
//  - Writes are never cached or queued here: the pages queue them
//    (offline.js) and send them once with their idempotency keys.
const VERSION = "__VERSION__";
const SHELL = "bihuan-shell-" + VERSION;
const API = "bihuan-api";
const PRECACHE = __PRECACHE__;
const READS = /^\/api\/v1\/(categories|console|patrol\/config|patrols\/due|objects(\/\d+)?|units(\/[^/?]+)?|ledgers\/geometries\.geojson|calendar\/\d{4})$/;

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(SHELL).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("bihuan-shell-") && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function fromShell(req) {
  const c = await caches.open(SHELL);
  return (await c.match(req)) || fetch(req);
}

async function networkFirst(req, cacheName, fallback, type) {
  try {
    const res = await fetch(req);
    if (res.ok && (!type || (res.headers.get("Content-Type") || "").startsWith(type))) {
      const copy = res.clone();
      caches.open(cacheName).then((c) => c.put(fallback || req, copy));
    }
    return res;
  } catch (e) {
    const hit = await (await caches.open(cacheName)).match(fallback || req);
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  // the console is one page (its routes are in the hash): a photo or a
  // download opened in a tab is never taken for it
  if (req.mode === "navigate") {
    if (url.pathname === "/" || url.pathname === "/index.html") e.respondWith(networkFirst(req, SHELL, "/", "text/html"));
  }
  else if (url.pathname.startsWith("/assets/") || PRECACHE.includes(url.pathname)) e.respondWith(fromShell(req));
  else if (READS.test(url.pathname)) e.respondWith(networkFirst(req, API));
});
