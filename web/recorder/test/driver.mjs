// A headless Chromium for the Java browser tests (app/…/Chromium.java), driven through playwright-core.
// Reads one JSON command a line on stdin, answers one JSON line on stdout with the same id:
//   {"id":1,"cmd":"goto","url":"http://127.0.0.1:8080/demo/"}        → {"id":1,"ok":true}
//   {"id":2,"cmd":"eval","body":"return 1 + 1"}                       → {"id":2,"ok":true,"value":2}
//   {"id":3,"cmd":"offline","on":true}  (DevTools network emulation)  → {"id":3,"ok":true}
//   reload, click {selector}, screenshot {path}, close
// The page's console and errors go to stderr. The browser is Debian's (CHROMIUM, default
// /usr/bin/chromium) with a fresh profile; nothing is ever downloaded.
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

const profile = mkdtempSync(join(tmpdir(), 'recingest-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
  viewport: { width: 1100, height: 1000 },
});
const page = context.pages()[0] || await context.newPage();
page.on('console', (m) => process.stderr.write(`[page ${m.type()}] ${m.text()}\n`));
page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.stack || e}\n`));

async function run(c) {
  switch (c.cmd) {
    case 'goto': await page.goto(c.url, { waitUntil: 'load' }); return null;
    case 'reload': await page.reload({ waitUntil: 'load' }); return null;
    case 'eval': return page.evaluate(`(async () => { ${c.body} })()`);
    case 'click': await page.click(c.selector); return null;
    case 'offline': await context.setOffline(!!c.on); return null;
    case 'screenshot': await page.screenshot({ path: c.path, fullPage: !!c.fullPage }); return null;
    case 'close': await context.close(); rmSync(profile, { recursive: true, force: true }); process.exit(0);
    default: throw new Error(`unknown command ${c.cmd}`);
  }
}

process.stdout.write(`${JSON.stringify({ ready: true, version: context.browser()?.version() ?? null })}\n`);
const lines = createInterface({ input: process.stdin });
// One command at a time, in order: the tests are sequential scripts.
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    const c = JSON.parse(line);
    try {
      const value = await run(c);
      process.stdout.write(`${JSON.stringify({ id: c.id, ok: true, value: value ?? null })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ id: c.id, ok: false, error: String(e && e.stack || e) })}\n`);
    }
  });
});
lines.on('close', async () => {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  process.exit(0);
});
