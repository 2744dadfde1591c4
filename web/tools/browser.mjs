// Drives Debian's Chromium (never a downloaded browser) through playwright-core for tests/test_web.py
// and benchmarks/browser.py: a JSON request on stdin, a JSON answer on stdout.
//
//   {"base": "http://127.0.0.1:PORT/", "executable": "/usr/bin/chromium",
//    "visits": [{"query": "?prompt=A%20cream%20coat", "screenshot": "path.png"}],
//    "scripts": [{"name": "...", "function": "async (lstmEdge, argument) => …", "argument": …}]}
//
// Each visit opens the page with its query, waits until <body data-state> is done or error, and reports
// #output, #notice, #error, #status and what the page measured. Each script runs in a fresh page after
// `import("./lstm-edge.mjs")` and returns its JSON-able result. Page errors and console errors are
// reported with the visit, so a test can tell a broken page from a wrong answer.
//
// With --lines, the first stdin line is the request without visits or scripts; the browser opens one
// page and answers {"browser"}; every further line is a script ({"function", "argument"}) run in that
// same page (so what it keeps on globalThis stays), answered with one line (benchmarks/browser.py).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { text } from "node:stream/consumers";

import { chromium } from "playwright-core";

const FLAGS = [
  "--headless",
  "--no-sandbox", // run as root in CI
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SETTLED = 'document.body.dataset.state === "done" || document.body.dataset.state === "error"';

async function visit(context, base, { query = "", screenshot = null, timeoutMs = 60000 }) {
  const page = await context.newPage();
  const problems = watch(page);
  try {
    await page.goto(new URL(query, base).href);
    await page.waitForFunction(SETTLED, null, { timeout: timeoutMs });
    const report = await page.evaluate(() => {
      const read = (selector) => {
        const element = document.querySelector(selector);
        return element.hidden ? "" : element.textContent;
      };
      return {
        state: document.body.dataset.state,
        output: read("#output"),
        notice: read("#notice"),
        error: read("#error"),
        status: read("#status"),
        model_info: read("#model-info"),
        location: location.search,
        last: window.lstmEdgeDemo?.last ?? null,
      };
    });
    if (screenshot) await page.screenshot({ path: screenshot });
    return { ...report, problems };
  } finally {
    await page.close();
  }
}

async function script(context, base, { function: source, argument = null, timeoutMs = 120000 }) {
  const page = await context.newPage();
  const problems = watch(page);
  try {
    await page.goto(new URL("?", base).href);
    await page.waitForFunction('document.body.dataset.state === "ready"', null, { timeout: timeoutMs });
    const result = await page.evaluate(
      async ({ source, argument }) => {
        const lstmEdge = await import("./lstm-edge.mjs");
        return (0, eval)(`(${source})`)(lstmEdge, argument);
      },
      { source, argument },
    );
    return { result, problems };
  } finally {
    await page.close();
  }
}

function watch(page) {
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return problems;
}

async function launch(request) {
  const profile = await mkdtemp(join(tmpdir(), "lstm-edge-chromium-")); // a fresh profile every run
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: request.executable ?? "/usr/bin/chromium",
      headless: true,
      args: FLAGS,
      viewport: request.viewport ?? { width: 1000, height: 640 },
    });
    return { context, close: () => context.close().finally(() => rm(profile, { recursive: true, force: true })) };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

async function lines() {
  const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const request = JSON.parse((await input.next()).value);
  const browser = await launch(request);
  try {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await page.goto(new URL("?", request.base).href);
    await page.waitForFunction('document.body.dataset.state === "ready"');
    await page.evaluate(async () => {
      globalThis.lstmEdge = await import("./lstm-edge.mjs");
    });
    process.stdout.write(`${JSON.stringify({ browser: browser.context.browser()?.version() ?? null })}\n`);
    for (let next = await input.next(); !next.done; next = await input.next()) {
      const { function: source, argument = null } = JSON.parse(next.value);
      const result = await page.evaluate(
        ({ source, argument }) => (0, eval)(`(${source})`)(globalThis.lstmEdge, argument),
        { source, argument },
      );
      process.stdout.write(`${JSON.stringify({ result, problems: problems.splice(0) })}\n`);
    }
  } finally {
    await browser.close();
  }
}

async function once() {
  const request = JSON.parse(await text(process.stdin));
  const started = performance.now();
  const browser = await launch(request);
  try {
    const { context } = browser;
    const answer = {
      browser: context.browser()?.version() ?? null,
      launch_ms: performance.now() - started,
      visits: [],
      scripts: [],
    };
    for (const entry of request.visits ?? []) answer.visits.push(await visit(context, request.base, entry));
    for (const entry of request.scripts ?? []) answer.scripts.push(await script(context, request.base, entry));
    process.stdout.write(JSON.stringify(answer));
  } finally {
    await browser.close();
  }
}

await (process.argv.includes("--lines") ? lines() : once());
