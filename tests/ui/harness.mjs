// The browser side of the UI tests: Chromium, one signed-in context per role, console-error
// tracking, screenshots, and helpers that compare what a page shows with the API's JSON.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {chromium} from 'playwright-core';

export const DESKTOP = {width: 1280, height: 800};
export const PHONE = {width: 390, height: 844};
export const WIDE = {width: 1440, height: 900};

// Every API answer the browser and these helpers receive is kept, with COHORT_OPENAPI_ANSWERS_DIR
// set (CTest), for the check against docs/openapi.json (tests/openapi/validate.mjs).
const answersDir = process.env.COHORT_OPENAPI_ANSWERS_DIR;
export function recordAnswer(method, url, status, headers, body, request = null) {
  if (!answersDir) return;
  const {pathname, search} = new URL(url);
  if (!pathname.startsWith('/api/') && pathname !== '/healthz') return;
  const text = body.toString('utf8');
  let parsed = null;
  let json = false;
  try {
    parsed = JSON.parse(text);
    json = true;
  } catch {
    // not JSON (an export, an empty body)
  }
  const line = {test: 'ui_e2e', method, target: pathname + search, status, headers,
    bytes: body.length, json, body: parsed};
  if (request) {
    try {
      line.request = JSON.parse(request);
    } catch {
      // not JSON: nothing to check it against
    }
  }
  fs.mkdirSync(answersDir, {recursive: true});
  fs.appendFileSync(path.join(answersDir, `openapi-answers-ui-${process.pid}.jsonl`),
    JSON.stringify(line) + '\n');
}

export class Harness {
  // `edge`: the edge-case organisation run.mjs made ({account, token}: its key and an ingest
  // token), whose account manager signs in as signIns.edge_manager.
  constructor({base, chromium: executablePath, outDir, signIns, token, edge = null}) {
    Object.assign(this, {base, executablePath, outDir, signIns, token, edge});
    this.browser = null;
    this.shots = 0;
  }

  async start() {
    this.browser = await chromium.launch({executablePath: this.executablePath, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
  }

  async stop() {
    if (this.browser) await this.browser.close();
  }

  // A fresh browser context (its own cookies) with a page whose console errors, uncaught
  // exceptions and failed requests are collected in `errors`. The one expected failure is
  // the 401 of GET /api/v1/session before signing in.
  async open() {
    const context = await this.browser.newContext({viewport: DESKTOP, acceptDownloads: true});
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location() ? msg.location().url || '' : '';
      if (/status of 401/.test(msg.text()) && where.endsWith('/api/v1/session')) return;
      errors.push(`console: ${msg.text()} (${where})`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      const failure = r.failure() ? r.failure().errorText : '';
      if (failure === 'net::ERR_ABORTED') return;  // a fetch the UI aborted on navigation
      errors.push(`request failed: ${r.url()} ${failure}`);
    });
    page.on('response', async (r) => {
      let body;
      let headers;
      try {
        body = await r.body();
        headers = await r.allHeaders();  // headers() leaves out Set-Cookie
      } catch {
        return;  // no body to read (a download, or the page went on): nothing to check
      }
      if (headers['x-cohort-test-route']) return;  // made up by a check, not the server's
      recordAnswer(r.request().method(), r.url(), r.status(), headers, body,
        r.request().postData());
    });
    page.on('dialog', (d) => {
      errors.push(`dialog opened: ${d.message()}`);
      d.dismiss();
    });
    return {context, page, errors};
  }

  // Signs in through the sign-in page as one of the demo's people.
  async signIn(role, target = '/') {
    const s = await this.open();
    const {page} = s;
    await page.goto(this.base + target);
    await page.waitForSelector('form.signin');
    await page.fill('#email', this.signIns[role].email);
    await page.fill('#password', this.signIns[role].password);
    await page.click('form.signin button[type=submit]');
    if (role === 'executive') {
      // Their email is in two organisations: the page asks which, then signs in.
      await page.waitForSelector('details.account-field[open]', {timeout: 15000});
      assert.match(await page.textContent('.form-error'), /several organisations \(demo, other-org\)/);
      await page.fill('#account', 'demo');
      await page.click('form.signin button[type=submit]');
      // The browser logs the 422 that asked; that one was expected.
      const asked = s.errors.findIndex((e) => /status of 422/.test(e) && /\/api\/v1\/session\)$/.test(e));
      assert.ok(asked >= 0, 'the sign-in asked which organisation');
      s.errors.splice(asked, 1);
    }
    await page.waitForSelector('#sign-out', {timeout: 15000});
    s.session = await this.json(page, '/api/v1/session');
    return s;
  }

  // GET `url` with the page's own cookies (the same session as the UI).
  async json(page, url) {
    const r = await page.context().request.get(this.base + url, {
      headers: {Accept: 'application/json'}});
    const body = await r.text();
    recordAnswer('GET', this.base + url, r.status(), r.headers(), Buffer.from(body));
    assert.equal(r.status(), 200, `GET ${url} answered ${r.status()}: ${body}`);
    return JSON.parse(body);
  }

