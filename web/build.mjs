// Assemble the static site: `node web/build.mjs [OUT]` (default build/web; `make web` runs it).
//
//   OUT/index.html page.css page.mjs          the demo page
//   OUT/lstm-edge.mjs lib/*.mjs               the module
//   OUT/ort/                                   onnxruntime-web's wasm-only build: its .mjs, glue and .wasm
//   OUT/models/fashion-lstm{,.int8}.onnx       the shipped model files, unchanged
//
// Any static server can serve OUT (`make web-serve` uses web/serve.py). The folder is built beside OUT
// and moved into place, so a failed build leaves the old site; OUT is replaced only when an earlier run
// of this script made it (a marker file says so).

import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const WEB = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(WEB);
const ORT_DIST = join(WEB, "node_modules", "onnxruntime-web", "dist");
const PAGE_FILES = ["index.html", "page.css", "page.mjs", "lstm-edge.mjs"];
const ORT_FILES = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];
const MODEL_FILES = ["fashion-lstm.onnx", "fashion-lstm.int8.onnx"];
const MARKER = ".lstm-edge-site";

class BuildError extends Error {}

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function build(out) {
  if (!(await exists(join(ORT_DIST, ORT_FILES[2])))) {
    throw new BuildError(`${relative(ROOT, ORT_DIST)} is missing: run \`npm ci --ignore-scripts\` in web/ (or \`make web\`)`);
  }
  if ((await exists(out)) && !(await exists(join(out, MARKER))) && (await readdir(out)).length) {
    throw new BuildError(`${out} exists and was not made by web/build.mjs; choose another folder`);
  }
  const staging = `${out}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await mkdir(join(staging, "lib"), { recursive: true });
    await mkdir(join(staging, "ort"));
    await mkdir(join(staging, "models"));
    const libraries = (await readdir(join(WEB, "lib"))).filter((name) => name.endsWith(".mjs"));
    const copies = [
      ...PAGE_FILES.map((name) => [join(WEB, name), join(staging, name)]),
      ...libraries.map((name) => [join(WEB, "lib", name), join(staging, "lib", name)]),
      ...ORT_FILES.map((name) => [join(ORT_DIST, name), join(staging, "ort", name)]),
      ...MODEL_FILES.map((name) => [join(ROOT, "models", name), join(staging, "models", name)]),
    ];
    for (const [source, target] of copies) await cp(source, target);
    await writeFile(join(staging, MARKER), "built by web/build.mjs; `make web` replaces this folder\n");
    await rm(out, { recursive: true, force: true });
    await mkdir(dirname(out), { recursive: true });
    await rename(staging, out);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Raw and gzipped bytes of what the page fetches with each model. */
async function pageWeight(out) {
  const libraries = (await readdir(join(out, "lib"))).map((name) => `lib/${name}`);
  const common = [...PAGE_FILES, ...libraries, ...ORT_FILES.map((name) => `ort/${name}`)];
  const sizes = new Map();
  for (const file of [...common, ...MODEL_FILES.map((name) => `models/${name}`)]) {
    const data = await readFile(join(out, file));
    sizes.set(file, { raw: data.length, gzip: gzipSync(data, { level: 9 }).length });
  }
  const total = (files) =>
    files.reduce((sum, file) => ({ raw: sum.raw + sizes.get(file).raw, gzip: sum.gzip + sizes.get(file).gzip }), {
      raw: 0,
      gzip: 0,
    });
  return { sizes, common: total(common), pages: MODEL_FILES.map((name) => [name, total([...common, `models/${name}`])]) };
}

const kilobytes = (bytes) => `${(bytes / 1e3).toFixed(1)} kB`.padStart(12);

async function main() {
  const out = resolve(process.argv[2] ?? join(ROOT, "build", "web"));
  await build(out);
  const weight = await pageWeight(out);
  console.log(`Built ${relative(process.cwd(), out) || "."}/ (serve it, e.g. \`make web-serve\`):`);
  console.log(`  ${"file".padEnd(36)}${"raw".padStart(12)}${"gzip -9".padStart(12)}`);
  for (const [file, size] of weight.sizes) console.log(`  ${file.padEnd(36)}${kilobytes(size.raw)}${kilobytes(size.gzip)}`);
  for (const [model, size] of weight.pages) {
    console.log(`  ${`page with ${basename(model)}`.padEnd(36)}${kilobytes(size.raw)}${kilobytes(size.gzip)}`);
  }
}

main().catch((error) => {
  console.error(`Error: ${error instanceof BuildError ? error.message : (error.stack ?? error)}`);
  process.exit(1);
});
