// The console is plain ES modules bundled by vite into dist/, which
// `bihuan serve` serves from the same origin as the API (no CORS, no CDN).
// The service worker (sw.js) is written into dist/ with the list of the
// build's files to keep for offline use, and a version from that list.
import { defineConfig } from "vite";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createHash } from "node:crypto";

function serviceWorker() {
  return {
    name: "bihuan-service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_, bundle) {
      const hash = createHash("sha256");
      const built = Object.keys(bundle).filter((f) => !f.endsWith(".map")).sort();
      for (const f of built) hash.update(f).update(bundle[f].code || bundle[f].source || "");
      const pubDir = new URL("./public/", import.meta.url);
      const pub = readdirSync(pubDir).filter((f) => !f.startsWith(".") && statSync(new URL(f, pubDir)).isFile()).sort();
      for (const f of pub) hash.update(f).update(readFileSync(new URL(f, pubDir)));
      const files = ["/", ...new Set([...built, "index.html", ...pub].map((f) => "/" + f))].sort();
      const version = hash.digest("hex").slice(0, 12); // a changed file is a new worker
      const source = readFileSync(new URL("./sw.js", import.meta.url), "utf8")
        .replace("__VERSION__", version).replace("__PRECACHE__", JSON.stringify(files));
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}

export default defineConfig({
  base: "/",
  plugins: [serviceWorker()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: { manualChunks: { echarts: ["echarts"], leaflet: ["leaflet"] } },
    },
  },
});
