// Statements shaped like those real emitters send — a cmi5 AU session, Moodle's logstore_xapi
// quiz statements, Open edX's event-routing-backends problem_check statements — POSTed through
// /xapi/ into one account, and the attempts the mapping makes of them (worked out here, by the
// rules below) POSTed to /api/v1/attempts into another with the same course and users. Every
// view must agree. Statements that are not answers (launched, initialized, passed, completed,
// terminated, experienced, attempted, asked) are stored, readable by statementId, and change no
// figure.
//
//   node --test tests/xapi/lms_fixtures.mjs   (COHORT_BIN names the binary; default build/cohort)
//
// The mapping (Cohort's LRS): a statement counts when its verb is answered, responded or acrossx
// evaluated, its object an Activity, its actor a user (account.name = user key, or mbox = the
// user's email), and the object, a parent or a grouping is urn:cohort:exercise:<course>/<exercise>
// of a listed exercise, and it has result.success or result.score.scaled (correct = success, else
// scaled == 1). It is a response (question = object id, time = result.duration, answered at the
// timestamp, hints = result.extensions["urn:cohort:xapi:extension:hints"], points = an integer
// score.raw) of the attempt of (user, exercise, context.registration, cmi5 session id).
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {startCohort} from './harness.mjs';

const COURSE_KEY = 'chem';
const COURSE = {title: 'Chemistry 101', chapters: [
  {key: 'lab', title: 'Lab', exercises: [{key: 'titration-au', title: 'Titration (cmi5 AU)'},
    {key: 'acids-quiz', title: 'Acids and bases (Moodle quiz)'}]},
  {key: 'theory', title: 'Theory', exercises: [{key: 'ph-problem', title: 'pH (edX problem)'},
    {key: 'buffer-problem', title: 'Buffers (edX problem)'}]}]};
const exerciseIri = (exercise) => `urn:cohort:exercise:${COURSE_KEY}/${exercise}`;

// Moodle user ids, and Open edX anonymous user ids, are Cohort user keys here.
const EDX_ELI = '5f0c2f36-3c4e-4d67-9a7e-1c2b3d4e5f6a';
const EDX_FAY = '8b1e7d2c-0a4f-4e3b-b1c9-2d3e4f5a6b7c';
const USERS = {
  '17': {name: 'Carla Moreno', email: 'carla@example.edu', roles: ['learner'], groups: [], active: true},
  '23': {name: 'Dev Patel', email: 'dev@example.edu', roles: ['learner'], groups: [], active: true},
  [EDX_ELI]: {name: 'Eli Novak', email: 'eli@example.edu', roles: ['learner'], groups: [], active: true},
  [EDX_FAY]: {name: 'Fay Okafor', email: 'fay@example.edu', roles: ['learner'], groups: [], active: true},
  'gil': {name: 'Gil Ferreira', email: 'gil@example.edu', roles: ['learner'], groups: [], active: true},
};

let nextId = 0;
// Emitters set statement ids (cmi5 MUST; event-routing-backends does); Moodle's do not.
const sid = () => `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`;
const verb = (id, word) => ({id, display: {'en-US': word}});
const V = {
  launched: verb('http://adlnet.gov/expapi/verbs/launched', 'launched'),
  initialized: verb('http://adlnet.gov/expapi/verbs/initialized', 'initialized'),
  answered: verb('http://adlnet.gov/expapi/verbs/answered', 'answered'),
  experienced: verb('http://adlnet.gov/expapi/verbs/experienced', 'experienced'),
  passed: verb('http://adlnet.gov/expapi/verbs/passed', 'passed'),
  failed: verb('http://adlnet.gov/expapi/verbs/failed', 'failed'),
  completed: verb('http://adlnet.gov/expapi/verbs/completed', 'completed'),
  terminated: verb('http://adlnet.gov/expapi/verbs/terminated', 'terminated'),
  attempted: verb('http://adlnet.gov/expapi/verbs/attempted', 'attempted'),
  evaluated: {id: 'https://w3id.org/xapi/acrossx/verbs/evaluated', display: {en: 'evaluated'}},
  asked: {id: 'http://adlnet.gov/expapi/verbs/asked', display: {en: 'asked'}},
};

