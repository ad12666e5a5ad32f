// Account report (SPEC §4.1 view 6): one row per (user, course) with every figure and the
// user's groups — the account's spreadsheet — filtered by course, group, completed, certified
// and at risk (issue 20 point 8), the exports following the filters.

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {pageHeader, section, withStates, lifetime, guarded, tableView, atRiskCell} from
  './common.js';
import * as fmt from '../format.js';

const ANY_YES_NO = [{value: '', label: 'Any'}, {value: 'true', label: 'Yes'},
  {value: 'false', label: 'No'}];

// The groups the report's filter offers, in one request (GET /api/v1/groups): every group of
// the account for an account manager or an executive, a group manager's own groups; by name
// then key, in the API's order.
async function groupChoices(signal) {
  return (await api.get(api.path('groups'), signal)).groups;
}

export function reportView(main, route, ctx) {
  const life = lifetime();
  const body = h('div', {class: 'page'});
  const title = ctx.abilities.groupManager ? 'Report: the members of your groups'
    : 'Account report';
  clear(main).append(pageHeader(title, [['All courses', href(['courses'])]]), body);
  let table = null;

  withStates(body, ctx, life.signal, async (signal) => {
    const [courseList, groups] = await Promise.all([
      api.get(api.withQuery(api.path('courses'), {limit: 1000}), signal),
      groupChoices(signal)]);
    const courses = courseList.rows.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title
      ? 1 : 0));
    table = createTable({
      label: 'Account report',
      mode: 'server',
      // Fourteen columns: the window's width shows more of them (the rest scroll sideways).
      wide: true,
      ...tableColumns('report', [
        // The name opens the person's overview; the course, their page in it.
        {name: 'name', rowHeader: true, render: (r) => h('a',
          {href: href(['users', r.user]), dir: 'auto', text: r.name})},
        'email',
        // The groups' names, not their keys.
        'group_names',
        {name: 'title', label: 'Course', render: (r) => h('a',
          {href: href(['courses', r.course, 'users', r.user]), dir: 'auto', text: r.title})},
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
        {name: 'at_risk', render: atRiskCell},
      ]),
      filters: [
        {name: 'course', label: 'Course', options: [{value: '', label: 'All courses'},
          ...courses.map((c) => ({value: c.course, label: c.title}))]},
        {name: 'group', label: 'Group', options: [{value: '', label: 'All groups'},
          ...groups.map((g) => ({value: g.group, label: g.name}))]},
        {name: 'completed', label: 'Completed', options: ANY_YES_NO},
        {name: 'certified', label: 'Certified', options: ANY_YES_NO},
        {name: 'at_risk', label: 'At risk', options: ANY_YES_NO},
      ],
      load: guarded(ctx, (query, s) => api.get(api.withQuery(api.path('report'), query), s)),
      exportUrl: (query, format) => api.withQuery(api.path('report'), {...query, format}),
      rowKey: (r) => `${r.user}/${r.course}`,
      rowName: (r) => r.name,
      defaultSort: 'name',
      searchLabel: 'Search names or emails',
      emptyMessage: (state) => (state.q || Object.values(state.filters).some((v) => v !== '')
        ? 'No one matches this search and these filters.'
        : 'No one in this account is enrolled in a course yet.'),
    });
    body.append(section('Every person in every course', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
