// The browser-side sort of web/js/table.js follows the API's rules (SPEC §3.8): nulls last in
// both directions, ties by name then key ascending in both directions, booleans false first.
import assert from 'node:assert/strict';
import test from 'node:test';

import {apiQuery, sortRows} from '../../web/js/table.js';

const rows = [
  {key: 'b', name: 'Bea', mastery: 0.5, done: true},
  {key: 'a', name: 'Bea', mastery: 0.5, done: false},
  {key: 'c', name: 'Al', mastery: null, done: false},
  {key: 'd', name: 'Cy', mastery: 0.9, done: true},
  {key: 'e', name: 'Ann', mastery: 0.5, done: true},
];
const keys = (r) => r.map((x) => x.key);
const byName = (r) => r.name;
const byKey = (r) => r.key;

test('ascending: ties by name then key, nulls last', () => {
  assert.deepEqual(keys(sortRows(rows, 'mastery', 'asc', byName, byKey)), ['e', 'a', 'b', 'd', 'c']);
});

test('descending: ties still ascending by name then key, nulls still last', () => {
  assert.deepEqual(keys(sortRows(rows, 'mastery', 'desc', byName, byKey)), ['d', 'e', 'a', 'b', 'c']);
});

test('booleans sort false first', () => {
  assert.deepEqual(keys(sortRows(rows, 'done', 'asc', byName, byKey)), ['c', 'a', 'e', 'b', 'd']);
  assert.deepEqual(keys(sortRows(rows, 'done', 'desc', byName, byKey)), ['e', 'b', 'd', 'c', 'a']);
});

test('names compare by code unit, not by locale', () => {
  const r = [{key: '1', name: 'b'}, {key: '2', name: 'B'}, {key: '3', name: 'É'}];
  assert.deepEqual(keys(sortRows(r, 'name', 'asc', byName, byKey)), ['2', '1', '3']);
});

test('the API query of a table state pages by size and carries the filters', () => {
  assert.deepEqual(apiQuery({sort: 'mastery', order: 'desc', q: 'an', page: 3, size: 25,
    filters: {group: 'eng', completed: 'true'}}),
  {sort: 'mastery', order: 'desc', limit: 25, offset: 50, q: 'an', group: 'eng',
    completed: 'true'});
});
