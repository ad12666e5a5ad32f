// Group summary (SPEC §4.1 view 3): the course's group league; each group opens its own user
// league. A group manager sees only the groups they manage (the API answers only those).

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {pageHeader, section, withStates, lifetime, guarded, tableView} from './common.js';
import * as fmt from '../format.js';

export function groupsView(main, route, ctx) {
  const {course} = ctx.params;
  const life = lifetime();
  const header = h('div');
  const body = h('div', {class: 'page'});
  clear(main).append(header, body);
  header.append(pageHeader('Group summary', [['All courses', href(['courses'])]]));
  let table = null;

  withStates(body, ctx, life.signal, async (signal) => {
    const detail = await api.get(api.path('courses', course), signal);
    clear(header).append(pageHeader(`Group summary · ${detail.title}`,
      [['All courses', href(['courses'])], [detail.title, href(['courses', course])]]));
    table = createTable({
      label: 'Group league',
      mode: 'server',
      ...tableColumns('groups', [
        'rank',
        {name: 'name', label: 'Group', rowHeader: true,
          render: (r) => h('a', {href: href(['courses', course, 'groups', r.group]), text: r.name})},
        // A group's users are its members here.
        {name: 'users', label: 'Members'},
        'mastery',
        'completed',
        'certified',
        // At risk, emphasised, opens the group's at-risk list; its share of the members.
        {name: 'at_risk', render: (r) => h('a', {class: r.at_risk > 0 ? 'risk' : null,
          href: href(['courses', course, 'groups', r.group], {at_risk: 'true'}),
          'aria-label': `${fmt.int(r.at_risk)} at risk in ${r.name}: see who`,
          text: fmt.int(r.at_risk)}), numeric: true},
        {name: 'at_risk_share', label: 'Share at risk'},
        'score',
        'points',
        'time',
      ]),
      load: guarded(ctx, (query, s) =>
        api.get(api.withQuery(api.path('courses', course, 'groups'), query), s)),
      exportUrl: (query, format) =>
        api.withQuery(api.path('courses', course, 'groups'), {...query, format}),
      rowKey: (r) => r.group,
      rowName: (r) => r.name,
      defaultSort: 'rank',
      searchLabel: 'Search groups',
      emptyMessage: (state) => (state.q ? 'No group matches this search.'
        : 'No group has an enrolled member in this course yet.'),
    });
    body.append(section('Group league', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
