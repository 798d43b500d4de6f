// Validates an AsyncAPI document with the AsyncAPI initiative's own parser (the one its
// CLI and Studio use): `node asyncapi.validate.mjs FILE`. Exit 0 when it parses with no
// error-severity diagnostic; otherwise prints them and exits 1.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const [file] = process.argv.slice(2);
const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of errors) console.error(`${d.path.join(".")}: ${d.message}`);
if (!document || errors.length > 0) process.exit(1);
console.log(`valid AsyncAPI ${document.version()}: ${document.allMessages().length} messages`);
