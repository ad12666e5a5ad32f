// Cohort's statement validation (src/xapi/validator.cc) cross-checked against an independent
// xAPI validator from npm, @learninglocker/xapi-validation (Learning Locker's), on a corpus
// generated from a fixed seed: valid statements of many shapes, and mutations of them that each
// break one rule of xAPI 1.0.3. Every statement is POSTed alone to /xapi/statements of a real
// `cohort serve` and run through the npm validator; the two must agree on accept/reject.
//
//   node --test tests/xapi/validation_crosscheck.mjs   (COHORT_BIN names the binary)
//
// Where they legitimately differ, DIFFERENCES below names the rule, which side follows xAPI
// 1.0.3 (adlnet/xAPI-Spec, xAPI-Data.md) and why. Each listed difference must show exactly as
// listed; nothing else may differ. Cohort's own bugs are listed there too, marked "BUG:".
import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import {after, before, test} from 'node:test';

import {startCohort} from './harness.mjs';

const require = createRequire(import.meta.url);
const validateWithNpm = require('@learninglocker/xapi-validation').default;

const SEED = 0xC0407;  // change it to explore; the expectations hold for any seed
const VALID_COUNT = 900;
const PER_MUTATION = 18;
const PER_EDGE = 6;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (n) => Math.floor(random() * n);
const chance = (p) => random() < p;
const pick = (list) => list[int(list.length)];
const some = (list, max) => {
  const n = 1 + int(Math.min(max, list.length));
  const copy = [...list];
  const out = [];
  while (out.length < n) out.push(copy.splice(int(copy.length), 1)[0]);
  return out;
};
const hex = (n) => Array.from({length: n}, () => '0123456789abcdef'[int(16)]).join('');
const usedIds = new Set();
function uuid() {
  for (;;) {
    const h = hex(32);
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[int(4)]}${h.slice(17, 20)}-${h.slice(20)}`;
    if (!usedIds.has(id)) { usedIds.add(id); return id; }
  }
}

// ---------------------------------------------------------------------------------------------
// Valid building blocks.
const LANGS = ['en-US', 'en', 'fr', 'de-CH', 'es-419', 'zh-Hant-TW', 'sr-Latn-RS', 'de-CH-1996',
  'en-US-x-twain', 'i-klingon', 'tlh', 'x-cohort', 'EN-gb', 'zh-yue-HK'];
const WORDS = ['answered', 'Quiz 1', 'Étape 2', 'ça marche', '中文', 'x', 'A long description of the activity'];
const langMap = () => Object.fromEntries(some(LANGS, 3).map((l) => [l, pick(WORDS)]));
const NAMES = ['Ana', 'Bo Li', 'Zoë', 'Team PB', 'Ĳsbrand'];
const HOMES = ['https://lms.example.org', 'http://www.example.com', 'https://moodle.example.edu/',
  'urn:example:sis'];
const DOMAINS = ['example.org', 'Example.COM', 'mail.example.edu', 'xn--bcher-kva.example'];

function ifi(kind = int(4)) {
  switch (kind) {
    case 0: return {mbox: `${chance(0.1) ? 'MAILTO' : 'mailto'}:${pick(['ana', 'bo.li', 'x+tag', 'o\'neil'])}${int(1000)}@${pick(DOMAINS)}`};
    case 1: return {mbox_sha1sum: chance(0.5) ? hex(40) : hex(40).toUpperCase()};
    case 2: return {openid: `https://openid.example.org/u/${int(10000)}`};
    default: return {account: {homePage: pick(HOMES), name: pick([`${int(100000)}`, 'jsmith12', 'ü-ser', ''])}};
  }
}
function agent({objectType = chance(0.5)} = {}) {
  return {...(objectType ? {objectType: 'Agent'} : {}), ...(chance(0.6) ? {name: pick(NAMES)} : {}), ...ifi()};
}
function group() {
  const members = Array.from({length: 1 + int(3)}, () => agent());
  if (chance(0.5)) return {objectType: 'Group', ...(chance(0.5) ? {name: pick(NAMES)} : {}), member: members};
  return {objectType: 'Group', ...(chance(0.5) ? {name: pick(NAMES)} : {}), ...ifi(),
    ...(chance(0.5) ? {member: members} : {})};
}
const actor = () => (chance(0.75) ? agent() : group());

const VERBS = ['http://adlnet.gov/expapi/verbs/answered', 'http://adlnet.gov/expapi/verbs/experienced',
  'https://w3id.org/xapi/adl/verbs/logged-in', 'https://w3id.org/xapi/acrossx/verbs/evaluated',
  'http://example.com/فعل/خواندن', 'urn:x-cohort:verb:checked', 'http://example.com/xapi/verbs#sent-a-statement'];
const verb = () => ({id: pick(VERBS), ...(chance(0.7) ? {display: langMap()} : {})});

const ACTIVITY_IDS = () => pick([`https://lms.example.org/activities/${int(1000)}`,
  `urn:cohort:exercise:nocourse/e${int(9)}`, `tag:example.org,2026:act-${int(99)}`,
  `http://example.com/path?q=${int(9)}&r=%20x#frag`, `https://例え.jp/活動/${int(9)}`]);
