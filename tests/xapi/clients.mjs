// Cohort's LRS (/xapi/, docs/xapi.md) driven by real xAPI client libraries from npm —
// @xapi/xapi and tincanjs — against a real `cohort serve` over a fresh SQLite file.
//
//   node --test tests/xapi/clients.mjs   (COHORT_BIN names the binary; default build/cohort)
//
// The same learning, sent as xAPI statements into one account and as POST /api/v1/attempts
// into another, must give every view the same figures.
import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import {after, before, test} from 'node:test';

import XAPI from '@xapi/xapi';

import {startCohort} from './harness.mjs';

const require = createRequire(import.meta.url);
const TinCan = require('tincanjs');

let cohort;
let base;
let tokens;
const api = (...args) => cohort.api(...args);

function basic(account) {
  return 'Basic ' + Buffer.from(`lrs-client:${tokens[account]}`).toString('base64');
}

function xapiClient(account) {
  return new XAPI({endpoint: `${base}/xapi/`, auth: basic(account), version: '1.0.3'});
}

const COURSE = {title: 'Safety', chapters: [
  {key: 'ch1', title: 'Basics', exercises: [{key: 'e1', title: 'Exits'}, {key: 'e2', title: 'Fire'}]},
  {key: 'ch2', title: 'More', exercises: [{key: 'e3', title: 'First aid'}]}]};
const USERS = {
  ana: {name: 'Ana', email: 'ana@example.org', roles: ['learner'], groups: [], active: true},
  bo: {name: 'Bo', email: 'bo@example.org', roles: ['learner'], groups: [], active: true},
};
const ANSWERED = {id: 'http://adlnet.gov/expapi/verbs/answered', display: {'en-US': 'answered'}};
const REG = ['6690e6c9-3ef0-4ed3-8b37-7f3964730bee', 'b6c2a8b4-1f5e-4a55-9d9b-1c2c3d4e5f60'];

// One answer as a statement and as the response it must become.
function answer({actor, exercise, question, at, ms, success, hints = 0, raw, registration,
  parent = true}) {
  const exerciseIri = `urn:cohort:exercise:safety/${exercise}`;
  const statement = {
    actor, verb: ANSWERED,
    object: {objectType: 'Activity', id: parent ? `https://lms.example.org/q/${question}` : exerciseIri,
      definition: {type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        interactionType: 'choice', name: {'en-US': `Question ${question}`}}},
    result: {success, duration: `PT${ms / 1000}S`,
      ...(raw === undefined ? {} : {score: {raw, min: 0, max: 10}}),
      ...(hints ? {extensions: {'urn:cohort:xapi:extension:hints': hints}} : {})},
    context: {registration, ...(parent ? {contextActivities: {parent: [{id: exerciseIri}]}} : {})},
    timestamp: at,
  };
  const response = {question: statement.object.id, correct: success, hints, time_ms: ms,
    answered_at: at, ...(raw === undefined ? {} : {points: raw})};
  return {statement, response};
}

// What an attempt of these answers is (docs/xapi.md): started at the first answer less its
// time, finished at the last.
function attemptOf(id, user, exercise, answers) {
  const sorted = [...answers].sort((a, b) => Date.parse(a.response.answered_at) -
    Date.parse(b.response.answered_at));
  const start = Math.min(...sorted.map((a) => Date.parse(a.response.answered_at) - a.response.time_ms));
  return {id, user, course: 'safety', exercise, started_at: new Date(start).toISOString(),
    finished_at: sorted.at(-1).response.answered_at, responses: sorted.map((a) => a.response)};
}

const ana = {objectType: 'Agent', name: 'Ana', account: {homePage: 'https://lms.example.org', name: 'ana'}};
const bo = {objectType: 'Agent', mbox: 'mailto:Bo@Example.org'};

// Ana: two attempts (two registrations) at e1, one at e3; Bo one at e2 by email.
const anaE1a = [
  answer({actor: ana, exercise: 'e1', question: 'q1', at: '2026-11-02T09:00:10.000Z', ms: 10000, success: true, registration: REG[0]}),
  answer({actor: ana, exercise: 'e1', question: 'q2', at: '2026-11-02T09:00:40.000Z', ms: 30000, success: false, registration: REG[0]}),
  answer({actor: ana, exercise: 'e1', question: 'q3', at: '2026-11-02T09:01:00.000Z', ms: 20000, success: true, hints: 2, registration: REG[0]}),
];
const anaE1b = [
  answer({actor: ana, exercise: 'e1', question: 'q1', at: '2026-11-03T10:00:05.000Z', ms: 5000, success: true, raw: 7, registration: REG[1]}),
  answer({actor: ana, exercise: 'e1', question: 'q2', at: '2026-11-03T10:00:15.000Z', ms: 10000, success: true, registration: REG[1]}),
];
const anaE3 = [
  answer({actor: ana, exercise: 'e3', question: 'x', at: '2026-11-04T08:00:30.000Z', ms: 30000, success: true, registration: REG[0], parent: false}),
];
const boE2 = [
  answer({actor: bo, exercise: 'e2', question: 'f1', at: '2026-11-05T12:00:03.000Z', ms: 3000, success: false, registration: REG[0]}),
  answer({actor: bo, exercise: 'e2', question: 'f2', at: '2026-11-05T12:00:09.000Z', ms: 6000, success: true, registration: REG[0]}),
];

