// The console is plain ES modules bundled by vite into dist/, which
// `bihuan serve` serves from the same origin as the API (no CORS, no CDN).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
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
