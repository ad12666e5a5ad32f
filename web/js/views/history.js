// Exercise history (SPEC §4.1 view 5): every attempt with its figures and the mastery after it,
// a chart of mastery over the attempts, each attempt expandable to its responses.

import {h, clear, isolated} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns, clientColumn} from '../columns.js';
import {historyChart} from '../charts.js';
import {pageHeader, section, withStates, lifetime, tableView, overviewLine} from './common.js';
import * as fmt from '../format.js';

function responsesTable(row) {
  if (!row.detail.length) return h('p', {class: 'empty', text: 'No responses in this attempt.'});
  return h('table', {class: 'data nested'},
    h('caption', {text: `Responses of attempt ${row.attempt}`}),
    h('thead', {}, h('tr', {}, [['#', 'num'], ['Question'], ['Correct'], ['Hints', 'num'],
      ['Time', 'num'], ['Answered at'], ['Points', 'num']]
      .map(([t, c]) => h('th', {scope: 'col', class: c, text: t})))),
    h('tbody', {}, row.detail.map((d, i) => h('tr', {},
      h('td', {class: 'num', text: String(i + 1)}),
      h('th', {scope: 'row', text: d.question}),
      h('td', {text: d.correct ? 'Yes' : 'No', class: d.correct ? 'ok' : 'bad'}),
      h('td', {class: 'num', text: String(d.hints)}),
      h('td', {class: 'num', text: fmt.duration(d.time_ms / 1000)}),
      h('td', {text: fmt.dateTimeSeconds(d.answered_at)}),
      h('td', {class: 'num', text: String(d.points)})))));
}

export function historyView(main, route, ctx) {
  const {course, user, exercise} = ctx.params;
  const a = ctx.abilities;
  const life = lifetime();
  const header = h('div');
  const body = h('div', {class: 'page'});
  clear(main).append(header, body);
  header.append(pageHeader('Exercise history'));
  let table = null;

  withStates(body, ctx, life.signal, async (signal) => {
    const [v, history] = await Promise.all([
      api.get(api.path('courses', course, 'users', user), signal),
      api.get(api.path('courses', course, 'users', user, 'exercises', exercise, 'attempts'),
        signal),
    ]);
    const ex = v.exercises.find((e) => e.exercise === exercise);
    const exTitle = ex ? ex.title : exercise;
    const crumbs = a.learnerOnly ? [['My courses', href(['courses'])]]
      : [['All courses', href(['courses'])], [v.title, href(['courses', course])]];
    crumbs.push([a.learnerOnly ? v.title : `${v.name}`, href(['courses', course, 'users', user])]);
    clear(header).append(pageHeader([isolated(exTitle), ' · history'], crumbs));
    body.append(overviewLine(user, v.name, user === a.me));
    const rows = history.rows.map((r, i) => ({...r, number: i + 1}));
    if (ex) {
      body.append(h('p', {class: 'lead'},
        `${a.learnerOnly ? 'Your' : `${v.name}\u2019s`} mastery of this exercise: `,
        h('strong', {text: fmt.pct(ex.mastery)}), ex.mastered ? ' (mastered)' : ''));
    }
    if (rows.length === 0) {
      body.append(h('p', {class: 'empty', role: 'status', text: 'No attempt at this exercise yet.'}));
      return;
    }
    body.append(section('Mastery over attempts', h('div', {class: 'chart-row'},
      life.keep(historyChart(rows, v.mastery_threshold)))));
    table = createTable({
      label: 'Attempts',
      mode: 'client',
      ...tableColumns('history', [
        // The attempt's place in time, worked out here: not a declared column, so not sortable.
        // The table shows the API's chronological order until a header is clicked.
        clientColumn({key: 'number', label: '#', type: 'int'}),
        {name: 'started_at', label: 'Started', rowHeader: true},
        'duration',
        'responses',
        'correct',
        'incorrect',
        'hints',
        'score',
        'points',
        'mastery_after',
      ]),
      load: async () => rows,
      rowKey: (r) => r.attempt,
      rowName: (r) => r.started_at,
      rowLabel: (r) => `attempt ${r.number}`,
      pageSize: 25,
      expand: responsesTable,
      // The server sorts and pages the history by the same query: the files hold the rows shown.
      exportUrl: ({sort, order, limit, offset}, format) => api.withQuery(
        api.path('courses', course, 'users', user, 'exercises', exercise, 'attempts'),
        {sort, order, limit, offset, format}),
      emptyMessage: () => 'No attempt matches.',
    });
    body.append(section('Attempts', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
