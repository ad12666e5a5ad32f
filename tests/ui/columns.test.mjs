// web/js/columns.js builds a view's columns from the server's declaration (/api/v1/columns): the
// view picks columns and words them; format and sortability come from the declaration only.
import assert from 'node:assert/strict';
import test from 'node:test';

import {clientColumn, defaultLabel, loadColumns, setDeclaration, tableColumns}
  from '../../web/js/columns.js';

const col = (name, title, type, sort, nullable = false) =>
  ({name, title, type, unit: null, nullable, sort});
const declaration = {tables: {
  league: {columns: [
    col('rank', 'Rank', 'integer', 'number'),
    col('user', 'User', 'key', 'bytes'),
    col('name', 'Name', 'text', 'bytes'),
    col('mastery', 'Mastery %', 'fraction', 'fraction'),
    col('time', 'Time', 'duration', 'number'),
    col('last_active', 'Last active', 'instant', 'number', true),
    col('week', 'Week', 'date', 'number'),
    col('at_risk', 'At risk', 'bool', 'false_first'),
    col('groups', 'Groups', 'key_list', null),
    col('note', 'Note', 'text', null),
  ], tie_break: ['name', 'user']},
}};
const tables = setDeclaration(declaration);

test('a label is the declared title without its " %"', () => {
  assert.equal(defaultLabel('Mastery %'), 'Mastery');
  assert.equal(defaultLabel('Mastery after %'), 'Mastery after');
  assert.equal(defaultLabel('Time (ms)'), 'Time (ms)');
});

test('the format of each cell is that of its declared type', () => {
  const {columns} = tableColumns('league', ['rank', 'user', 'name', 'mastery', 'time',
    'last_active', 'week', 'at_risk', 'groups'], tables);
  assert.deepEqual(columns.map((c) => [c.key, c.label, c.type]), [
    ['rank', 'Rank', 'int'], ['user', 'User', 'text'], ['name', 'Name', 'text'],
    ['mastery', 'Mastery', 'pct'], ['time', 'Time', 'duration'],
    ['last_active', 'Last active', 'date'], ['week', 'Week', 'day'], ['at_risk', 'At risk', 'bool'],
    ['groups', 'Groups', 'list']]);
});

test('the view words, renders and heads rows; it orders the columns', () => {
  const render = (r) => r.name;
  const {columns, sorting} = tableColumns('league', [
    {name: 'name', label: 'Person', rowHeader: true, render}, 'mastery', 'rank'], tables);
  assert.deepEqual(columns.map((c) => c.key), ['name', 'mastery', 'rank']);
  assert.equal(columns[0].label, 'Person');
  assert.equal(columns[0].rowHeader, true);
  assert.equal(columns[0].render, render);
  assert.equal(columns[0].type, 'text');
  assert.deepEqual(sorting.tieBreak, ['name', 'user']);
  assert.equal(sorting.rules.mastery, 'fraction');
  assert.equal(sorting.rules.groups, null);
});

test('a header sorts only when its column is declared sortable', () => {
  const {columns} = tableColumns('league', ['mastery', 'groups', 'note'], tables);
  assert.deepEqual(columns.map((c) => [c.sort, c.sortable]),
    [['mastery', true], ['groups', false], ['note', false]]);
});

test('a column may sort by another declared sortable column, never become sortable', () => {
  const {columns} = tableColumns('league', [{name: 'user', sort: 'name'},
    {name: 'groups', sort: 'name'}, {name: 'name', sort: 'note'}], tables);
  assert.deepEqual(columns.map((c) => [c.sort, c.sortable]),
    [['name', true], ['name', false], ['note', false]]);
});

test('a column the declaration lacks is an error, unless a client column (never sortable)', () => {
  assert.throws(() => tableColumns('league', ['score'], tables), /no column 'score' in 'league'/);
  assert.throws(() => tableColumns('nowhere', ['rank'], tables), /no table 'nowhere'/);
  const {columns} = tableColumns('league', [clientColumn({key: 'order', label: '#',
    type: 'int'}), 'rank'], tables);
  assert.deepEqual(columns.map((c) => [c.key, c.label, c.type, c.sortable]),
    [['order', '#', 'int', false], ['rank', 'Rank', 'int', true]]);
});

test('a view says nothing but presentation: not the type, not sortable', () => {
  assert.throws(() => tableColumns('league', [{name: 'mastery', type: 'int'}], tables),
    /'type' is not a view's to say/);
  assert.throws(() => tableColumns('league', [{name: 'groups', sortable: true}], tables),
    /'sortable' is not a view's to say/);
});

test('a declaration this UI cannot read is refused at load', async () => {
  assert.throws(() => setDeclaration({}), /no "tables"/);
  assert.throws(() => setDeclaration({tables: {t: {columns: [col('a', 'A', 'money', null)],
    tie_break: []}}}), /column .* of 't'/);
  assert.throws(() => setDeclaration({tables: {t: {columns: [col('a', 'A', 'text', 'dice')],
    tie_break: []}}}), /column .* of 't'/);
  assert.throws(() => setDeclaration({tables: {t: {columns: [col('a', 'A', 'text', null)],
    tie_break: ['a']}}}), /tie-break 'a' of 't'/);
  await assert.rejects(loadColumns(async () => {
    throw Object.assign(new Error('Not Found'), {status: 404});
  }), (e) => /Could not load the table columns .*Not Found/.test(e.message) && !e.status);
  const loaded = await loadColumns(async (url) => {
    assert.equal(url, '/api/v1/columns');
    return declaration;
  });
  assert.deepEqual(Object.keys(loaded), ['league']);
  // Loaded, the declaration is the default of tableColumns.
  assert.equal(tableColumns('league', ['rank']).columns[0].label, 'Rank');
});
