// Course (SPEC §4.1 view 2): headline figures, the settings in force, the chapter strengths and
// weaknesses (weakest first), mastery over time and the user league table with its filters.
// With a :group it is that group's own user league (view 3's drill-down).

import {h, clear, isolated} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {chaptersChart, masteryOverTime} from '../charts.js';
import {pageHeader, section, withStates, lifetime, figures, guarded, tableView, atRiskFigure,
  personCell, atRiskCell, progressLink} from './common.js';
import {bandsSection} from '../bands.js';
import * as fmt from '../format.js';

const ANY_YES_NO = [{value: '', label: 'Any'}, {value: 'true', label: 'Yes'},
  {value: 'false', label: 'No'}];

export function settingsList(settings) {
  const names = {
    mastery_model: 'Mastery model', mastery_window: 'Mastery window (responses)',
    mastery_threshold: 'Mastered at', p_init: 'BKT p_init', p_learn: 'BKT p_learn',
    p_guess: 'BKT p_guess', p_slip: 'BKT p_slip', points_per_question: 'Points per question',
    max_attempt_seconds: 'Longest attempt counted', certification_mastery: 'Certified at',
    certification_valid_days: 'Certification valid for', at_risk_days: 'At risk after',
  };
  const show = (k, v) => {
    if (v === null || v === undefined) return k === 'certification_valid_days' ? 'ever' : fmt.DASH;
    if (k === 'mastery_threshold' || k === 'certification_mastery') return fmt.pct(v);
    if (k === 'max_attempt_seconds') return fmt.duration(v);
    if (k === 'certification_valid_days' || k === 'at_risk_days') return `${v} days`;
    return String(v);
  };
  const bkt = settings.mastery_model === 'bkt';
  return h('details', {class: 'settings'}, h('summary', {text: 'Settings in force'}),
    h('dl', {}, Object.entries(settings)
      .filter(([k]) => bkt || !k.startsWith('p_'))
      .map(([k, v]) => h('div', {}, h('dt', {text: names[k] || k}), h('dd', {text: show(k, v)})))));
}

function completedCell(row) {
  return row.completed ? fmt.date(row.completed_at) : 'No';
}
function certifiedCell(row) {
  return row.certified ? fmt.date(row.certified_at) : 'No';
}
// The last response's day, or a "Not started" marker for someone with none.
function lastActiveCell(row) {
  return row.not_started ? h('span', {class: 'marker not-started', text: 'Not started'})
    : fmt.dateTime(row.last_active);
}

// The figures, bands and charts of a course (`detail`: GET /api/v1/courses/{course}) or of a
// group in it (`detail`: GET /api/v1/courses/{course}/groups/{group}, the same document over
// the group's members).
function overview(detail, course, group, life) {
  const of = group ? 'members' : 'users';
  const list = group ? href(['courses', course, 'groups', group], {at_risk: 'true'})
    : href(['courses', course], {at_risk: 'true'});
  const parts = [figures([
    [group ? 'Members enrolled' : 'Users', fmt.int(detail.users)],
    ['Mastery', fmt.pct(detail.mastery), `mean ${group ? 'group' : 'course'} mastery`],
    ['Completed', fmt.int(detail.completed), detail.users > 0
      ? `${fmt.pct(detail.completed / detail.users)} of ${of}` : null],
    ['Certified', fmt.int(detail.certified), detail.users > 0
      ? `${fmt.pct(detail.certified / detail.users)} of ${of}` : null],
    atRiskFigure(detail.at_risk, detail.at_risk_share, detail.users, of, list),
    ['Score', fmt.pct(detail.score)],
    ['Points', fmt.int(detail.points)],
    ['Time', fmt.duration(detail.time), detail.avg_time !== undefined
      ? `${fmt.duration(detail.avg_time)} per ${group ? 'member' : 'user'}` : null],
  ])];
  if (!group && detail.settings) parts.push(settingsList(detail.settings));
  if (detail.bands && typeof detail.mastery_threshold === 'number') {
    parts.push(section(group ? 'How the members are spread' : 'How the users are spread',
      bandsSection(detail, group ? 'Whole group' : 'Whole course')));
  }
  const charts = h('div', {class: 'chart-row'});
  charts.append(life.keep(chaptersChart('Mastery by chapter, weakest first', detail.chapters,
    detail.mastery_threshold)));
  if (detail.weekly && detail.weekly.length) {
    charts.append(life.keep(masteryOverTime(group ? 'The group\u2019s mastery over time'
      : 'Mastery over time', [{label: group ? detail.name : detail.title,
      weekly: detail.weekly}])));
  }
  parts.push(section('Strengths and weaknesses', charts));
  return parts;
}

