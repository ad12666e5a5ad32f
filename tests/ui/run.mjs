#!/usr/bin/env node
// End-to-end tests of the web UI in Debian's Chromium (playwright-core, never a downloaded
// browser) against a real `cohort serve` over a temporary demo organisation.
//
//   node tests/ui/run.mjs --cohort build/cohort --out build/ui-screenshots
//        [--chromium /usr/bin/chromium] [--only NAME] [--source DIR (web/ and node_modules/)]
//
// Exit status: 0 when every check passed, 1 when one failed, or when Chromium is missing
// (a browser test that cannot run fails; it never skips).

import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {checks} from './checks.mjs';
import {Harness} from './harness.mjs';

function args(argv) {
  const out = {chromium: process.env.COHORT_CHROMIUM || '/usr/bin/chromium'};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const opts = args(process.argv);
const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(opts.source || path.join(here, '..', '..'));
if (!opts.cohort) {
  console.error('usage: run.mjs --cohort PATH --out DIR [--chromium PATH] [--only NAME]');
  process.exit(2);
}
if (!fs.existsSync(opts.chromium)) {
  console.error(`FAIL: Chromium is not at ${opts.chromium} (apt-get install chromium, or set ` +
    'COHORT_CHROMIUM); the browser tests cannot run.');
  process.exit(1);
}
const outDir = path.resolve(opts.out || path.join(os.tmpdir(), 'cohort-ui-screenshots'));
fs.mkdirSync(outDir, {recursive: true});

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-ui-'));
const db = path.join(tmp, 'demo.db');

// The demo organisation: 200 people, fixed seed; its sign-ins are printed on stdout.
const demoOut = execFileSync(opts.cohort, ['demo', '--users', '200', '--seed', '1', '--db', db],
  {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
const signIns = {};
for (const line of demoOut.split('\n')) {
  const m = /^\s+(account_manager|executive|group_manager|learner)\s+(\S+)\s+(\S+)\s*$/.exec(line);
  if (m) signIns[m[1]] = {email: m[2], password: m[3]};
}
const tokenMatch = /API token \(read, ingest\): (\S+)/.exec(demoOut);
if (Object.keys(signIns).length !== 4 || !tokenMatch) {
  console.error('FAIL: could not read the demo sign-ins from:\n' + demoOut);
  process.exit(1);
}

// The executive's email also signs in to a second organisation, so that signing in as the
// executive has to say which one (SPEC §9 `account`).
execFileSync(opts.cohort, ['account', 'create', 'other-org', '--name', 'Other Org', '--db', db],
  {stdio: 'ignore'});
execFileSync(opts.cohort, ['user', 'create', '--account', 'other-org', '--key', 'twin',
  '--email', signIns.executive.email, '--name', 'Twin', '--role', 'executive',
  '--password-stdin', '--db', db], {input: signIns.executive.password + '\n', stdio: ['pipe',
  'ignore', 'pipe']});

// The edge-case organisation (edge_checks.mjs): its account, an ingest token and an account
// manager who signs in, made here with the CLI before the server starts (which then loads
// them); edge_checks.mjs fills it through the HTTP API (a 650-learner course of 14 chapters,
// right-to-left and markup-looking names).
const EDGE_ACCOUNT = 'edge-org';
execFileSync(opts.cohort, ['account', 'create', EDGE_ACCOUNT, '--name', 'Edge Org', '--db', db],
  {stdio: 'ignore'});
const edgeToken = execFileSync(opts.cohort, ['token', 'create', '--account', EDGE_ACCOUNT,
  '--scope', 'read,ingest', '--name', 'ui-edge', '--db', db],
{encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim().split('\n').pop().trim();
signIns.edge_manager = {email: 'edge-manager@edge.example',
  password: `edge-${Math.random().toString(36).slice(2)}-Pw1`};
execFileSync(opts.cohort, ['user', 'create', '--account', EDGE_ACCOUNT, '--key', 'edge-manager',
  '--email', signIns.edge_manager.email, '--name', 'Edge Manager', '--role', 'account_manager',
  '--password-stdin', '--db', db], {input: signIns.edge_manager.password + '\n',
  stdio: ['pipe', 'ignore', 'pipe']});

const server = spawn(opts.cohort, ['serve', '--db', db, '--listen', '127.0.0.1:0',
  '--web-root', path.join(source, 'web'), '--node-modules', path.join(source, 'node_modules'),
  '--threads', '2'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env,
  COHORT_LOG_LEVEL: 'warn'}});
let serverErr = '';
server.stderr.on('data', (d) => {
  serverErr += d;
});
const base = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('the server did not start:\n' + serverErr)),
    30000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${serverErr}`)));
});

let failed = 0;
try {
  const h = new Harness({base, chromium: opts.chromium, outDir, signIns,
    token: tokenMatch[1], edge: {account: EDGE_ACCOUNT, token: edgeToken}});
  await h.start();
  try {
    failed = await checks(h, opts.only);
  } finally {
    await h.stop();
  }
} catch (e) {
  console.error('FAIL: ' + (e.stack || e));
  failed += 1;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(tmp, {recursive: true, force: true});
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(failed ? `\n${failed} check(s) FAILED in ${seconds} s` :
  `\nevery check passed in ${seconds} s; screenshots in ${outDir}`);
process.exit(failed ? 1 : 0);