const INTERACTIONS = {
  'true-false': [], 'choice': ['choices'], 'fill-in': [], 'long-fill-in': [], 'matching': ['source', 'target'],
  'performance': ['steps'], 'sequencing': ['choices'], 'likert': ['scale'], 'numeric': [], 'other': [],
};
const components = () => Array.from({length: 1 + int(4)}, (_, i) => ({id: `c${i}`,
  ...(chance(0.7) ? {description: langMap()} : {})}));
function definition() {
  const d = {};
  if (chance(0.7)) d.name = langMap();
  if (chance(0.5)) d.description = langMap();
  if (chance(0.6)) d.type = pick(['http://adlnet.gov/expapi/activities/cmi.interaction',
    'http://adlnet.gov/expapi/activities/assessment', 'http://id.tincanapi.com/activitytype/lms']);
  if (chance(0.3)) d.moreInfo = `https://lms.example.org/info/${int(99)}`;
  if (chance(0.3)) d.extensions = extensions();
  if (chance(0.5)) {
    const type = pick(Object.keys(INTERACTIONS));
    d.interactionType = type;
    if (chance(0.7)) d.correctResponsesPattern = chance(0.1) ? [] : [pick(['true', 'c0[,]c1', '4[:]', 'ben[.]3', '{case_matters=false}{lang=en}Bob'])];
    for (const list of INTERACTIONS[type]) if (chance(0.8)) d[list] = components();
  }
  return d;
}
function activity({objectType = chance(0.5)} = {}) {
  return {...(objectType ? {objectType: 'Activity'} : {}), id: ACTIVITY_IDS(),
    ...(chance(0.6) ? {definition: definition()} : {})};
}
const statementRef = () => ({objectType: 'StatementRef', id: uuid()});

function extensions() {
  const values = [1, 'text', true, null, {nested: {deep: [1, null, 'x']}}, [], 3.25, -7];
  return Object.fromEntries(Array.from({length: 1 + int(3)}, () =>
    [pick(['http://example.com/ext/a', 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
      'urn:cohort:xapi:extension:hints', 'http://id.tincanapi.com/extension/attempt-id',
      `https://ext.example.org/${int(99)}`]), pick(values)]));
}

const DURATIONS = ['PT1H30M5.5S', 'P3Y', 'P4W', 'PT0S', 'P1DT12H', 'PT45S', 'PT0.25S',
  'P1Y2M3DT4H5M6.7S', 'PT90M', 'P0D', 'PT4H35M59.14S'];
function result() {
  const r = {};
  if (chance(0.6)) {
    const score = {};
    if (chance(0.6)) score.scaled = pick([-1, 1, 0, Math.round((random() * 2 - 1) * 100) / 100]);
    if (chance(0.6)) {
      const min = pick([0, -10, 1.5]);
      const max = min + 1 + int(100);
      if (chance(0.7)) { score.min = min; score.max = max; }
      score.raw = pick([min, max, min + int(max - min)]);
    }
    r.score = score;
  }
  if (chance(0.5)) r.success = chance(0.5);
  if (chance(0.4)) r.completion = chance(0.5);
  if (chance(0.4)) r.response = pick(['c0[,]c1', 'true', '', 'A longer answer']);
  if (chance(0.5)) r.duration = pick(DURATIONS);
  if (chance(0.3)) r.extensions = extensions();
  if (Object.keys(r).length === 0) r.success = true;
  return r;
}

const ZONES = ['Z', '+00:00', '+05:30', '-08:00', '+14:00', '-12:00'];
function timestamp() {
  const t = new Date(Date.UTC(2015 + int(15), int(12), 1 + int(28), int(24), int(60), int(60)));
  const base = t.toISOString().slice(0, 19);
  const fraction = pick(['', '.1', '.123', '.123456', '.000']);
  return base + fraction + pick(ZONES);
}

function context(objectType) {
  const c = {};
  if (chance(0.5)) c.registration = chance(0.9) ? uuid() : uuid().toUpperCase();
  if (chance(0.2)) c.instructor = chance(0.7) ? agent() : group();
  if (chance(0.15)) c.team = group();
  if (chance(0.5)) {
    c.contextActivities = {};
    for (const kind of some(['parent', 'grouping', 'category', 'other'], 3)) {
      c.contextActivities[kind] = Array.from({length: 1 + int(2)}, () => activity());
    }
  }
  if (objectType === 'Activity') {
    if (chance(0.3)) c.revision = pick(['1', 'r2.3', '']);
    if (chance(0.3)) c.platform = pick(['Moodle', 'Cohort tests']);
  }
  if (chance(0.3)) c.language = pick(LANGS);
  if (chance(0.15)) c.statement = statementRef();
  if (chance(0.3)) c.extensions = extensions();
  return c;
}

