// All courses (SPEC §4.1 view 1): the courses with enrolled users, with a chart of mastery and
// certifications per course and the account's mastery over time. For a learner, their own
// enrolments with their own figures, each opening their own progress.

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {coursesChart, masteryOverTime} from '../charts.js';
import {pageHeader, section, withStates, lifetime, figures, tableView, atRiskFigure} from
  './common.js';
import * as fmt from '../format.js';

export function coursesView(main, route, ctx) {
  const a = ctx.abilities;
  const life = lifetime();
  const title = a.learnerOnly ? 'My courses' : 'All courses';
  const body = h('div', {class: 'page'});
  clear(main).append(pageHeader(title), body);
  let table = null;

  const courseLink = (row) => h('a', {
    href: a.learnerOnly ? href(['courses', row.course, 'users', a.me]) : href(['courses', row.course]),
    text: row.title,
  });

  withStates(body, ctx, life.signal, async (signal) => {
    // Every course, each with its weekly series for the chart (one request, no cap).
    const data = await api.get(api.withQuery(api.path('courses'),
      {limit: 1000, weekly: a.learnerOnly ? null : true}), signal);
    const rows = data.rows;
    if (rows.length === 0) {
      body.append(h('p', {class: 'empty', role: 'status', text: a.learnerOnly
        ? 'You are not enrolled in any course yet.'
        : 'No one in this account is enrolled in a course yet.'}));
      return;
    }
    const users = rows.reduce((n, r) => n + r.users, 0);
    if (!a.learnerOnly) {
      // At risk over every enrolment: each course's count, summed (a person in two courses may
      // be at risk in both).
      const atRisk = rows.reduce((n, r) => n + r.at_risk, 0);
      body.append(figures([
        ['Courses', fmt.int(rows.length)],
        ['Enrolments', fmt.int(users)],
        ['Certified', fmt.int(rows.reduce((n, r) => n + r.certified, 0))],
        ['Completed', fmt.int(rows.reduce((n, r) => n + r.completed, 0))],
        atRiskFigure(atRisk, users > 0 ? atRisk / users : null, users, 'enrolments'),
      ]));
    }
    const charts = h('div', {class: 'chart-row'}, life.keep(coursesChart(rows,
      {certifications: !a.learnerOnly})));
    body.append(section('Dashboard', charts));
    table = createTable({
      label: title,
      mode: 'client',
      ...tableColumns('courses', [
        {name: 'title', label: 'Course', rowHeader: true, render: courseLink},
        ...(a.learnerOnly ? [] : ['users']),
        'mastery',
        // A learner's own counts are 0 or 1: whether they are certified, have completed.
        a.learnerOnly ? {name: 'certified', render: (r) => fmt.yesNo(r.certified), numeric: false}
          : 'certified',
        a.learnerOnly ? {name: 'completed', render: (r) => fmt.yesNo(r.completed), numeric: false}
          : 'completed',
        // At risk, emphasised, opens the course's at-risk list; its share of the users.
        ...(a.learnerOnly ? [] : [
          {name: 'at_risk', numeric: true, render: (r) => h('a', {
            class: r.at_risk > 0 ? 'risk' : null, href: href(['courses', r.course], {at_risk: 'true'}),
            'aria-label': `${fmt.int(r.at_risk)} at risk in ${r.title}: see who`,
            text: fmt.int(r.at_risk)})},
          {name: 'at_risk_share', label: 'Share at risk'},
        ]),
        'score',
      ]),
      load: async () => rows,
      rowKey: (r) => r.course,
      rowName: (r) => r.title,
      defaultSort: 'title',
      searchLabel: 'Search courses',
      exportUrl: (query, format) => api.withQuery(api.path('courses'), {...query, format}),
      emptyMessage: () => 'No course matches this search.',
    });
    body.append(section(a.learnerOnly ? 'Your courses' : 'Courses', table.element));
    await table.update(ctx.route.params);
    if (!a.learnerOnly) {
      // The account's mastery over time: every course's weekly line (SPEC §3.4).
      const series = rows.map((r) => ({label: r.title, weekly: r.weekly || []}));
      if (!signal.aborted) {
        charts.append(life.keep(masteryOverTime('The account\u2019s mastery over time', series)));
      }
    }
  });

  return tableView(life, () => table);
}