// ---------------------------------------------------------------------------------------------
// cmi5 (https://github.com/AICC/CMI-5_Spec_Current): the LMS writes launched; the AU writes
// initialized, its own "allowed" statements (answered, experienced), passed/failed, completed and
// terminated — all with the registration, the session id extension and (for the cmi5-defined
// ones) the cmi5 category. The AU is the exercise: the object of the cmi5-defined statements and
// the parent of the answered ones.
const CMI5_LMS = 'https://moodle.example.edu';
const CMI5 = {
  category: {id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5'},
  moveon: {id: 'https://w3id.org/xapi/cmi5/context/categories/moveon'},
  session: 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
  launchMode: 'https://w3id.org/xapi/cmi5/context/extensions/launchmode',
  masteryScore: 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore',
};
const AU = {objectType: 'Activity', id: exerciseIri('titration-au'),
  definition: {name: {'en-US': 'Titration lab'}, type: 'http://adlnet.gov/expapi/activities/lesson'}};

function cmi5Session({user, registration, session, start, questions, passed}) {
  const actor = {objectType: 'Agent', name: USERS[user].name, account: {homePage: CMI5_LMS, name: user}};
  let t = Date.parse(start);
  const at = (seconds) => new Date(t += seconds * 1000).toISOString();
  const context = (extra = {}, categories = [CMI5.category]) => ({registration,
    contextActivities: {...(categories.length ? {category: categories} : {}), ...extra},
    extensions: {[CMI5.session]: session}});
  const statements = [
    {id: sid(), actor, verb: V.launched, object: AU, timestamp: at(0), context: {...context(),
      extensions: {[CMI5.session]: session, [CMI5.launchMode]: 'Normal', [CMI5.masteryScore]: 0.7,
        'https://w3id.org/xapi/cmi5/context/extensions/launchurl': 'https://au.example.edu/titration/index.html'}}},
    {id: sid(), actor, verb: V.initialized, object: AU, timestamp: at(2), context: context()},
    // A page of the AU with a result that looks like an outcome: not an answer verb, so stored only.
    {id: sid(), actor, verb: V.experienced, object: {id: 'https://au.example.edu/titration/intro',
      definition: {type: 'http://adlnet.gov/expapi/activities/module'}}, timestamp: at(20),
    result: {success: true, duration: 'PT18S'}, context: context({parent: [AU]}, [])},
  ];
  for (const q of questions) {
    statements.push({id: sid(), actor, verb: V.answered,
      object: {objectType: 'Activity', id: `https://au.example.edu/titration/${q.id}`,
        definition: {type: 'http://adlnet.gov/expapi/activities/cmi.interaction', interactionType: q.type ?? 'choice',
          name: {'en-US': `Question ${q.id}`}}},
      timestamp: at(q.seconds),
      result: {...q.result, duration: q.duration, response: q.response ?? 'a'},
      context: context({parent: [AU]}, [])});
  }
  statements.push(
    {id: sid(), actor, verb: passed ? V.passed : V.failed, object: AU, timestamp: at(1),
      result: {success: passed, score: {scaled: passed ? 0.8 : 0.4}, duration: 'PT3M'},
      context: context({}, [CMI5.category, CMI5.moveon])},
    {id: sid(), actor, verb: V.completed, object: AU, timestamp: at(1),
      result: {completion: true, duration: 'PT3M1S'}, context: context({}, [CMI5.category, CMI5.moveon])},
    {id: sid(), actor, verb: V.terminated, object: AU, timestamp: at(5),
      result: {duration: 'PT3M6S'}, context: context()});
  return statements;
}

const REG_17 = '8d3f5a1e-2b4c-4d6e-9f01-23456789abcd';
const REG_23 = 'c4b2a190-8e7d-4c6b-a5f4-3e2d1c0b9a88';
const cmi5Statements = [
  // Carla: two sessions of one registration (a relaunch), so two attempts.
  ...cmi5Session({user: '17', registration: REG_17, session: 'f7c1e8a2-sess-0001', start: '2026-03-02T09:00:00.000Z', passed: false,
    questions: [
      {id: 'q1', seconds: 25, duration: 'PT22.5S', result: {success: true}},
      {id: 'q2', seconds: 40, duration: 'PT38S', result: {success: false, score: {raw: 0, min: 0, max: 2}}},
      // No success: correct because scaled is 1; two hints by Cohort's extension.
      {id: 'q3', seconds: 30, duration: 'PT1M5S', result: {score: {scaled: 1, raw: 2, min: 0, max: 2},
        extensions: {'urn:cohort:xapi:extension:hints': 2}}},
    ]}),
  ...cmi5Session({user: '17', registration: REG_17, session: 'f7c1e8a2-sess-0002', start: '2026-03-03T14:30:00.000Z', passed: true,
    questions: [
      {id: 'q2', seconds: 15, duration: 'PT12S', result: {success: true, score: {raw: 2, min: 0, max: 2}}},
      // scaled 0.5 without success: incorrect; raw 1.5 is not a whole number of points.
      {id: 'q3', seconds: 20, duration: 'PT19.25S', result: {score: {scaled: 0.5, raw: 1.5, min: 0, max: 3}}},
    ]}),
  ...cmi5Session({user: '23', registration: REG_23, session: '0b9e-dev-session-1', start: '2026-03-02T10:05:00.000Z', passed: true,
    questions: [
      {id: 'q1', seconds: 9, duration: 'PT8S', result: {success: true}},
      {id: 'q2', seconds: 11, duration: 'PT10.5S', result: {success: true}, type: 'numeric', response: '7[:]7'},
      {id: 'q3', seconds: 12, duration: 'PT11S', result: {success: false, extensions: {'urn:cohort:xapi:extension:hints': 1}}},
    ]}),
];

// ---------------------------------------------------------------------------------------------
// Moodle logstore_xapi (src/transformer/events/mod_quiz): attempt_started gives "attempted" on
// the quiz; attempt_submitted gives "completed" on the quiz and one "answered" per question, all
// at the submission time, with grouping [site, course, quiz, attempt] and category [source]. The
// quiz's IRI is the exercise. Its actor is an account on the site named by the Moodle user id.
// It sends no registration or session, so a user's attempts at a quiz make one Cohort attempt.
const MOODLE = 'https://moodle.example.edu';
const moodleActor = (user) => ({name: USERS[user].name, account: {homePage: MOODLE, name: user}});
const moodleInfo = (event) => ({'http://lrs.learninglocker.net/define/extensions/info': {
  'http://moodle.org': '4.3.2', 'https://github.com/xAPI-vle/moodle-logstore_xapi': 'v4.7.0',
  event_name: `\\mod_quiz\\event\\${event}`, event_function: `\\src\\transformer\\events\\mod_quiz\\${event}`}});
const moodleSite = {id: MOODLE, definition: {type: 'http://id.tincanapi.com/activitytype/lms', name: {en: 'Example University'}}};
const moodleCourse = {id: `${MOODLE}/course/view.php?id=4`, definition: {type: 'http://id.tincanapi.com/activitytype/lms/course', name: {en: 'Chemistry 101'}}};
const moodleQuiz = {id: exerciseIri('acids-quiz'), definition: {type: 'http://adlnet.gov/expapi/activities/assessment', name: {en: 'Acids and bases'}}};
const moodleSource = {id: 'http://moodle.org', definition: {type: 'http://id.tincanapi.com/activitytype/source', name: {en: 'Moodle'}}};
const moodleAttempt = (n) => ({id: `${MOODLE}/mod/quiz/attempt.php?attempt=${n}&cmid=41`,
  definition: {type: 'http://adlnet.gov/expapi/activities/attempt', name: {en: 'Attempt'}}});

function moodleQuizAttempt({user, attempt, started, submitted, answers}) {
  const base = (event) => ({platform: 'Moodle', language: 'en', extensions: moodleInfo(event)});
  const statements = [{actor: moodleActor(user), verb: V.attempted, object: moodleQuiz, timestamp: started,
    context: {...base('attempt_started'), contextActivities: {grouping: [moodleSite, moodleCourse],
      other: [moodleAttempt(attempt)], category: [moodleSource]}}}];
  const right = answers.filter((a) => a.success).length;
  statements.push({actor: moodleActor(user), verb: V.completed, object: moodleQuiz, timestamp: submitted,
    result: {score: {raw: right, min: 0, max: answers.length, scaled: right / answers.length},
      completion: true, success: right * 2 >= answers.length, duration: 'PT6M40S'},
    context: {...base('attempt_submitted'), contextActivities: {grouping: [moodleSite, moodleCourse],
      other: [moodleAttempt(attempt)], category: [moodleSource]}}});
  for (const a of answers) {
    statements.push({actor: moodleActor(user), verb: V.answered,
      object: {id: `${MOODLE}/question/question.php?cmid=41&id=${a.question}`,
        definition: {type: 'http://adlnet.gov/expapi/activities/cmi.interaction', name: {en: `Question ${a.question}`},
          interactionType: a.type, ...(a.type === 'choice' ? {choices: [{id: 'HCl', description: {en: 'HCl'}},
            {id: 'NaOH', description: {en: 'NaOH'}}], correctResponsesPattern: ['HCl']} : {})}},
      timestamp: submitted,
      result: {response: a.response, success: a.success, completion: true,
        extensions: {[`http://learninglocker.net/xapi/cmi/${a.type}/response`]: a.response}},
      context: {...base('attempt_submitted'), contextActivities: {
        grouping: [moodleSite, moodleCourse, moodleQuiz, moodleAttempt(attempt)], category: [moodleSource]}}});
  }
  return statements;
}
const moodleStatements = [
  ...moodleQuizAttempt({user: '17', attempt: 301, started: '2026-03-04T10:00:00+01:00', submitted: '2026-03-04T10:06:40+01:00',
    answers: [{question: 88, type: 'true-false', response: 'True', success: true},
      {question: 89, type: 'choice', response: 'NaOH', success: false},
      {question: 90, type: 'numeric', response: '7', success: true}]}),
  ...moodleQuizAttempt({user: '23', attempt: 302, started: '2026-03-04T11:00:00+01:00', submitted: '2026-03-04T11:06:40+01:00',
    answers: [{question: 88, type: 'true-false', response: 'False', success: false},
      {question: 89, type: 'choice', response: 'HCl', success: true},
      {question: 90, type: 'numeric', response: '7', success: true}]}),
  // Carla's second attempt: the same Cohort attempt as her first (no registration, no session).
  ...moodleQuizAttempt({user: '17', attempt: 317, started: '2026-03-05T08:00:00-05:00', submitted: '2026-03-05T08:06:40-05:00',
    answers: [{question: 89, type: 'choice', response: 'HCl', success: true}]}),
];

// ---------------------------------------------------------------------------------------------
// Open edX event-routing-backends (processors/xapi): problem_check from the server gives
// "evaluated" (earlier versions: "answered") on the problem's xblock with the score and success,
// the course as parent, the attempt number as a definition extension; problem_check from the
// browser gives "attempted" (no result); a hint shown gives "asked" on <problem>/hint/<n>. The
// problem's IRI is the exercise, as the object. Its actor is an account named by the anonymous
// user id. It sends no registration (its session-id extension is not cmi5's): a learner's checks
// of one problem make one Cohort attempt.
const LMS = 'https://courses.example.edu';
const edxCourse = {id: `${LMS}/course/course-v1:Example+CHEM101+2026`, objectType: 'Activity',
  definition: {name: {'en-US': 'Chemistry 101'}, type: 'http://adlnet.gov/expapi/activities/course'}};
const edxActor = (user) => ({objectType: 'Agent', account: {homePage: LMS, name: user}});
const edxContext = (session) => ({contextActivities: {parent: [edxCourse]}, extensions: {
  'https://w3id.org/xapi/openedx/extension/transformer-version': 'event-routing-backends@9.3.0',
  'https://w3id.org/xapi/openedx/extensions/session-id': session}});

function edxCheck({user, problem, attemptNumber, at, correct, raw, max, response, answeredVerb = V.evaluated, session}) {
  return [
    {id: sid(), actor: edxActor(user), verb: V.attempted, version: '1.0.3', timestamp: at.replace(/\.(\d{3})\d*/, '.$1'),
      object: {objectType: 'Activity', id: exerciseIri(problem), definition: {type: 'http://adlnet.gov/expapi/activities/cmi.interaction'}},
      context: edxContext(session)},
    {id: sid(), actor: edxActor(user), verb: answeredVerb, version: '1.0.3', timestamp: at,
      object: {objectType: 'Activity', id: exerciseIri(problem), definition: {
        extensions: {'http://id.tincanapi.com/extension/attempt-id': attemptNumber},
        description: {'en-US': 'What is the pH of a 0.01 M HCl solution?'},
        interactionType: 'numeric', type: 'http://adlnet.gov/expapi/activities/cmi.interaction'}},
      result: {response, score: {max, min: 0, raw, scaled: raw / max}, success: correct},
      context: edxContext(session)},
  ];
}
const edxHint = ({user, problem, n, at, session}) => ({id: sid(), actor: edxActor(user), verb: V.asked, version: '1.0.3',
  timestamp: at, object: {objectType: 'Activity', id: `${exerciseIri(problem)}/hint/${n}`,
    definition: {type: 'https://w3id.org/xapi/acrossx/extensions/supplemental-info'}},
  context: edxContext(session)});
const edxStatements = [
  ...edxCheck({user: EDX_ELI, problem: 'ph-problem', attemptNumber: 1, at: '2026-03-06T14:39:26.906232+00:00', correct: false, raw: 0, max: 1, response: '1', session: 'e1a5'}),
  edxHint({user: EDX_ELI, problem: 'ph-problem', n: 1, at: '2026-03-06T14:40:02.100000+00:00', session: 'e1a5'}),
  ...edxCheck({user: EDX_ELI, problem: 'ph-problem', attemptNumber: 2, at: '2026-03-06T14:41:10.000500+00:00', correct: true, raw: 1, max: 1, response: '2', session: 'e1a5'}),
  ...edxCheck({user: EDX_ELI, problem: 'buffer-problem', attemptNumber: 1, at: '2026-03-07T09:12:00.250000+02:00', correct: true, raw: 3, max: 3, response: '4.76', session: 'e1b9'}),
  // Fay's statements come from an older event-routing-backends, which said "answered".
  ...edxCheck({user: EDX_FAY, problem: 'ph-problem', attemptNumber: 1, at: '2026-03-06T16:00:00.000000+00:00', correct: true, raw: 1, max: 1, response: '2', answeredVerb: V.answered, session: 'f0c2'}),
  ...edxCheck({user: EDX_FAY, problem: 'buffer-problem', attemptNumber: 1, at: '2026-03-06T16:05:30.123456+00:00', correct: false, raw: 1, max: 3, response: '7', answeredVerb: V.answered, session: 'f0c2'}),
];

// ---------------------------------------------------------------------------------------------
// The attempts of the mapping, worked out from the statements.
const ANSWER_VERBS = new Set([V.answered.id, 'http://adlnet.gov/expapi/verbs/responded', V.evaluated.id]);

// ms since the epoch; fractions beyond milliseconds are dropped, as Cohort keeps milliseconds.
const instant = (timestamp) => Date.parse(timestamp.replace(/(\.\d{3})\d+/, '$1'));

function durationMs(duration) {  // the PT…H…M…S durations these fixtures use
  if (duration === undefined) return 0;
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(duration);
  assert.ok(m, `a duration this test reads: ${duration}`);
  return Math.round(((+(m[1] ?? 0) * 60 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 1000);
}

function isAnswer(s) {
  return ANSWER_VERBS.has(s.verb.id) && (s.object.objectType ?? 'Activity') === 'Activity' &&
    s.result !== undefined && (s.result.success !== undefined || s.result.score?.scaled !== undefined);
}

// statements: in the order they were sent (which orders answers given at the same time).
function attemptsOf(statements) {
  const attempts = new Map();
  for (const s of statements) {
    if (!isAnswer(s)) continue;
    const user = s.actor.account?.name;
    assert.ok(user in USERS, 'every fixture answer names a user');
    const candidates = [s.object.id, ...(s.context?.contextActivities?.parent ?? []).map((a) => a.id),
      ...(s.context?.contextActivities?.grouping ?? []).map((a) => a.id)];
    const exercise = candidates.map((iri) => /^urn:cohort:exercise:chem\/(.+)$/.exec(iri)?.[1]).find((e) => e);
    assert.ok(exercise, 'every fixture answer names an exercise');
    const key = JSON.stringify([user, exercise, s.context?.registration ?? '',
      s.context?.extensions?.[CMI5.session] ?? '']);
    const raw = s.result.score?.raw;
    const response = {question: s.object.id,
      correct: s.result.success ?? s.result.score.scaled === 1,
      hints: s.result.extensions?.['urn:cohort:xapi:extension:hints'] ?? 0,
      time_ms: durationMs(s.result.duration),
      answered_at: new Date(instant(s.timestamp)).toISOString(),
      ...(Number.isInteger(raw) && raw >= 0 ? {points: raw} : {})};
    if (!attempts.has(key)) attempts.set(key, {user, exercise, responses: []});
    attempts.get(key).responses.push(response);
  }
  return [...attempts.values()].map((a, i) => {
    const responses = a.responses.map((r, order) => ({r, order}))
      .sort((x, y) => Date.parse(x.r.answered_at) - Date.parse(y.r.answered_at) || x.order - y.order)
      .map((x) => x.r);
    const start = Math.min(...responses.map((r) => Date.parse(r.answered_at) - r.time_ms));
    return {id: `lms-${i + 1}`, user: a.user, course: COURSE_KEY, exercise: a.exercise,
      started_at: new Date(start).toISOString(), finished_at: responses.at(-1).answered_at, responses};
  });
}

// ---------------------------------------------------------------------------------------------
let lrs;
const ids = new Map();  // statement → the id the LRS stored it under

before(async () => {
  lrs = await startCohort({accounts: ['viaxapi', 'answersonly', 'viaapi'], prefix: 'cohort-xapi-lms-'});
  for (const account of ['viaxapi', 'answersonly', 'viaapi']) {
    await lrs.api(account, 'PUT', `/api/v1/courses/${COURSE_KEY}`, COURSE);
    for (const [key, user] of Object.entries(USERS)) await lrs.api(account, 'PUT', `/api/v1/users/${key}`, user);
    // Gil, enrolled, sends nothing: he is in every view with nothing done.
    await lrs.api(account, 'PUT', `/api/v1/enrollments/gil/${COURSE_KEY}`, {enrolled_at: '2026-03-01T08:00:00Z'});
  }
});
after(async () => { await lrs?.stop(); });

async function send(account, statements, {batch}) {
  const groups = batch ? [statements] : statements.map((s) => [s]);
  for (const group of groups) {
    const r = await lrs.xapi(account, 'POST', 'statements', group.length === 1 && !batch ? group[0] : group);
    assert.equal(r.status, 200, `POST /xapi/statements: ${r.status} ${JSON.stringify(r.data)}`);
    assert.equal(r.data.length, group.length);
    if (account === 'viaxapi') group.forEach((s, i) => ids.set(s, r.data[i]));
  }
}

async function views(account) {
  const out = {course: await lrs.api(account, 'GET', `/api/v1/courses/${COURSE_KEY}`),
    league: (await lrs.api(account, 'GET', `/api/v1/courses/${COURSE_KEY}/users?sort=name`)).rows,
    users: {}, history: {}};
  for (const user of Object.keys(USERS)) {
    out.users[user] = await lrs.api(account, 'GET', `/api/v1/courses/${COURSE_KEY}/users/${encodeURIComponent(user)}`);
    for (const chapter of COURSE.chapters) {
      for (const {key: exercise} of chapter.exercises) {
        const history = await lrs.api(account, 'GET', `/api/v1/courses/${COURSE_KEY}/users/` +
          `${encodeURIComponent(user)}/exercises/${exercise}/attempts`);
        // Attempt ids differ by design (derived vs the LMS's); everything else must agree.
        for (const row of history.rows) delete row.attempt;
        out.history[`${user} ${exercise}`] = history.rows;
      }
    }
  }
  return out;
}

const ALL = [...cmi5Statements, ...moodleStatements, ...edxStatements];

test('cmi5, Moodle and Open edX statements give the views of the attempts the mapping makes of them', async () => {
  // As each emitter sends: the AU statement by statement, Moodle in one batch per event (the
  // logstore's batches), event-routing-backends statement by statement.
  await send('viaxapi', cmi5Statements, {batch: false});
  const perEvent = new Map();
  for (const s of moodleStatements) {
    const event = `${s.actor.account.name} ${s.timestamp}`;
    perEvent.set(event, [...(perEvent.get(event) ?? []), s]);
  }
  for (const group of perEvent.values()) await send('viaxapi', group, {batch: true});
  await send('viaxapi', edxStatements, {batch: false});
  // The same answers alone, in the same order.
  await send('answersonly', ALL.filter(isAnswer), {batch: true});

  const attempts = attemptsOf(ALL);
  // The attempts worked out, spot-checked by hand: Carla's two cmi5 sessions are two attempts,
  // her two Moodle quiz attempts one, Eli's two checks of the pH problem one.
  const count = (user, exercise) => attempts.filter((a) => a.user === user && a.exercise === exercise).length;
  assert.deepEqual([count('17', 'titration-au'), count('23', 'titration-au'), count('17', 'acids-quiz'),
    count('23', 'acids-quiz'), count(EDX_ELI, 'ph-problem'), count(EDX_ELI, 'buffer-problem'),
    count(EDX_FAY, 'ph-problem'), count(EDX_FAY, 'buffer-problem')], [2, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(attempts.length, 9);
  assert.equal(attempts.find((a) => a.user === '17' && a.exercise === 'acids-quiz').responses.length, 4);
  assert.deepEqual(attempts.find((a) => a.user === EDX_ELI && a.exercise === 'ph-problem').responses.map((r) => r.correct), [false, true]);
  const firstLab = attempts.find((a) => a.user === '17' && a.exercise === 'titration-au');
  assert.deepEqual(firstLab.responses.map((r) => [r.correct, r.hints, r.time_ms, r.points]),
    [[true, 0, 22500, undefined], [false, 0, 38000, 0], [true, 2, 65000, 2]]);
  // launched 09:00:00, initialized :02, experienced :22, q1 answered at :47 after 22.5 s.
  assert.equal(firstLab.started_at, '2026-03-02T09:00:24.500Z');
  await lrs.api('viaapi', 'POST', '/api/v1/attempts', attempts);

  const viaXapi = await views('viaxapi');
  const viaApi = await views('viaapi');
  assert.deepEqual(viaXapi, viaApi);
  assert.deepEqual(await views('answersonly'), viaApi, 'the statements that are not answers changed no figure');
  for (const user of ['17', '23', EDX_ELI, EDX_FAY]) {
    assert.ok(viaXapi.league.find((r) => r.user === user).mastery > 0, `${user}'s statements counted`);
  }
  assert.equal(viaXapi.history['17 titration-au'].length, 2);
  assert.equal(viaXapi.history['17 acids-quiz'].length, 1);
});

test('the statements that are not answers are stored and readable by statementId', async () => {
  const others = ALL.filter((s) => !isAnswer(s));
  const verbs = new Set(others.map((s) => s.verb.id.split('/').at(-1)));
  for (const v of ['launched', 'initialized', 'experienced', 'passed', 'failed', 'completed', 'terminated', 'attempted', 'asked']) {
    assert.ok(verbs.has(v), `the fixtures have a ${v} statement`);
  }
  for (const s of others) {
    const id = ids.get(s);
    assert.ok(id, 'sent through /xapi/ (the first test)');
    if (s.id) assert.equal(id, s.id);
    const r = await lrs.xapi('viaxapi', 'GET', `statements?statementId=${id}`);
    assert.equal(r.status, 200, `GET statementId=${id}: ${JSON.stringify(r.data)}`);
    assert.equal(r.data.id, id);
    assert.deepEqual(r.data.verb, s.verb);
    assert.deepEqual(r.data.actor, s.actor);
    assert.equal(r.data.object.id, s.object.id);
    assert.deepEqual(r.data.result, s.result);
    assert.equal(Date.parse(r.data.timestamp), instant(s.timestamp));
    assert.ok(r.data.stored && r.data.authority, 'the LRS set stored and authority');
  }
});
