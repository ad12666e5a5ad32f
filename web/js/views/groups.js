// Group summary (SPEC §4.1 view 3): the course's group league; each group opens its own user
// league. A group manager sees only the groups they manage (the API answers only those).

import {h, clear, isolated} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns, clientColumn} from '../columns.js';
import {pageHeader, section, withStates, lifetime, guarded, tableView} from './common.js';
import {bandsCell, bandsLegend, heatLegend, heatMap} from '../bands.js';
import * as fmt from '../format.js';

// "34.5% (12)": a share of the members, with the count.
function shareCell(share, count) {
  return `${fmt.pct(share)} (${fmt.int(count)})`;
}

// Every row of the group league with each group's chapter means (?chapters=true), every page.
async function allGroupsByChapter(course, signal) {
  const rows = [];
  for (;;) {
    const page = await api.get(api.withQuery(api.path('courses', course, 'groups'),
      {chapters: true, sort: 'name', limit: 1000, offset: rows.length}), signal);
    rows.push(...page.rows);
    if (page.rows.length === 0 || rows.length >= page.total) return rows;
  }
}

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
    clear(header).append(pageHeader(['Group summary · ', isolated(detail.title)],
      [['All courses', href(['courses'])], [detail.title, href(['courses', course])]]));
    const threshold = detail.mastery_threshold;
    table = createTable({
      label: 'Group league',
      mode: 'server',
      wide: true,
      ...tableColumns('groups', [
        'rank',
        {name: 'name', label: 'Group', rowHeader: true,
          render: (r) => h('a', {href: href(['courses', course, 'groups', r.group]), dir: 'auto',
            text: r.name})},
        // A group's users are its members here.
        {name: 'users', label: 'Members'},
        'mastery',
        // How the members are spread (a bar with its text), at the course's threshold.
        clientColumn({key: 'bands', label: 'Bands', render: (r) => bandsCell(r.bands, threshold)}),
        // Completed and certified as shares of the members (a fair comparison of groups of
        // different sizes), with the counts.
        {name: 'completed_share', label: 'Completed',
          render: (r) => shareCell(r.completed_share, r.completed)},
        {name: 'certified_share', label: 'Certified',
          render: (r) => shareCell(r.certified_share, r.certified)},
        // At risk, emphasised, opens the group's at-risk list; its share of the members.
        {name: 'at_risk', render: (r) => h('a', {class: r.at_risk > 0 ? 'risk' : null,
          href: href(['courses', course, 'groups', r.group], {at_risk: 'true'}),
          'aria-label': `${fmt.int(r.at_risk)} at risk in ${r.name}: see who`,
          text: fmt.int(r.at_risk)}), numeric: true},
        {name: 'at_risk_share', label: 'Share at risk'},
        {name: 'avg_time', label: 'Time per member'},
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
    body.append(section('Group league', bandsLegend(threshold), table.element));
    const heat = h('div', {class: 'heat'});
    body.append(section('Mastery by group and chapter', h('p', {class: 'bands-threshold'},
      'Each group\u2019s mean mastery of each chapter, coloured at this course\u2019s threshold: ',
      h('strong', {text: `mastered = ≥ ${fmt.threshold(threshold)}`})),
      heatLegend(threshold), heat));
    const groupHref = (g) => href(['courses', course, 'groups', g.group]);
    await Promise.all([table.update(ctx.route.params), (async () => {
      const rows = await allGroupsByChapter(course, signal);
      if (rows.length === 0) {
        heat.append(h('p', {class: 'empty', text: 'No group has an enrolled member yet.'}));
        return;
      }
      heat.append(heatMap(rows, detail.chapters, threshold, groupHref));
    })()]);
  });

  return tableView(life, () => table);
}
