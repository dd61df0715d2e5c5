// crs.js - the console's side of geo/crs.c: Chinese web maps draw in
// GCJ-02 (高德, 腾讯) or BD-09 (百度) while bihuan stores WGS-84.  The map
// shows the grid polygons converted into the base layer's system, and a
// point picked on it is sent with that system's name (locate's crs, a
// case's location.crs); the server converts it back.  Same formulas as the
// server's (the published GCJ-02 offset on the Krasovsky ellipsoid).

const A = 6378245.0;
const EE = 0.00669342162296594323;
const XPI = (Math.PI * 3000.0) / 180.0;

function inChina(lng, lat) {
  return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

function tlat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function tlng(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

function wgsToGcj([lng, lat]) {
  if (!inChina(lng, lat)) return [lng, lat];
  const dl = tlat(lng - 105.0, lat - 35.0), dg = tlng(lng - 105.0, lat - 35.0);
  const rad = (lat / 180.0) * Math.PI;
  const magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
  const dlat = (dl * 180.0) / (((A * (1 - EE)) / (magic * sq)) * Math.PI);
  const dlng = (dg * 180.0) / ((A / sq) * Math.cos(rad) * Math.PI);
  return [lng + dlng, lat + dlat];
}

function gcjToBd([lng, lat]) {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * XPI);
  const t = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * XPI);
  return [z * Math.cos(t) + 0.0065, z * Math.sin(t) + 0.006];
}

// A WGS-84 [lng, lat] in the map's system ("wgs84", "gcj02", "bd09").
export function fromWgs84(crs, p) {
  if (crs === "gcj02") return wgsToGcj(p);
  if (crs === "bd09") return gcjToBd(wgsToGcj(p));
  return p;
}

// A GeoJSON object with every position converted (a copy).
export function geojsonFromWgs84(crs, g) {
  if (crs !== "gcj02" && crs !== "bd09") return g;
  const walk = (c) => (typeof c[0] === "number" ? fromWgs84(crs, c) : c.map(walk));
  const conv = (o) => {
    if (!o || typeof o !== "object") return o;
    if (o.type === "FeatureCollection") return { ...o, features: o.features.map(conv) };
    if (o.type === "Feature") return { ...o, geometry: conv(o.geometry) };
    if (o.type === "GeometryCollection") return { ...o, geometries: o.geometries.map(conv) };
    return o.coordinates ? { ...o, coordinates: walk(o.coordinates) } : o;
  };
  return conv(g);
}