async function views(account) {
  const league = await api(account, 'GET', '/api/v1/courses/safety/users?sort=name');
  const course = await api(account, 'GET', '/api/v1/courses/safety');
  const anaCourse = await api(account, 'GET', '/api/v1/courses/safety/users/ana');
  const history = await api(account, 'GET', '/api/v1/courses/safety/users/ana/exercises/e1/attempts');
  // Attempt ids differ by design (derived vs the LMS's); everything else must agree.
  for (const row of history.rows) delete row.attempt;
  return {league: league.rows, course, anaCourse, history: history.rows};
}

before(async () => {
  cohort = await startCohort({accounts: ['viaxapi', 'viaapi', 'minusvoided']});
  ({base, tokens} = cohort);
  for (const account of ['viaxapi', 'viaapi', 'minusvoided']) {
    await api(account, 'PUT', '/api/v1/courses/safety', COURSE);
    for (const [key, user] of Object.entries(USERS)) await api(account, 'PUT', `/api/v1/users/${key}`, user);
  }
});

after(async () => {
  if (cohort) await cohort.stop();
});

test('GET /xapi/about names the versions, without credentials', async () => {
  const about = await xapiClient('viaxapi').getAbout();
  assert.deepEqual(about.data.version, ['1.0.3', '2.0.0']);
  assert.equal(about.headers['x-experience-api-version'], '1.0.3');
});

test('statements sent by @xapi/xapi and tincanjs give the views of the same attempts sent to /api/v1/attempts', async () => {
  const x = xapiClient('viaxapi');
  // @xapi/xapi: one batch, and one statement alone.
  const batch = [...anaE1a, ...anaE3, ...boE2].map((a) => a.statement);
  const ids = (await x.sendStatements({statements: batch})).data;
  assert.equal(ids.length, batch.length);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // tincanjs, the other client: Ana's second attempt, statement by statement.
  const lrs = new TinCan.LRS({endpoint: `${base}/xapi/`, username: 'lrs-client',
    password: tokens.viaxapi, allowFail: false, version: '1.0.2'});  // its latest
  for (const a of anaE1b) {
    await new Promise((resolve, reject) => lrs.saveStatement(new TinCan.Statement(a.statement),
      {callback: (err, xhr) => (err ? reject(new Error(`tincanjs: ${err} ${xhr?.responseText}`)) : resolve())}));
  }
  await api('viaapi', 'POST', '/api/v1/attempts', [
    attemptOf('a1', 'ana', 'e1', anaE1a), attemptOf('a2', 'ana', 'e1', anaE1b),
    attemptOf('a3', 'ana', 'e3', anaE3), attemptOf('a4', 'bo', 'e2', boE2)]);
  const viaXapi = await views('viaxapi');
  const viaApi = await views('viaapi');
  assert.deepEqual(viaXapi, viaApi);
  const anaRow = viaXapi.league.find((r) => r.user === 'ana');
  assert.ok(anaRow.mastery > 0, 'the statements counted');
  assert.equal(viaXapi.history.length, 2, 'two registrations, two attempts');
  assert.equal(viaXapi.history[0].responses, 3);
});

test('a re-sent statement counts once; the same id with other content is 409', async () => {
  const x = xapiClient('viaxapi');
  const before = await views('viaxapi');
  const s = {...anaE1a[0].statement, id: '0d5a9e4c-2b8e-4d4b-9a6a-3f1e2d3c4b5a'};
  await x.sendStatement({statement: s});
  const once = await views('viaxapi');
  await x.sendStatement({statement: s});
  assert.deepEqual(await views('viaxapi'), once);
  assert.notDeepEqual(once, before, 'the new statement counted');
  await assert.rejects(x.sendStatement({statement: {...s, result: {...s.result, success: false}}}),
    (e) => e.response?.status === 409);
  // Put back as it was: void it.
  await x.voidStatement({actor: ana, statementId: s.id});
  assert.deepEqual(await views('viaxapi'), before);
});

