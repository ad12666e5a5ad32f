// The LRS's document resources (xAPI 1.0.3 Communication §2.3–§2.7, §3.1) driven by @xapi/xapi
// the way a cmi5 LMS and its assignable unit use them: the LMS writes the launch data (state
// "LMS.LaunchData") and the learner's preferences (agent profile "cmi5LearnerPreferences"), the
// AU reads them, keeps a bookmark in its own state and updates the preferences under If-Match.
//
//   node --test tests/xapi/documents.mjs   (COHORT_BIN names the binary; default build/cohort)
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import XAPI from '@xapi/xapi';

import {XAPI_VERSION, startCohort} from './harness.mjs';

const AU = 'https://lms.example/course/7/au/1';
const REGISTRATION = '5f2c6b3e-8a4d-4c1e-9b7a-2d3e4f5a6b7c';
const LEARNER = {objectType: 'Agent', account: {homePage: 'https://lms.example', name: 'ana'}};
const LAUNCH_DATA = {
  contextTemplate: {extensions: {'https://w3id.org/xapi/cmi5/context/extensions/sessionid': 's-1'}},
  launchMode: 'Normal', returnURL: 'https://lms.example/course/7', moveOn: 'Completed',
};
const PREFERENCES = {languagePreference: 'en-US,fr-FR', audioPreference: 'on'};

let lrs;

function client(account) {
  const token = lrs.tokens[account];
  return new XAPI({endpoint: `${lrs.base}/xapi/`, version: XAPI_VERSION,
    auth: 'Basic ' + Buffer.from(`au:${token}`).toString('base64')});
}

// The HTTP status a client call failed with.
async function statusOf(promise) {
  try {
    await promise;
  } catch (e) {
    if (e.response) return e.response.status;
    throw e;
  }
  return 200;
}

before(async () => {
  lrs = await startCohort({accounts: ['acme', 'other'], prefix: 'cohort-xapi-docs-'});
});

after(async () => {
  await lrs?.stop();
});

test('the LMS writes the launch data and preferences, the AU reads them (cmi5 §10, §11)', async () => {
  const lms = client('acme');
  await lms.setState({agent: LEARNER, activityId: AU, registration: REGISTRATION,
    stateId: 'LMS.LaunchData', state: LAUNCH_DATA});
  await lms.setAgentProfile({agent: LEARNER, profileId: 'cmi5LearnerPreferences',
    profile: PREFERENCES, etag: '*', matchHeader: 'If-None-Match'});

  const au = client('acme');
  const launch = await au.getState({agent: LEARNER, activityId: AU, registration: REGISTRATION,
    stateId: 'LMS.LaunchData'});
  assert.deepEqual(launch.data, LAUNCH_DATA);
  assert.match(launch.headers['content-type'], /^application\/json/);
  assert.match(launch.headers.etag, /^"[0-9a-f]{40}"$/);
  const prefs = await au.getAgentProfile({agent: LEARNER, profileId: 'cmi5LearnerPreferences'});
  assert.deepEqual(prefs.data, PREFERENCES);
  assert.deepEqual((await au.getAgentProfiles({agent: LEARNER})).data,
    ['cmi5LearnerPreferences']);

  // Without a registration, or in another account, there is no launch data.
  assert.equal(await statusOf(au.getState({agent: LEARNER, activityId: AU,
    stateId: 'LMS.LaunchData'})), 404);
  assert.equal(await statusOf(client('other').getState({agent: LEARNER, activityId: AU,
    registration: REGISTRATION, stateId: 'LMS.LaunchData'})), 404);
});

test('preferences change only under the current ETag (§3.1)', async () => {
  const au = client('acme');
  const current = await au.getAgentProfile({agent: LEARNER, profileId: 'cmi5LearnerPreferences'});
  const etag = current.headers.etag;
  const changed = {...PREFERENCES, audioPreference: 'off'};
  await au.setAgentProfile({agent: LEARNER, profileId: 'cmi5LearnerPreferences',
    profile: changed, etag, matchHeader: 'If-Match'});
  // The ETag read before the change is stale now.
  assert.equal(await statusOf(au.setAgentProfile({agent: LEARNER,
    profileId: 'cmi5LearnerPreferences', profile: PREFERENCES, etag, matchHeader: 'If-Match'})),
  412);
  assert.equal(await statusOf(au.setAgentProfile({agent: LEARNER,
    profileId: 'cmi5LearnerPreferences', profile: PREFERENCES, etag: '*',
    matchHeader: 'If-None-Match'})), 412);
  // A PUT without either header over an existing profile: 409 (§3.1).
  const agent = encodeURIComponent(JSON.stringify(LEARNER));
  const raw = await lrs.xapi('acme', 'PUT',
    `agents/profile?agent=${agent}&profileId=cmi5LearnerPreferences`, PREFERENCES);
  assert.equal(raw.status, 409);
  assert.deepEqual((await au.getAgentProfile({agent: LEARNER,
    profileId: 'cmi5LearnerPreferences'})).data, changed);
});

