// The browser-side sort of web/js/table.js follows the API's rules (SPEC §3.8) as the server
// declares them (/api/v1/columns, columns.js): each column's sort rule, nulls last in both
// directions, ties by the declared tie-break columns ascending in both directions.
import assert from 'node:assert/strict';
import test from 'node:test';

import {apiQuery, compareBytes, sortRows} from '../../web/js/table.js';
import {tableColumns} from '../../web/js/columns.js';

const rows = [
  {key: 'b', name: 'Bea', mastery: 0.5, done: true},
  {key: 'a', name: 'Bea', mastery: 0.5, done: false},
  {key: 'c', name: 'Al', mastery: null, done: false},
  {key: 'd', name: 'Cy', mastery: 0.9, done: true},
  {key: 'e', name: 'Ann', mastery: 0.5, done: true},
];
const keys = (r) => r.map((x) => x.key);
// As tableColumns gives it for a declared table with these columns, ties by name then key.
const sorting = {rules: {key: 'bytes', name: 'bytes', mastery: 'fraction', done: 'false_first',
  groups: null}, tieBreak: ['name', 'key']};

test('ascending: ties by name then key, nulls last', () => {
  assert.deepEqual(keys(sortRows(rows, 'mastery', 'asc', sorting)), ['e', 'a', 'b', 'd', 'c']);
});

test('descending: ties still ascending by name then key, nulls still last', () => {
  assert.deepEqual(keys(sortRows(rows, 'mastery', 'desc', sorting)), ['d', 'e', 'a', 'b', 'c']);
});

test('booleans sort false first (false_first)', () => {
  assert.deepEqual(keys(sortRows(rows, 'done', 'asc', sorting)), ['c', 'a', 'e', 'b', 'd']);
  assert.deepEqual(keys(sortRows(rows, 'done', 'desc', sorting)), ['e', 'b', 'd', 'c', 'a']);
});

test('false_first: a null is last both ways, not taken for false', () => {
  const r = [{key: '1', name: 'a', done: true}, {key: '2', name: 'b', done: null},
    {key: '3', name: 'c', done: false}];
  assert.deepEqual(keys(sortRows(r, 'done', 'asc', sorting)), ['3', '1', '2']);
  assert.deepEqual(keys(sortRows(r, 'done', 'desc', sorting)), ['1', '3', '2']);
});

test('names compare by code unit, not by locale', () => {
  const r = [{key: '1', name: 'b'}, {key: '2', name: 'B'}, {key: '3', name: 'É'}];
  assert.deepEqual(keys(sortRows(r, 'name', 'asc', sorting)), ['2', '1', '3']);
});

test('bytes: in UTF-8 byte order, so U+FFFD comes before an emoji (UTF-16 says after)', () => {
  assert.equal(compareBytes('\uFFFD', '\u{1F600}'), -1);
  assert.equal(compareBytes('\u{1F600}', '\uFFFD'), 1);
  assert.equal(compareBytes('a\u{1F600}', 'a\u{1F600}'), 0);
  assert.equal(compareBytes('ab', 'abc'), -1);
  const r = [{key: '1', name: '\u{1F600}'}, {key: '2', name: '\uFFFD'}, {key: '3', name: 'z'}];
  assert.deepEqual(keys(sortRows(r, 'name', 'asc', sorting)), ['3', '2', '1']);
});

test('fraction: figures equal at 1e-9 tie and fall to the tie-break, both ways', () => {
  // 0.1 + 0.2 is 0.30000000000000004: the same figure as 0.3, summed in another order. By the
  // bits, Amy would come after Zed ascending, and Ned before Ida descending.
  const r = [{key: 'x', name: 'Zed', mastery: 0.3}, {key: 'y', name: 'Amy', mastery: 0.1 + 0.2},
    {key: 'z', name: 'Bob', mastery: 0.3 + 2e-9}, {key: 'v', name: 'Ida', mastery: 0.6},
    {key: 'w', name: 'Ned', mastery: 0.2 + 0.4}];
  assert.equal(0.2 + 0.4 > 0.6 && 0.1 + 0.2 > 0.3, true);
  assert.deepEqual(keys(sortRows(r, 'mastery', 'asc', sorting)), ['y', 'x', 'z', 'v', 'w']);
  assert.deepEqual(keys(sortRows(r, 'mastery', 'desc', sorting)), ['v', 'w', 'z', 'y', 'x']);
});

test('number: instants by the moment, whatever the offset; days; nulls last', () => {
  const s = {rules: {at: 'number', name: 'bytes'}, tieBreak: ['name']};
  // 02:30+02:00 is 00:30Z, before 02:10+01:00 (01:10Z), though its text sorts after.
  const r = [{name: 'a', at: '2026-10-25T02:10:00.000+01:00'}, {name: 'b', at: null},
    {name: 'c', at: '2026-10-25T02:30:00.000+02:00'}, {name: 'd', at: '2026-10-25T00:30:00Z'}];
  assert.deepEqual(sortRows(r, 'at', 'asc', s).map((x) => x.name), ['c', 'd', 'a', 'b']);
  assert.deepEqual(sortRows(r, 'at', 'desc', s).map((x) => x.name), ['a', 'c', 'd', 'b']);
  const days = [{name: 'a', at: '2026-03-02'}, {name: 'b', at: '2025-12-31'}];
  assert.deepEqual(sortRows(days, 'at', 'asc', s).map((x) => x.name), ['b', 'a']);
  const n = [{name: 'a', at: 10}, {name: 'b', at: 9.5}, {name: 'c', at: null}];
  assert.deepEqual(sortRows(n, 'at', 'desc', s).map((x) => x.name), ['a', 'b', 'c']);
});

test('a key_list (declared unsortable) cannot be sorted, nor an undeclared column', () => {
  const r = [{key: '1', name: 'a', groups: ['x']}, {key: '2', name: 'b', groups: []}];
  assert.throws(() => sortRows(r, 'groups', 'asc', sorting), /cannot sort by 'groups'/);
  assert.throws(() => sortRows(r, 'nowhere', 'asc', sorting), /cannot sort by 'nowhere'/);
  // And its header is no sort button.
  const declared = {report: {columns: [
    {name: 'user', title: 'User', type: 'key', unit: null, nullable: false, sort: 'bytes'},
    {name: 'groups', title: 'Groups', type: 'key_list', unit: null, nullable: false, sort: null},
  ], tie_break: ['user']}};
  const {columns} = tableColumns('report', ['user', 'groups'], declared);
  assert.deepEqual(columns.map((c) => c.sortable), [true, false]);
});

test('the API query of a table state pages by size and carries the filters', () => {
  assert.deepEqual(apiQuery({sort: 'mastery', order: 'desc', q: 'an', page: 3, size: 25,
    filters: {group: 'eng', completed: 'true'}}),
  {sort: 'mastery', order: 'desc', limit: 25, offset: 50, q: 'an', group: 'eng',
    completed: 'true'});
});

test('a client table in its given order asks for no sort', () => {
  assert.deepEqual(apiQuery({sort: null, order: 'asc', q: '', page: 1, size: 100, filters: {}}),
    {limit: 100, offset: 0});
});
