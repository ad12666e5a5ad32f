// A real `cohort serve` over a fresh SQLite file, for every Node test of tests/xapi/. COHORT_BIN names the binary;
// default build/cohort.
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const XAPI_VERSION = '1.0.3';

export async function startCohort({accounts, prefix = 'cohort-xapi-'}) {
  const cohort = process.env.COHORT_BIN || path.resolve('build/cohort');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = path.join(tmp, 'xapi.db');
  const cli = (...args) => execFileSync(cohort, [...args, '--db', db], {encoding: 'utf8'});
  const tokens = {};
  for (const account of accounts) {
    cli('account', 'create', account, '--name', account);
    tokens[account] = cli('token', 'create', '--account', account, '--scope', 'read,ingest')
      .trim().split(/\s+/).at(-1);
  }
  const server = spawn(cohort, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '4'],
    {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, COHORT_LOG_LEVEL: 'warn'}});
  let err = '';
  server.stderr.on('data', (d) => { err += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the server did not start:\n' + err)), 30000);
    server.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${err}`)));
    server.stdout.on('data', (d) => {
      out += d;
      const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });

  // Cohort's own API (Bearer token); throws on an error status.
  async function api(account, method, url, body) {
    const r = await fetch(base + url, {method, headers: {'Authorization': `Bearer ${tokens[account]}`,
      'Content-Type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // The LRS, as an xAPI client calls it: Basic auth (password = token) and the version header.
  // `body` is sent as is when it is a string (raw JSON), else serialized. Returns the status and
  // the parsed answer; never throws on a status.
  async function xapi(account, method, url, body) {
    const r = await fetch(`${base}/xapi/${url}`, {method, headers: {
      'Authorization': 'Basic ' + Buffer.from(`lrs-client:${tokens[account]}`).toString('base64'),
      'X-Experience-API-Version': XAPI_VERSION, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body))});
    const text = await r.text();
    let data = text;
    try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
    return {status: r.status, data};
  }

  async function stop() {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    fs.rmSync(tmp, {recursive: true, force: true});
  }

  // `tokens` (read,ingest, by account) for tests that build their own xAPI clients.
  return {base, tokens, api, xapi, stop, stderr: () => err};
}