  async status(page, url) {
    const r = await page.context().request.get(this.base + url);
    recordAnswer('GET', this.base + url, r.status(), r.headers(), await r.body());
    return r.status();
  }

  // With the demo's API token (ingest scope): data the tests add.
  async put(url, body) {
    const r = await fetch(this.base + url, {method: 'PUT', body: JSON.stringify(body),
      headers: {Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json'}});
    const text = await r.text();
    recordAnswer('PUT', this.base + url, r.status, Object.fromEntries(r.headers), Buffer.from(text),
      JSON.stringify(body));
    assert.equal(r.status, 200, `PUT ${url} answered ${r.status}: ${text}`);
  }

  async post(url, body) {
    const r = await fetch(this.base + url, {method: 'POST', body: JSON.stringify(body),
      headers: {Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json'}});
    const text = await r.text();
    recordAnswer('POST', this.base + url, r.status, Object.fromEntries(r.headers), Buffer.from(text),
      JSON.stringify(body));
    assert.equal(r.status, 200, `POST ${url} answered ${r.status}: ${text}`);
  }

  // Screenshots of the page as it is, at 1280×800 (or the `desktop` size given, as WIDE) and at
  // a 390 px phone width.
  async shots2(page, name, desktop = DESKTOP) {
    const was = page.viewportSize();
    if (desktop.width !== was.width || desktop.height !== was.height) {
      await page.setViewportSize(desktop);
    }
    await chartsFitTheirBoxes(page);
    await page.screenshot({path: path.join(this.outDir, `${name}-${desktop.width}x${
      desktop.height}.png`), fullPage: true});
    await page.setViewportSize(PHONE);
    await chartsFitTheirBoxes(page);  // charts follow their box on resize (in a later frame)
    await page.screenshot({path: path.join(this.outDir, `${name}-390.png`), fullPage: true});
    // Nothing but the tables' own scroll boxes may be wider than a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize(was);
    this.shots += 2;
    assert.ok(overflow <= PHONE.width + 1, `${name}: the page is ${overflow} px wide on a phone`);
  }
}

// Waits (up to 10 s, not a fixed time) until every shown Chart.js chart has the size of its
// box: Chart.js sizes a canvas in a frame after it is attached or its box resized, and until then
// a canvas keeps its old width (wider than a phone). Returns either way (saying so on timeout):
// what follows judges.
export async function chartsFitTheirBoxes(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('canvas')].every((c) => {
    const box = c.parentElement;
    if (!window.Chart || !window.Chart.getChart(c) || box.getClientRects().length === 0) {
      return true;  // not a chart, or not shown
    }
    const a = c.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return a.width > 0 && Math.abs(a.width - b.width) <= 1 && Math.abs(a.height - b.height) <= 1;
  }), null, {timeout: 10000}).catch(() =>
    console.log(`${page.url()}: a chart is not the size of its box after 10 s`));
}

// The keys (data-key) of the rows the page's table shows, in order.
export function displayedKeys(page, scope = '') {
  return page.$$eval(`${scope} .table-block tbody tr[data-key]`, (rows) =>
    rows.map((r) => r.dataset.key));
}

// Waits until the page's table shows exactly `expected` (row keys, in order); fails after 10 s
// with both lists.
export async function waitForKeys(page, expected, what) {
  const deadline = Date.now() + 10000;
  let shown = [];
  while (Date.now() < deadline) {
    shown = await displayedKeys(page);
    const busy = await page.$('.table-block[aria-busy]');
    if (!busy && JSON.stringify(shown) === JSON.stringify(expected)) return shown;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, expected, `${what}: the table's rows differ from the API's`);
  return shown;
}

// The parameters of the page's URL fragment ("#/courses/x?sort=a" -> {sort: 'a'}).
export function hashParams(page) {
  const hash = new URL(page.url()).hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

// The API query a table page means, worked out here independently of the UI's code: the UI
// shows 25 rows a page unless `size` says otherwise.
export function apiQueryOf(params, defaults) {
  const size = Number(params.get('size') || defaults.size || 25);
  const page = Number(params.get('page') || 1);
  const q = new URLSearchParams({sort: params.get('sort') || defaults.sort,
    order: params.get('order') || 'asc', limit: String(size), offset: String((page - 1) * size)});
  for (const name of ['q', 'group', 'completed', 'certified', 'at_risk', 'active']) {
    if (params.get(name)) q.set(name, params.get(name));
  }
  if (defaults.group) q.set('group', defaults.group);
  return q.toString();
}

export async function headerState(page, col) {
  return page.getAttribute(`.table-block thead th[data-col="${col}"]`, 'aria-sort');
}
