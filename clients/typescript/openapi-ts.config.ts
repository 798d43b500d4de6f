// Generates src/generated from the API's OpenAPI document (`make clients` writes
// ../openapi.json with `hookrelay-api openapi`). The generated code is committed; CI
// regenerates it and fails on a difference.
import { defineConfig } from "@hey-api/openapi-ts";

export default defineConfig({
  input: "../openapi.json",
  // Node resolves ES modules by their full name: imports end in .js.
  output: { path: "src/generated", module: { extension: ".js" } },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
});