export function courseView(main, route, ctx) {
  const {course, group} = ctx.params;
  const life = lifetime();
  const body = h('div', {class: 'page'});
  const header = h('div');
  clear(main).append(header, body);
  let table = null;

  header.append(pageHeader(group ? 'Group' : 'Course', [['All courses', href(['courses'])]]));

  withStates(body, ctx, life.signal, async (signal) => {
    // A group's page exists when its document does: the API answers 404 for a group that is
    // unknown or not this person's, and so the page is Not found (withStates).
    const [detail, groups] = await Promise.all([
      api.get(group ? api.path('courses', course, 'groups', group) : api.path('courses', course),
        signal),
      group ? {rows: []} : api.get(api.withQuery(api.path('courses', course, 'groups'),
        {limit: 1000, sort: 'name'}), signal).catch(() => ({rows: []})),
    ]);
    const groupName = group ? detail.name : '';
    const courseTitle = detail.title;
    const crumbs = [['All courses', href(['courses'])]];
    if (group) {
      crumbs.push([courseTitle, href(['courses', course])],
        ['Group summary', href(['courses', course, 'groups'])]);
    }
    clear(header).append(pageHeader(group ? [isolated(groupName), ' · ', isolated(courseTitle)]
      : [isolated(courseTitle)],
      crumbs, group ? null : h('a', {class: 'button', id: 'jump-groups',
        href: href(['courses', course, 'groups']), text: 'Jump to group summary'})));
    body.append(...overview(detail, course, group, life));

    const groupOptions = [{value: '', label: 'All groups'},
      ...groups.rows.map((g) => ({value: g.group, label: g.name}))];
    table = createTable({
      label: group ? `Users of ${groupName}` : 'User league',
      mode: 'server',
      ...tableColumns('league', [
        'rank',
        // The name opens the person's overview (every course of theirs); the progress, their
        // page in this course.
        {name: 'name', rowHeader: true, render: (r) => personCell(r, href(['users', r.user]))},
        'mastery',
        {name: 'progress', numeric: true, render: (r) => progressLink(course, r)},
        // The day when yes, "No" otherwise; sorted by the moment, those without one last in
        // both orders (a sort by yes/no would leave the days in name order).
        {name: 'completed', render: completedCell, sort: 'completed_at'},
        {name: 'certified', render: certifiedCell, sort: 'certified_at'},
        'score',
        'points',
        'time',
        {name: 'enrolled_at', label: 'Enrolled', render: (r) => fmt.date(r.enrolled_at)},
        {name: 'last_active', render: lastActiveCell},
        {name: 'days_inactive', label: 'Days since last active'},
        {name: 'at_risk', render: atRiskCell},
      ]),
      filters: [
        // Only the groups this person may see are options; a link naming another (or an
        // unknown one) shows every group's people, as the filter offers no such choice.
        group ? {name: 'group', fixed: group, options: []}
          : {name: 'group', label: 'Group', options: groupOptions},
        {name: 'completed', label: 'Completed', options: ANY_YES_NO},
        {name: 'certified', label: 'Certified', options: ANY_YES_NO},
        {name: 'at_risk', label: 'At risk', options: ANY_YES_NO},
        {name: 'active', label: 'People', options: [{value: '', label: 'Active'},
          {value: 'false', label: 'Inactive'}]},
      ],
      load: guarded(ctx, (query, s) =>
        api.get(api.withQuery(api.path('courses', course, 'users'), query), s)),
      exportUrl: (query, format) =>
        api.withQuery(api.path('courses', course, 'users'), {...query, format}),
      rowKey: (r) => r.user,
      rowName: (r) => r.name,
      defaultSort: 'rank',
      searchLabel: 'Search names or emails',
      emptyMessage: (state) => {
        const filtered = state.q || Object.entries(state.filters)
          .some(([k, v]) => k !== 'group' && v !== '');
        if (filtered) return 'No one matches this search and these filters.';
        if (state.filters.group) return 'No one in this group is enrolled yet.';
        return 'No one is enrolled in this course yet.';
      },
    });
    body.append(section(group ? `Users in ${groupName}` : 'User league', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