test('voiding a counted statement removes its response, as if it had never been sent', async () => {
  const x = xapiClient('viaxapi');
  const stored = (await x.getStatements({agent: ana, verb: ANSWERED.id, limit: 0})).data.statements;
  const target = stored.find((s) => s.object.id === 'https://lms.example.org/q/q2' &&
    s.context.registration === REG[0]);
  assert.ok(target, 'Ana\'s q2 of her first attempt is stored');
  await x.voidStatement({actor: ana, statementId: target.id});
  const voided = (await x.getVoidedStatement({voidedStatementId: target.id})).data;
  assert.equal(voided.id, target.id);
  await assert.rejects(x.getStatement({statementId: target.id}), (e) => e.response?.status === 404);
  // The same learning without that answer, through the attempts API.
  const kept = anaE1a.filter((a) => a.response.question !== 'https://lms.example.org/q/q2');
  await api('minusvoided', 'POST', '/api/v1/attempts', [
    attemptOf('a1', 'ana', 'e1', kept), attemptOf('a2', 'ana', 'e1', anaE1b),
    attemptOf('a3', 'ana', 'e3', anaE3), attemptOf('a4', 'bo', 'e2', boE2)]);
  assert.deepEqual(await views('viaxapi'), await views('minusvoided'));
});

test('statements that do not map are stored, retrievable, and change no figure', async () => {
  const x = xapiClient('viaxapi');
  const before = await views('viaxapi');
  const stranger = {objectType: 'Agent', mbox: 'mailto:nobody@example.org'};
  const odd = [
    {...anaE1a[0].statement, actor: stranger},                                  // unknown actor
    {...anaE1a[0].statement, verb: {id: 'http://adlnet.gov/expapi/verbs/experienced'}},  // verb
    {...anaE1a[0].statement, object: {id: 'https://lms.example.org/unknown'}, context: {}},  // exercise
  ];
  const ids = (await x.sendStatements({statements: odd})).data;
  assert.deepEqual(await views('viaxapi'), before);
  for (const id of ids) {
    const got = (await x.getStatement({statementId: id})).data;
    assert.equal(got.id, id);
    assert.ok(got.stored && got.authority, 'the LRS set stored and authority');
  }
  const byStranger = (await x.getStatements({agent: stranger})).data.statements;
  assert.deepEqual(byStranger.map((s) => s.id), [ids[0]]);
});

test('a bad statement is 400 naming the problem, and nothing of its batch is stored', async () => {
  const x = xapiClient('viaxapi');
  const countBefore = (await x.getStatements({limit: 0})).data.statements.length;
  const good = {...anaE1a[0].statement};
  const bad = {...anaE1a[0].statement, actor: {mbox: 'ana@example.org'}};
  await assert.rejects(x.sendStatements({statements: [good, bad]}), (e) => {
    assert.equal(e.response?.status, 400);
    assert.match(JSON.stringify(e.response.data), /\/1\/actor\/mbox/);
    return true;
  });
  assert.equal((await x.getStatements({limit: 0})).data.statements.length, countBefore);
});

test('GET pages with more, newest first, and filters by verb, activity and registration', async () => {
  const x = xapiClient('viaxapi');
  const all = (await x.getStatements({limit: 0})).data.statements;
  const seen = [];
  let page = await x.getStatements({limit: 2});
  seen.push(...page.data.statements);
  while (page.data.more) {
    page = await x.getMoreStatements({more: page.data.more});
    seen.push(...page.data.statements);
  }
  assert.deepEqual(seen.map((s) => s.id), all.map((s) => s.id));
  const stored = all.map((s) => Date.parse(s.stored));
  assert.deepEqual(stored, [...stored].sort((a, b) => b - a), 'newest first');
  const asc = (await x.getStatements({ascending: true, limit: 0})).data.statements;
  assert.deepEqual(asc.map((s) => s.id), [...all].reverse().map((s) => s.id));
  const inReg = (await x.getStatements({registration: REG[1], limit: 0})).data.statements;
  assert.equal(inReg.length, anaE1b.length);
  const related = (await x.getStatements({activity: 'urn:cohort:exercise:safety/e1',
    related_activities: true, limit: 0})).data.statements;
  const direct = (await x.getStatements({activity: 'urn:cohort:exercise:safety/e1', limit: 0})).data.statements;
  assert.equal(direct.length, 0, 'the exercise is a parent, not the object');
  assert.ok(related.length >= anaE1a.length + anaE1b.length - 1);
});

test('requests without the version header are 400; without a token 401', async () => {
  let r = await fetch(`${base}/xapi/statements`, {headers: {Authorization: basic('viaxapi')}});
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('x-experience-api-version'), '1.0.3');
  r = await fetch(`${base}/xapi/statements`, {headers: {'X-Experience-API-Version': '1.0.3'}});
  assert.equal(r.status, 401);
  r = await fetch(`${base}/xapi/statements`, {headers: {'X-Experience-API-Version': '2.0.0',
    Authorization: basic('viaxapi')}});
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-experience-api-version'), '2.0.0');
  assert.ok(r.headers.get('x-experience-api-consistent-through'));
});