const CONTENT_TYPES = ['application/pdf', 'image/png', 'text/plain; charset=utf-8', 'video/mp4',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/svg+xml'];
function attachment() {
  return {usageType: pick(['http://id.tincanapi.com/attachment/certificate-of-completion',
    'https://example.org/xapi/attachments/essay']), display: langMap(),
  ...(chance(0.5) ? {description: langMap()} : {}), contentType: pick(CONTENT_TYPES),
  length: pick([0, 1, 12345, 2 ** 31]), sha2: pick([hex(64), hex(128), hex(56), hex(96)]),
  fileUrl: `https://files.example.org/${int(1000)}.bin`};
}

function statementObject(sub) {
  const kind = sub ? pick(['Activity', 'Activity', 'Agent', 'Group', 'StatementRef'])
    : pick(['Activity', 'Activity', 'Activity', 'Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement']);
  switch (kind) {
    case 'Activity': return activity();
    case 'Agent': return agent({objectType: true});
    case 'Group': return group();
    case 'StatementRef': return statementRef();
    default: return subStatement();
  }
}
function subStatement() {
  const object = statementObject(true);
  const s = {objectType: 'SubStatement', actor: actor(), verb: verb(), object};
  if (chance(0.4)) s.result = result();
  if (chance(0.4)) s.context = context(object.objectType ?? 'Activity');
  if (chance(0.4)) s.timestamp = timestamp();
  return s;
}

function validStatement() {
  const object = statementObject(false);
  const s = {};
  if (chance(0.85)) s.id = chance(0.9) ? uuid() : uuid().toUpperCase();
  s.actor = actor();
  s.verb = verb();
  s.object = object;
  if (object.objectType === 'StatementRef' && chance(0.3)) {
    s.verb = {id: 'http://adlnet.gov/expapi/verbs/voided', display: {'en-US': 'voided'}};
  }
  if (chance(0.5)) s.result = result();
  if (chance(0.6)) s.context = context(object.objectType ?? 'Activity');
  if (chance(0.7)) s.timestamp = timestamp();
  if (chance(0.1)) s.stored = timestamp();
  if (chance(0.1)) {
    s.authority = chance(0.7) ? {objectType: 'Agent', account: {homePage: 'https://lrs.example.org', name: 'client'}}
      : {objectType: 'Group', member: [agent(), {account: {homePage: 'https://lrs.example.org/oauth', name: 'app'}}]};
  }
  if (chance(0.15)) s.version = pick(['1.0.0', '1.0.1', '1.0.2', '1.0.3']);
  if (chance(0.15)) s.attachments = Array.from({length: 1 + int(2)}, attachment);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Mutations: each breaks exactly one rule of xAPI 1.0.3, which both validators must reject.
const activityStatement = (s) => {
  s.object = activity();
  return s;
};
const withResult = (s, extra) => {
  s.result = {...(s.result ?? {}), ...extra};
  return s;
};
const withContext = (s, extra) => {
  s.context = {...(s.context ?? {}), ...extra};
  return s;
};
// The object becomes an Activity whose definition keeps its name, description, type, moreInfo
// and extensions, loses any interaction properties, and takes `definitionExtra`.
const withDefinition = (s, definitionExtra) => {
  activityStatement(s);
  const {name, description, type, moreInfo, extensions: ext} = s.object.definition ?? {};
  s.object.definition = JSON.parse(JSON.stringify({name, description, type, moreInfo, extensions: ext}));
  Object.assign(s.object.definition, definitionExtra);
  return s;
};
const BAD_LANGS = ['en_US', '', 'e', '123', 'en-', 'abcdefghi', 'en--US', 'en US'];

const MUTATIONS = {
  'missing-actor': (s) => { delete s.actor; return s; },
  'missing-verb': (s) => { delete s.verb; return s; },
  'missing-object': (s) => { delete s.object; return s; },
  'actor-not-object': (s) => { s.actor = 'mailto:ana@example.org'; return s; },
  'agent-two-ifis': (s) => { s.actor = {...agent(), ...ifi(0), ...ifi(3)}; return s; },
  'agent-no-ifi': (s) => { s.actor = {objectType: 'Agent', name: 'Ana'}; return s; },
  'identified-group-two-ifis': (s) => { s.actor = {objectType: 'Group', ...ifi(1), ...ifi(2)}; return s; },
  'anonymous-group-without-member': (s) => { s.actor = {objectType: 'Group', name: 'G'}; return s; },
  'anonymous-group-empty-member': (s) => { s.actor = {objectType: 'Group', member: []}; return s; },
  'group-member-not-object': (s) => { s.actor = {objectType: 'Group', member: ['mailto:a@example.org']}; return s; },
  'mbox-without-mailto': (s) => { s.actor = {mbox: 'ana@example.org'}; return s; },
  'mbox-without-at': (s) => { s.actor = {mbox: 'mailto:ana.example.org'}; return s; },
  'mbox-empty': (s) => { s.actor = {mbox: ''}; return s; },
  'mbox_sha1sum-not-hex': (s) => { s.actor = {mbox_sha1sum: 'g'.repeat(40)}; return s; },
  'openid-not-iri': (s) => { s.actor = {openid: 'openid.example.org/ana'}; return s; },
  'account-without-name': (s) => { s.actor = {account: {homePage: 'https://lms.example.org'}}; return s; },
  'account-without-homePage': (s) => { s.actor = {account: {name: 'ana'}}; return s; },
  'account-homePage-not-iri': (s) => { s.actor = {account: {homePage: 'lms.example.org', name: 'ana'}}; return s; },
  'agent-object-without-objectType': (s) => { s.object = {mbox: 'mailto:ana@example.org'}; delete s.context; return s; },
  'statement-id-not-uuid': (s) => {
    s.id = pick(['not-a-uuid', hex(32), uuid().slice(0, 35), `${uuid().slice(0, 35)}g`, '', uuid().replace(/-/g, '_')]);
    return s;
  },
  'scaled-out-of-range': (s) => withResult(s, {score: {scaled: pick([1.01, -1.5, 2, 100])}}),
  'raw-above-max': (s) => withResult(s, {score: {raw: 11, min: 0, max: 10}}),
  'raw-below-min': (s) => withResult(s, {score: {raw: -1, min: 0}}),
  'min-greater-than-max': (s) => withResult(s, {score: {min: 5, max: 1}}),
  'score-not-object': (s) => withResult(s, {score: 0.5}),
  'scaled-as-string': (s) => withResult(s, {score: {scaled: '0.5'}}),
  'raw-as-string': (s) => withResult(s, {score: {raw: '7'}}),
  'success-as-string': (s) => withResult(s, {success: 'true'}),
  'completion-as-number': (s) => withResult(s, {completion: 1}),
  'response-not-string': (s) => withResult(s, {response: ['a']}),
  'duration-malformed': (s) => withResult(s, {duration: pick(['PT', '1H', 'P1H', 'PT1.5', 'P4W1D',
    'PT1H30M5.5', 'P', 'PT-5S', 'P1M2Y', 'pt1h', 'PT1H1H', 'P1.5Y2M', 'P16559.14S', 30])}),
  'language-map-key-invalid': (s) => { s.verb = {id: pick(VERBS), display: {[pick(BAD_LANGS)]: 'answered'}}; return s; },
  'definition-name-key-invalid': (s) => withDefinition(s, {name: {[pick(BAD_LANGS)]: 'Quiz'}}),
  'language-map-value-not-string': (s) => { s.verb = {id: pick(VERBS), display: {en: 5}}; return s; },
  'context-language-invalid': (s) => withContext(s, {language: pick(BAD_LANGS)}),
  'unknown-property': (s) => {
    const where = int(10);
    const extra = pick(['objectType', 'Actor', 'comment', 'ID', 'foo']);
    if (where === 0) s[extra === 'objectType' ? 'extra' : extra] = 1;
    else if (where === 1) s.actor = {...agent(), [pick(['nickname', 'Mbox', 'member'])]: 'x'};
    else if (where === 2) s.verb = {id: pick(VERBS), [pick(['Display', 'name'])]: {en: 'x'}};
    else if (where === 3) { activityStatement(s); s.object.name = 'x'; }
    else if (where === 4) withDefinition(s, {[pick(['title', 'interactiontype', 'Name'])]: 'x'});
    else if (where === 5) withResult(s, {[pick(['score_raw', 'Success', 'hints'])]: 1});
    else if (where === 6) withResult(s, {score: {scaled: 0.5, percent: 50}});
    else if (where === 7) withContext(s, {[pick(['Registration', 'session', 'activities'])]: 'x'});
    else if (where === 8) { s.attachments = [{...attachment(), data: 'aGVsbG8='}]; }
    else { s.object = {...statementRef(), definition: {}}; delete s.context; }
    return s;
  },
  'property-name-case': (s) => {
    const name = pick(['actor', 'verb', 'object']);
    s[name[0].toUpperCase() + name.slice(1)] = s[name];
    delete s[name];
    return s;
  },
  'objectType-value-case': (s) => {
    switch (int(4)) {
      case 0: s.actor = {...agent(), objectType: 'agent'}; break;
      case 1: s.object = {...activity(), objectType: 'activity'}; break;
      case 2: s.object = {...statementRef(), objectType: 'statementref'}; delete s.context; break;
      default: s.object = {...subStatement(), objectType: 'Substatement'}; delete s.context;
    }
    return s;
  },
  'null-value': (s) => {
    switch (int(10)) {
      case 0: s.timestamp = null; break;
      case 1: s.result = null; break;
      case 2: s.actor = {...agent(), name: null}; break;
      case 3: s.verb = {id: pick(VERBS), display: null}; break;
      case 4: withDefinition(s, {name: null}); break;
      case 5: withResult(s, {success: null}); break;
      case 6: withResult(s, {score: {raw: null}}); break;
      case 7: withContext(s, {registration: null}); break;
      case 8: s.verb = {id: pick(VERBS), display: {en: null}}; break;
      default: s.id = null;
    }
    return s;
  },
  'revision-with-agent-object': (s) => {
    s.object = agent({objectType: true});
    s.context = {...context('Agent'), revision: 'r1'};
    return s;
  },
  'platform-with-statementref-object': (s) => {
    s.object = statementRef();
    s.context = {...context('StatementRef'), platform: 'Moodle'};
    return s;
  },
  'platform-in-substatement-with-group-object': (s) => {
    s.object = {objectType: 'SubStatement', actor: agent(), verb: verb(), object: group(),
      context: {platform: 'Moodle'}};
    delete s.context;
    return s;
  },
  'nested-substatement': (s) => {
    const outer = subStatement();
    delete outer.context;
    outer.object = subStatement();
    s.object = outer;
    delete s.context;
    return s;
  },
  'substatement-with-forbidden-property': (s) => {
    const name = pick(['id', 'stored', 'version', 'authority']);
    const value = {id: uuid(), stored: timestamp(), version: '1.0.0', authority: agent()}[name];
    s.object = {...subStatement(), [name]: value};
    delete s.context;
    return s;
  },
  'statementref-bad-id': (s) => { s.object = {objectType: 'StatementRef', id: pick(['1', hex(32), 'urn:uuid:' + uuid()])}; delete s.context; return s; },
  'statementref-without-id': (s) => { s.object = {objectType: 'StatementRef'}; delete s.context; return s; },
  'voided-with-activity-object': (s) => {
    s.verb = {id: 'http://adlnet.gov/expapi/verbs/voided'};
    return activityStatement(s);
  },
  'interactionType-unknown': (s) => withDefinition(s, {interactionType: pick(['multiple-choice', 'Choice', 'truefalse', ''])}),
  'component-list-not-for-type': (s) => {
    const [type, list] = pick([['true-false', 'choices'], ['choice', 'scale'], ['likert', 'steps'],
      ['numeric', 'source'], ['performance', 'target'], ['fill-in', 'choices']]);
    return withDefinition(s, {interactionType: type, [list]: components()});
  },
  'interaction-properties-without-interactionType': (s) => {
    s.object = {id: ACTIVITY_IDS(), definition: pick([{correctResponsesPattern: ['a']}, {choices: components()}])};
    delete s.context;
    return s;
  },
  'correctResponsesPattern-not-array-of-strings': (s) => withDefinition(s, {interactionType: 'choice',
    correctResponsesPattern: pick(['c0', [1], [null]])}),
  'component-without-id': (s) => withDefinition(s, {interactionType: 'choice', choices: [{description: {en: 'x'}}]}),
  'verb-id-not-iri': (s) => { s.verb = {id: pick(['answered', '', 'www.example.com/answered'])}; return s; },
  'verb-without-id': (s) => { s.verb = {display: {en: 'answered'}}; return s; },
  'activity-id-not-iri': (s) => { s.object = {id: pick(['quiz-1', '/relative/path', ''])}; delete s.context; return s; },
  'activity-type-not-iri': (s) => withDefinition(s, {type: 'assessment'}),
  'extension-key-not-iri': (s) => withResult(s, {extensions: {hints: 2}}),
  'context-extension-key-not-iri': (s) => withContext(s, {extensions: {sessionid: 'abc'}}),
  'timestamp-malformed': (s) => {
    s.timestamp = pick(['yesterday', '2026-13-01T00:00:00Z', '2026-01-01T25:00:00Z',
      '2026-01-01 10:00:00Z', '2026-01-01T10:00:00.Z', '', 1767225600]);
    return s;
  },
  'stored-malformed': (s) => { s.stored = 'now'; return s; },
  'version-not-1.0.x': (s) => { s.version = pick(['1.1.0', '0.95', '2.0', 'v1.0.0', '1.0.x', 1]); return s; },
  'registration-not-uuid': (s) => withContext(s, {registration: pick(['abc', hex(32), ''])}),
  'team-is-agent': (s) => withContext(s, {team: agent({objectType: true})}),
  'instructor-not-object': (s) => withContext(s, {instructor: 'Ms Smith'}),
  'contextActivities-unknown-key': (s) => withContext(s, {contextActivities: {parents: [activity()]}}),
  'contextActivities-value-not-activity': (s) => withContext(s, {contextActivities: {parent: pick(['https://lms.example.org/q', ['https://lms.example.org/q'], 3])}}),
  'context-activity-without-id': (s) => withContext(s, {contextActivities: {grouping: [{objectType: 'Activity'}]}}),
  'context-statement-bad-id': (s) => withContext(s, {statement: {objectType: 'StatementRef', id: 'nope'}}),
  'authority-group-of-three': (s) => {
    s.authority = {objectType: 'Group', member: [agent(), agent(), agent()]};
    return s;
  },
  'attachment-missing-required': (s) => {
    const a = attachment();
    delete a[pick(['usageType', 'display', 'contentType', 'length', 'sha2'])];
    s.attachments = [a];
    return s;
  },
  'attachment-contentType-not-media-type': (s) => { s.attachments = [{...attachment(), contentType: pick(['pdf', 'text/', '/plain', ''])}]; return s; },
  'attachment-length-not-integer': (s) => { s.attachments = [{...attachment(), length: pick([1.5, '10'])}]; return s; },
  'attachment-usageType-not-iri': (s) => { s.attachments = [{...attachment(), usageType: 'certificate'}]; return s; },
  'attachments-not-array': (s) => { s.attachments = attachment(); return s; },
};

// Cases where the two validators disagree and why. `cohort`/`npm`: what each does; `spec`: what
// xAPI 1.0.3 (xAPI-Data.md) requires. `make` turns a valid statement into the case.
const DIFFERENCES = {
  // --- the npm validator is laxer than 1.0.3 ---
  'group-member-is-group': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.2.2 (s4.b2, s5.b2)',
    why: 'a Group MUST NOT contain Group Objects in "member"; the npm validator checks members with its actor rule, which admits a Group',
    make: (s) => { s.actor = {objectType: 'Group', member: [agent(), {objectType: 'Group', ...ifi()}]}; return s; }},
  'team-without-objectType': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.6 (team: Group); §2.4.2.2 tables (objectType "Group" Required)',
    why: 'the npm validator applies its Group schema to context.team, where objectType is optional',
    make: (s) => withContext(s, {team: {name: 'Team PB', ...ifi()}})},
  'context-statement-without-objectType': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.4.3.s4.b1 (via §2.4.6 statement)',
    why: 'a Statement Reference MUST specify objectType "StatementRef"; the npm statementRef rule makes it optional',
    make: (s) => withContext(s, {statement: {id: uuid()}})},
  'duplicate-component-ids': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.4.1.s16.b1',
    why: 'within an array of interaction components all ids MUST be distinct; the npm validator does not compare them',
    make: (s) => withDefinition(s, {interactionType: 'choice', choices: [{id: 'a'}, {id: 'b'}, {id: 'a'}]})},
  'score-min-equal-to-max': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.5.1 (min: "less than max")',
    why: 'the npm validator only rejects min > max',
    make: (s) => withResult(s, {score: {min: 5, max: 5}})},
  'mbox_sha1sum-not-40-hex-digits': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.2.3 (hex-encoded SHA1)',
    why: 'a SHA-1 hash is 40 hex digits; the npm regex accepts 5 to 40',
    make: (s) => { s.actor = {mbox_sha1sum: hex(pick([5, 32, 39]))}; return s; }},
  'iri-with-space': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s4.b1.b4 (RFC 3987: no space in an IRI)',
    why: 'the npm IRI rule is only /^\\w+:/',
    make: (s) => { s.verb = {id: 'http://example.com/verbs/has space'}; return s; }},
  'iri-bad-percent-escape': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s4.b1.b4 (RFC 3987 pct-encoded = "%" HEXDIG HEXDIG)',
    why: 'the npm IRI rule is only /^\\w+:/',
    make: (s) => { s.object = {id: 'http://example.com/a%zzb'}; delete s.context; return s; }},
  'iri-scheme-starting-with-digit': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s4.b1.b8 (RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ))',
    why: 'the npm IRI rule (\\w+) lets a scheme start with a digit or contain "_"',
    make: (s) => { s.verb = {id: pick(['1http://example.com/v', 'my_scheme:verb'])}; return s; }},
  'uuid-in-braces': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.1.s1, §4.4 (standard string form)',
    why: 'the npm UUID regex admits a {...} wrapper',
    make: (s) => { s.id = `{${uuid()}}`; return s; }},
  'uuid-comma-in-variant-digit': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.4 (standard string form: hex digits)',
    why: 'the npm UUID regex writes its variant class as [8,9,A,B], which also admits ","',
    make: (s) => { const u = uuid(); s.id = `${u.slice(0, 19)},${u.slice(20)}`; return s; }},
  'version-without-patch': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.10.s3.b2 (reject a version that does not start with "1.0.")',
    why: 'the npm version regex makes the patch optional',
    make: (s) => { s.version = '1.0'; return s; }},
  'duration-negative': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.6.s1.b1 (ISO 8601:2004 4.4.3.2 durations have no sign)',
    why: 'the npm duration regex allows a leading "-"',
    make: (s) => withResult(s, {duration: pick(['-PT5S', '-P1D'])})},
  'duration-weeks-combined': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.6.s2 ("weeks cannot be combined with other time periods")',
    why: 'the npm duration regex treats W like D',
    make: (s) => withResult(s, {duration: pick(['P1Y2W', 'P1WT1H', 'P2M1W'])})},
  'duration-T-without-time-component': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.6.s1.b1 (ISO 8601:2004 4.4.3.2: T precedes the time components)',
    why: 'the npm duration regex accepts "T" with nothing after it',
    make: (s) => withResult(s, {duration: pick(['P1DT', 'P1YT'])})},
  'timestamp-impossible-date': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.5.s1.b1 (an ISO 8601 date)',
    why: 'the npm timestamp regex allows day 29-31 in every month',
    make: (s) => { s.timestamp = pick(['2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '2026-04-31T00:00:00.000+01:00']); return s; }},
  'timestamp-date-only': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§4.5 ("a specific time"; ISO 8601 combined date and time)',
    why: 'the npm timestamp regex makes the time optional',
    make: (s) => { s.timestamp = '2026-01-02'; return s; }},
  'attachment-negative-length': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.11 (length: the length of the data in octets)',
    why: 'the npm validator checks only that length is an integer',
    make: (s) => { s.attachments = [{...attachment(), length: -1}]; return s; }},
  'attachment-sha2-not-a-hex-digest': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.4.11 (sha2: the SHA-2 hash of the data, matched against X-Experience-API-Hash, Communication §1.5.2)',
    why: 'the npm validator checks only that sha2 is a string',
    make: (s) => { s.attachments = [{...attachment(), sha2: pick(['not-a-hash', hex(40), ''])}]; return s; }},
  'language-tag-extlang-after-long-language': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s4.b2 (RFC 5646 §2.1: extlang only after a 2-3 letter language)',
    why: 'the npm language regex admits extlangs after any 2-8 letter language',
    make: (s) => { s.verb = {id: pick(VERBS), display: {'abcde-abc': 'x'}}; return s; }},
  'language-tag-4-letter-variant': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s4.b2 (RFC 5646 §2.1: variant = 5*8alphanum / DIGIT 3alphanum)',
    why: 'the npm language regex accepts any 4-8 character variant',
    make: (s) => withContext(s, {language: 'en-US-abcd'})},
  'duplicate-property': {cohort: 'reject', npm: 'accept', spec: 'reject', section: '§2.2.s2.b2 ("A Statement MUST use each property no more than one time")',
    why: 'the npm validator sees the object JSON.parse built, in which the last duplicate silently wins',
    raw: true,
    make: (s) => {
      const text = JSON.stringify(s);
      return pick([text.replace(/^\{/, `{"verb":${JSON.stringify(verb())},`),
        text.replace(/\}$/, `,"timestamp":"2026-01-01T00:00:00Z"}`).replace(/^\{/, '{"timestamp":"2026-01-02T00:00:00Z",')]);
    }},
  // --- the npm validator is stricter than 1.0.3 ---
  'media-type-outside-the-npm-list': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§2.4.11 (contentType: an Internet Media Type)',
    why: 'the npm regex knows 9 top-level types; "font" (RFC 8081) and "chemical/..." are registered or valid media types too',
    make: (s) => { s.attachments = [{...attachment(), contentType: pick(['font/woff2', 'font/otf'])}]; return s; }},
  'duration-fraction-not-on-seconds': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§4.6.s1.b1 (ISO 8601:2004 4.4.3.2: the lowest-order component may have a decimal fraction)',
    why: 'the npm duration regex allows a fraction on seconds only',
    make: (s) => withResult(s, {duration: pick(['PT0.5H', 'P1.5D', 'PT2.25M'])})},
  'duration-decimal-comma': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§4.6.s1.b1 (ISO 8601:2004 4.4.3.2 / 3.2.4: the comma is the preferred decimal sign)',
    why: 'the npm duration regex allows "." only',
    make: (s) => withResult(s, {duration: 'PT1,5S'})},
  'uuid-not-rfc4122-variant': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§4.4 (standard string form MUST; variant 2 only recommended)',
    why: 'the npm UUID regex requires the RFC 4122 variant digit (8, 9, a, b)',
    make: (s) => { const u = uuid(); s.id = `${u.slice(0, 19)}${pick(['0', '7', 'c', 'f'])}${u.slice(20)}`; return s; }},
  'contextActivities-single-object': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§2.4.6.2.s4.b2 (a single Activity Object or an array)',
    why: 'the npm validator requires arrays',
    make: (s) => withContext(s, {contextActivities: {[pick(['parent', 'grouping', 'category', 'other'])]: activity()}})},
  'mbox-dotless-domain': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§2.4.2.3 (mbox: a mailto IRI; RFC 6068 addr-spec)',
    why: 'the npm mailto regex requires a dot and a letters-only TLD in the domain',
    make: (s) => { s.actor = {mbox: pick(['mailto:learner@localhost', 'mailto:a@example.123'])}; return s; }},
  'mbox-non-ascii': {cohort: 'accept', npm: 'reject', spec: 'accept', section: '§2.4.2.3 (a mailto IRI: RFC 3987 ucschar; RFC 6530 addresses)',
    why: 'the npm mailto regex is ASCII only',
    make: (s) => { s.actor = {mbox: pick(['mailto:josé@example.org', 'mailto:用户@例子.广告'])}; return s; }},
  // --- Cohort departs from 1.0.3 ---
  'version-2.0.0': {cohort: 'accept', npm: 'reject', spec: 'reject', section: '§2.4.10.s3.b2',
    why: 'deliberate: Cohort is also an xAPI 2.0 LRS (/xapi/about lists 1.0.3 and 2.0.0) and accepts 2.0.x statement versions (IsVersion, src/xapi/validator.cc); 1.0.3 alone says reject',
    make: (s) => { s.version = '2.0.0'; return s; }},
};
// ---------------------------------------------------------------------------------------------
// A valid statement to mutate: not a voiding one, so that a mutation replacing the object breaks
// one rule only.
function baseStatement() {
  const s = validStatement();
  if (s.verb.id === 'http://adlnet.gov/expapi/verbs/voided') s.verb = verb();
  return s;
}

