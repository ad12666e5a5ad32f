// Account report (SPEC §4.1 view 6): one row per (user, course) with every figure and the
// user's groups — the account's spreadsheet.

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {pageHeader, section, withStates, lifetime, guarded, tableView} from './common.js';
import * as fmt from '../format.js';

export function reportView(main, route, ctx) {
  const life = lifetime();
  const body = h('div', {class: 'page'});
  const title = ctx.abilities.groupManager ? 'Report: the members of your groups'
    : 'Account report';
  clear(main).append(pageHeader(title, [['All courses', href(['courses'])]]), body);
  let table = null;

  withStates(body, ctx, life.signal, async () => {
    table = createTable({
      label: 'Account report',
      mode: 'server',
      // Fourteen columns: the window's width shows more of them (the rest scroll sideways).
      wide: true,
      ...tableColumns('report', [
        {name: 'name', rowHeader: true, render: (r) => h('a',
          {href: href(['courses', r.course, 'users', r.user]), text: r.name})},
        'email',
        'groups',
        {name: 'title', label: 'Course'},
        'mastery',
        'progress',
        // The day is enough in this wide table: "Completed 2026-03-01".
        {name: 'completed_at', label: 'Completed', render: (r) => fmt.date(r.completed_at)},
        {name: 'certified_at', label: 'Certified', render: (r) => fmt.date(r.certified_at)},
        'score',
        'points',
        'time',
        'attempts',
        'hints',
        'last_active',
      ]),
      load: guarded(ctx, (query, s) => api.get(api.withQuery(api.path('report'), query), s)),
      exportUrl: (query, format) => api.withQuery(api.path('report'), {...query, format}),
      rowKey: (r) => `${r.user}/${r.course}`,
      rowName: (r) => r.name,
      defaultSort: 'name',
      searchLabel: 'Search names or emails',
      emptyMessage: (state) => (state.q || Object.keys(state.filters).length
        ? 'No one matches this search and these filters.'
        : 'No one in this account is enrolled in a course yet.'),
    });
    body.append(section('Every person in every course', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
