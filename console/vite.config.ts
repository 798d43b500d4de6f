import { defineConfig, type Plugin } from "vite";

/**
 * Inlines the page's CSS into index.html: the first paint then needs no second request
 * (on a 600 ms round trip that is the difference between content under a second and
 * over it). hookrelay-api allows exactly this <style> by its hash in the page's CSP.
 */
function inlineCss(): Plugin {
  return {
    name: "hookrelay-inline-css",
    enforce: "post",
    generateBundle(_options, bundle) {
      const html = bundle["index.html"];
      if (!html || html.type !== "asset") return;
      let source = String(html.source);
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type !== "asset" || !name.endsWith(".css")) continue;
        const link = new RegExp(`<link rel="stylesheet"[^>]*href="[^"]*${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*>`);
        if (!link.test(source)) continue;
        source = source.replace(link, () => `<style>${String(file.source)}</style>`);
        delete bundle[name];
      }
      html.source = source;
    },
  };
}

// The console is served by hookrelay-api under /console/ and embedded in its binary.
// Asset names carry their content's hash (the same content gives the same name, so
// rebuilding without changes gives the same files) and are cached for a year; no
// source maps (they would double the binary's share).
export default defineConfig({
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [inlineCss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        entryFileNames: "assets/console-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: { proxy: { "/v1": "http://127.0.0.1:8080" } },
});
