// End-to-end test of the dashboard in the system's headless Chromium (Debian `chromium`),
// driven by playwright-core, against a real `wellspring server` with a real engine on
// loopback. Usage: node dashboard.test.mjs PATH/TO/wellspring
//
// Checks: the page loads with no console error and no request leaving 127.0.0.1; the
// source table lists clock_jitter with a number for h; the pool figures change within 3 s
// (SSE); clicking a source opens its panel with a non-empty histogram; the draw box returns
// 16 uint8 values and shows the URL; stopping and restarting the server reconnects the
// page; a 390×844 viewport has no horizontal scrolling. Writes a 1280×800 screenshot to
// target/dashboard.png (and to docs/dashboard.png with WELLSPRING_UPDATE_SCREENSHOT=1).
// The server is killed on every path out, failures included.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');
const binary = resolve(process.argv[2] || join(root, 'target/debug/wellspring'));
const SOURCES = 'clock_jitter,branch_timing,page_fault_timing';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

let server = null;
let browser = null;

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

function startServer(port) {
  const child = spawn(binary, ['--assessment-cache', 'off', 'server', '--port', String(port),
    '--sources', SOURCES], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', () => {});
  server = child;
  return child;
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const child = server;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what, check, seconds) {
  const end = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < end) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what} (last: ${last})`);
}

async function healthy(port) {
  return waitFor('the server to answer', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    return response.ok;
  }, 30);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`ok - ${message}`);
}

async function main() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  startServer(port);
  await healthy(port);

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  const outside = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin + '/')) outside.push(request.url());
  });

  await page.goto(origin + '/');
  check(await page.title() === 'wellspring', 'the dashboard loads');

  const h = await waitFor('clock_jitter with an assessed h', async () => {
    const cell = page.locator('#sources tbody tr[data-source="clock_jitter"] td').nth(3);
    const text = (await cell.count()) ? await cell.textContent() : '';
    return /^\d+\.\d+/.test(text) ? text : null;
  }, 90);
  check(true, `the source table lists clock_jitter with h = ${h}`);

  const before = await page.locator('#uptime').textContent();
  const after = await waitFor('the pool figures to change', async () => {
    const now = await page.locator('#uptime').textContent();
    return now !== before ? now : null;
  }, 3);
  check(true, `the pool figures change within 3 s (uptime ${before} → ${after})`);

  await page.locator('#sources tbody tr[data-source="clock_jitter"]').click();
  check(await page.locator('#panel').isVisible(), 'clicking a source opens its panel');
  const bars = await waitFor('a non-empty histogram', async () => {
    const heights = await page.locator('#histogram rect').evaluateAll(
      (rects) => rects.map((r) => Number(r.getAttribute('height'))));
    const nonzero = heights.filter((x) => x > 0).length;
    return nonzero > 0 ? nonzero : null;
  }, 15);
  check(true, `the histogram shows ${bars} non-empty bins`);
  check((await page.locator('#panel-physics').textContent()).length > 20, 'the panel shows the physics note');

  // Keyboard: the rows are reachable, the arrows move, Enter opens.
  const names = await page.locator('#sources tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.source));
  await page.locator('#sources tbody tr').first().focus();
  await page.keyboard.press('Enter');
  const first = await page.locator('#panel-title').textContent();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const second = await page.locator('#panel-title').textContent();
  check(first === names[0] && second === names[1],
    `keyboard: Enter opens ${first}, ArrowDown then Enter opens ${second}`);

  await page.selectOption('#draw-type', 'uint8');
  await page.fill('#draw-length', '16');
  await page.selectOption('#draw-conditioning', 'drbg');
  await page.click('#draw button[type=submit]');
  const drawn = await waitFor('the draw result', async () => {
    const text = await page.locator('#draw-result').textContent();
    return text.startsWith('200') ? text : null;
  }, 15);
  const data = JSON.parse(drawn.slice(drawn.indexOf('\n') + 1)).data;
  check(Array.isArray(data) && data.length === 16 && data.every((v) => v >= 0 && v <= 255),
    'the draw box returns 16 uint8 values');
  const url = await page.locator('#draw-url').textContent();
  check(url === `${origin}/api/v1/random?length=16&type=uint8`, `the draw box shows the URL ${url}`);

  await stopServer();
  await waitFor('the page to notice the server is gone', async () =>
    (await page.locator('#status').getAttribute('class')).includes('offline'), 15);
  startServer(port);
  await healthy(port);
  const back = await waitFor('the page to reconnect', async () => {
    const badge = await page.locator('#status').getAttribute('class');
    return badge.includes('offline') ? null : badge;
  }, 20);
  check(true, `the page reconnects after a server restart (${back})`);

  // The screenshot for the README: the top of the page, a few seconds of history in.
  await page.locator('#panel-close').click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await new Promise((ok) => setTimeout(ok, 3000));
  mkdirSync(join(root, 'target'), { recursive: true });
  const shot = join(root, 'target/dashboard.png');
  await page.screenshot({ path: shot, fullPage: false });
  if (process.env.WELLSPRING_UPDATE_SCREENSHOT === '1') copyFileSync(shot, join(root, 'docs/dashboard.png'));

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await phone.newPage();
  small.on('pageerror', (err) => problems.push(`page error (phone): ${err.message}`));
  small.on('request', (request) => {
    if (!request.url().startsWith(origin + '/')) outside.push(request.url());
  });
  await small.goto(origin + '/');
  await waitFor('the table on the phone', async () => (await small.locator('#sources tbody tr').count()) > 0, 30);
  const widths = await small.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(widths[0] <= widths[1], `no horizontal scrolling at 390×844 (${widths[0]} ≤ ${widths[1]})`);

  check(outside.length === 0, `no request leaves ${origin} (${outside.join(', ') || 'none'})`);
  check(problems.length === 0, `no console errors (${problems.join('; ') || 'none'})`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.stack || e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopServer();
}
process.exit(failed ? 1 : 0);
