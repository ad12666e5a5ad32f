// How web/js/scope.js words whose figures a page shows and how fresh they are (issue 20 point
// 4): a group manager's members and groups, never "the account"; the as-of time of day, with
// the day when it is not today in the account's zone.
import assert from 'node:assert/strict';
import test from 'node:test';

import {asOfText, scopeSentence, todayIn} from '../../web/js/scope.js';

test('a group manager reads their members and groups, never the account', () => {
  const s = scopeSentence({roles: ['group_manager'], scope: {kind: 'groups', members: 163,
    groups: [{group: 'eng', name: 'Engineering'}, {group: 'sales', name: 'Sales'}]}});
  assert.equal(s, 'The 163 members of your groups: Engineering, Sales');
  assert.equal(scopeSentence({roles: ['group_manager'], scope: {kind: 'groups', members: 1,
    groups: [{group: 'eng', name: 'Engineering'}]}}), 'The 1 member of your group: Engineering');
  const many = scopeSentence({roles: ['group_manager'], scope: {kind: 'groups', members: 1200,
    groups: Array.from({length: 8}, (_, i) => ({group: `g${i}`, name: `G${i}`}))}});
  assert.equal(many, 'The 1,200 members of your groups: G0, G1, G2, G3, G4 and 3 more');
  assert.doesNotMatch(scopeSentence({roles: ['group_manager']}), /account/);
});

test('wider roles read the account; a learner their own figures', () => {
  assert.equal(scopeSentence({roles: ['executive'], scope: {kind: 'account', groups: [],
    members: 200}}), 'Everyone in the account');
  assert.equal(scopeSentence({roles: ['account_manager']}), 'Everyone in the account');
  assert.equal(scopeSentence({roles: ['learner'], scope: {kind: 'self', groups: [], members: 1}}),
    'Your own figures');
});

test('as of: the time of day as the API wrote it, with the day when not today', () => {
  assert.equal(asOfText('2026-03-01T10:42:07.250+01:00', '2026-03-01'), 'as of 10:42:07');
  assert.equal(asOfText('2026-03-01T23:59:59-05:00', '2026-03-02'), 'as of 2026-03-01 23:59:59');
  assert.equal(asOfText(null, '2026-03-01'), '');
});

test("today is the account zone's date, not the browser's", () => {
  const now = new Date('2026-03-01T23:30:00Z');
  assert.equal(todayIn('Europe/Paris', now), '2026-03-02');
  assert.equal(todayIn('America/New_York', now), '2026-03-01');
  assert.equal(todayIn('Not/A_Zone', now), null);
});
