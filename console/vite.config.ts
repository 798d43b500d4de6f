import { defineConfig } from "vite";

// The console is served by hookrelay-api under /console/ and embedded in its binary:
// relative asset paths, no hashes in file names so rebuilding without changes gives the
// same files, and no source maps (they would double the binary's share).
export default defineConfig({
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        entryFileNames: "assets/console.js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
  server: { proxy: { "/v1": "http://127.0.0.1:8080" } },
});