function buildCorpus() {
  const cases = [];
  for (let i = 0; i < VALID_COUNT; ++i) cases.push({tag: 'valid', statement: validStatement()});
  for (const [tag, mutate] of Object.entries(MUTATIONS)) {
    for (let i = 0; i < PER_MUTATION; ++i) cases.push({tag, statement: mutate(baseStatement())});
  }
  for (const [tag, d] of Object.entries(DIFFERENCES)) {
    for (let i = 0; i < PER_EDGE; ++i) {
      const made = d.make(baseStatement());
      cases.push(d.raw ? {tag, raw: made} : {tag, statement: made});
    }
  }
  return cases;
}

function expectation(tag) {
  if (tag === 'valid') return {cohort: 'accept', npm: 'accept'};
  if (DIFFERENCES[tag]) return {cohort: DIFFERENCES[tag].cohort, npm: DIFFERENCES[tag].npm};
  return {cohort: 'reject', npm: 'reject'};
}

let lrs;
before(async () => { lrs = await startCohort({accounts: ['crosscheck'], prefix: 'cohort-xapi-crosscheck-'}); });
after(async () => { await lrs?.stop(); });

async function cohortVerdict(c) {
  const r = await lrs.xapi('crosscheck', 'POST', 'statements', c.raw ?? c.statement);
  if (r.status === 200) return {verdict: 'accept'};
  if (r.status === 400) return {verdict: 'reject', why: r.data};
  throw new Error(`POST /xapi/statements answered ${r.status}: ${JSON.stringify(r.data)}\n` +
    `for ${c.raw ?? JSON.stringify(c.statement)}`);
}