test('the AU keeps a bookmark: POST merges, ids are listed, states are deleted (§2.2, §2.3)', async () => {
  const au = client('acme');
  const where = {agent: LEARNER, activityId: AU, registration: REGISTRATION};
  await au.createState({...where, stateId: 'bookmark', state: {page: 1}});
  await au.createState({...where, stateId: 'bookmark', state: {page: 4, seen: [1, 2, 3]}});
  assert.deepEqual((await au.getState({...where, stateId: 'bookmark'})).data,
    {page: 4, seen: [1, 2, 3]});
  await au.setState({...where, stateId: 'note', state: 'remember the exits',
    contentType: 'text/plain'});
  const note = await au.getState({...where, stateId: 'note'});
  assert.equal(note.data, 'remember the exits');
  assert.match(note.headers['content-type'], /^text\/plain/);
  assert.deepEqual((await au.getStates(where)).data, ['LMS.LaunchData', 'bookmark', 'note']);
  const future = new Date(Date.now() + 3600_000).toISOString();
  assert.deepEqual((await au.getStates({...where, since: future})).data, []);

  await au.deleteState({...where, stateId: 'note'});
  assert.deepEqual((await au.getStates(where)).data, ['LMS.LaunchData', 'bookmark']);
  await au.deleteStates(where);
  assert.deepEqual((await au.getStates(where)).data, []);
});

test('activity profiles: create, list, replace under If-Match, delete (§2.7)', async () => {
  const x = client('acme');
  await x.createActivityProfile({activityId: AU, profileId: 'settings', profile: {theme: 'dark'}});
  await x.createActivityProfile({activityId: AU, profileId: 'settings', profile: {size: 2}});
  const got = await x.getActivityProfile({activityId: AU, profileId: 'settings'});
  assert.deepEqual(got.data, {theme: 'dark', size: 2});
  assert.deepEqual((await x.getActivityProfiles({activityId: AU})).data, ['settings']);
  await x.setActivityProfile({activityId: AU, profileId: 'settings', profile: {theme: 'light'},
    etag: got.headers.etag, matchHeader: 'If-Match'});
  const replaced = await x.getActivityProfile({activityId: AU, profileId: 'settings'});
  assert.deepEqual(replaced.data, {theme: 'light'});
  assert.equal(await statusOf(x.deleteActivityProfile({activityId: AU, profileId: 'settings',
    etag: got.headers.etag})), 412);
  await x.deleteActivityProfile({activityId: AU, profileId: 'settings',
    etag: replaced.headers.etag});
  assert.deepEqual((await x.getActivityProfiles({activityId: AU})).data, []);
});

test('the Activities and Agents resources (§2.4, §2.5)', async () => {
  const x = client('acme');
  assert.deepEqual((await x.getActivity({activityId: AU})).data, {objectType: 'Activity', id: AU});
  await x.sendStatement({statement: {actor: LEARNER,
    verb: {id: 'http://adlnet.gov/expapi/verbs/launched'},
    object: {id: AU, definition: {name: {'en-US': 'Exits'},
      type: 'https://w3id.org/xapi/cmi5/activitytype/block'}}}});
  const activity = (await x.getActivity({activityId: AU})).data;
  assert.equal(activity.id, AU);
  assert.deepEqual(activity.definition.name, {'en-US': 'Exits'});
  const person = (await x.getAgent({agent: {name: 'Ana', mbox: 'mailto:ana@example.org'}})).data;
  assert.deepEqual(person, {objectType: 'Person', name: ['Ana'], mbox: ['mailto:ana@example.org']});
});