function npmVerdict(c) {
  const warnings = validateWithNpm(c.raw === undefined ? c.statement : JSON.parse(c.raw));
  return warnings.length === 0 ? {verdict: 'accept'} : {verdict: 'reject',
    why: warnings.map((w) => `${w.path.join('.')}: ${w.constructor.name}`)};
}

test('Cohort and @learninglocker/xapi-validation agree on a generated corpus, but for the listed differences', async () => {
  const cases = buildCorpus();
  assert.ok(cases.length >= 2000, `${cases.length} statements`);
  // The valid statements have the shapes they should.
  const valid = cases.filter((c) => c.tag === 'valid').map((c) => JSON.stringify(c.statement));
  for (const shape of ['"mbox":', '"mbox_sha1sum":', '"openid":', '"account":', '"objectType":"Group","member"',
    '"objectType":"StatementRef"', '"objectType":"SubStatement"', '"interactionType":"matching"',
    '"interactionType":"performance"', '"interactionType":"likert"', '"attachments":', '"authority":',
    '"version":', '"team":', '"instructor":', '"revision":', '"statement":{', '+05:30"', '-08:00"',
    '/expapi/verbs/voided"', '"scaled":', '"duration":"P4W"', 'sessionid":', '":null']) {
    assert.ok(valid.some((text) => text.includes(shape)), `a valid statement with ${shape}`);
  }
  // Each statement alone, a few at a time.
  const verdicts = new Array(cases.length);
  let next = 0;
  await Promise.all(Array.from({length: 8}, async () => {
    while (next < cases.length) {
      const i = next++;
      verdicts[i] = {cohort: await cohortVerdict(cases[i]), npm: npmVerdict(cases[i])};
    }
  }));

  const failures = [];
  const counts = {agreedAccept: 0, agreedReject: 0, expectedDifferences: 0};
  const byDifference = {};
  cases.forEach((c, i) => {
    const want = expectation(c.tag);
    const got = {cohort: verdicts[i].cohort.verdict, npm: verdicts[i].npm.verdict};
    if (got.cohort !== want.cohort || got.npm !== want.npm) {
      if (failures.length < 25) {
        failures.push(`[${c.tag}] want cohort=${want.cohort} npm=${want.npm}, got cohort=${got.cohort} ` +
          `npm=${got.npm}\n  statement: ${c.raw ?? JSON.stringify(c.statement)}\n  cohort: ` +
          `${JSON.stringify(verdicts[i].cohort.why ?? '')}\n  npm: ${JSON.stringify(verdicts[i].npm.why ?? '')}`);
      } else if (failures.length === 25) {
        failures.push('... (more)');
      }
      return;
    }
    if (got.cohort === got.npm) {
      counts[got.cohort === 'accept' ? 'agreedAccept' : 'agreedReject'] += 1;
    } else {
      counts.expectedDifferences += 1;
      byDifference[c.tag] = (byDifference[c.tag] ?? 0) + 1;
    }
  });
  console.log(`validation cross-check (seed ${SEED}): ${cases.length} statements; agreed ` +
    `${counts.agreedAccept + counts.agreedReject} (accepted ${counts.agreedAccept}, rejected ` +
    `${counts.agreedReject}); expected differences ${counts.expectedDifferences} over ` +
    `${Object.keys(byDifference).length} listed rules`);
  for (const [tag, n] of Object.entries(byDifference)) {
    const d = DIFFERENCES[tag];
    console.log(`  ${tag}: ${n} (cohort ${d.cohort}s, npm ${d.npm}s; 1.0.3 says ${d.spec}, ${d.section})`);
  }
  if (process.env.CROSSCHECK_VERBOSE) {  // why each rule's first case was rejected, by whom
    const seen = new Set();
    cases.forEach((c, i) => {
      if (c.tag === 'valid' || seen.has(c.tag)) return;
      seen.add(c.tag);
      const message = verdicts[i].cohort.why?.error?.details?.map((d) => `${d.pointer}: ${d.reason}`).join('; ');
      console.log(`${c.tag}\n  cohort: ${message ?? 'accepted'}\n  npm: ${verdicts[i].npm.why ?? 'accepted'}`);
    });
  }
  assert.equal(failures.length, 0, `${failures.length} unexpected verdict(s):\n${failures.join('\n')}`);
  // Every listed difference showed up: none is a dead letter.
  assert.deepEqual(Object.keys(byDifference).sort(), Object.keys(DIFFERENCES).sort());
});
