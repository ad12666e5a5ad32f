// All courses (SPEC §4.1 view 1): for managers, the dashboard (issue 20 point 2) — headline
// tiles, the weekly activity over a range of weeks, the account's mastery over time (each
// course's line on request) — then mastery and certifications per course and the courses'
// table. For a learner, their own enrolments with their own figures, each opening their own
// progress.

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href, update as updateUrl} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns} from '../columns.js';
import {activityChart, coursesChart, masteryOverTime} from '../charts.js';
import {pageHeader, section, withStates, lifetime, figures, atRiskFigure} from './common.js';
import * as fmt from '../format.js';

const RANGES = [['4', 'Last 4 weeks'], ['12', 'Last 12 weeks'], ['52', 'Last 52 weeks'],
  ['custom', 'From … to …']];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

// The range the URL asks for: {weeks} (4, 12 or 52; 12 by default) or {from, to} (days).
export function rangeOf(params) {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && DAY.test(from) && DAY.test(to)) return {from, to};
  const weeks = params.get('weeks');
  return {weeks: RANGES.some(([v]) => v === weeks) && weeks !== 'custom' ? weeks : '12'};
}

function rangeKey(params) {
  return JSON.stringify(rangeOf(params));
}

// The range picker: a choice of the last 4, 12 or 52 weeks, or two days; written to the URL
// (a new history entry, as a filter is).
function rangePicker(range) {
  const choice = h('select', {name: 'range', id: 'range'}, RANGES.map(([v, label]) =>
    h('option', {value: v, text: label, selected: range.from ? v === 'custom' : v === range.weeks})));
  const from = h('input', {type: 'date', name: 'from', id: 'range-from', value: range.from || '',
    required: true});
  const to = h('input', {type: 'date', name: 'to', id: 'range-to', value: range.to || '',
    required: true});
  const custom = h('span', {class: 'range-custom', hidden: !range.from},
    h('label', {class: 'filter'}, h('span', {text: 'From'}), from),
    h('label', {class: 'filter'}, h('span', {text: 'To'}), to),
    h('button', {type: 'submit', class: 'button', text: 'Show'}));
  choice.addEventListener('change', () => {
    if (choice.value === 'custom') {
      custom.hidden = false;
      from.focus();
      return;
    }
    updateUrl({weeks: choice.value === '12' ? null : choice.value, from: null, to: null});
  });
  return h('form', {class: 'range toolbar', 'aria-label': 'Weeks shown', onsubmit: (e) => {
    e.preventDefault();
    const [a, b] = [from.value, to.value].sort();
    updateUrl({from: a, to: b, weeks: null});
  }}, h('label', {class: 'filter'}, h('span', {text: 'Weeks shown'}), choice), custom);
}

// The weekly figures as a table: what the charts draw, for screen readers and to read exactly.
function weeksTable(weeks) {
  const cols = ['Week', 'Active learners', 'Attempts', 'Completions', 'Certifications',
    'Mastery'];
  return h('details', {class: 'chart-data'}, h('summary', {text: 'The weeks as a table'}),
    h('div', {class: 'plain-scroll', tabindex: '0', role: 'region',
      'aria-label': 'Weekly activity, the table'},
    h('table', {class: 'data weeks'},
      h('caption', {class: 'visually-hidden', text: 'Weekly activity'}),
      h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', {scope: 'col', class: i ? 'num' : null,
        text: c})))),
      h('tbody', {}, weeks.map((w) => h('tr', {dataset: {week: w.week}},
        h('th', {scope: 'row', text: w.week}),
        h('td', {class: 'num', text: fmt.int(w.active)}),
        h('td', {class: 'num', text: fmt.int(w.attempts)}),
        h('td', {class: 'num', text: fmt.int(w.completions)}),
        h('td', {class: 'num', text: fmt.int(w.certifications)}),
        h('td', {class: 'num', text: fmt.pct(w.mastery)})))))));
}

// The dashboard's tiles: the account's (or a group manager's members') figures now.
function tiles(activity, courses) {
  return figures([
    ['Courses', fmt.int(courses)],
    ['Learners', fmt.int(activity.learners), `${fmt.int(activity.enrolments)} enrolments`],
    ['Mastery', fmt.pct(activity.mastery), 'mean over enrolments'],
    ['Completion rate', fmt.pct(activity.completion_rate), 'of enrolments'],
    ['Certification rate', fmt.pct(activity.certification_rate), 'of enrolments'],
    ['Active this week', fmt.int(activity.active_this_week), activity.learners > 0
      ? `${fmt.pct(activity.active_this_week / activity.learners)} of learners` : null],
    atRiskFigure(activity.at_risk, activity.enrolments > 0
      ? activity.at_risk / activity.enrolments : null, activity.enrolments, 'enrolments'),
  ]);
}

export function coursesView(main, route, ctx) {
  const a = ctx.abilities;
  const life = lifetime();
  const title = a.learnerOnly ? 'My courses' : 'All courses';
  const body = h('div', {class: 'page'});
  clear(main).append(pageHeader(title), body);
  let table = null;
  let rows = null;
  // The dashboard's parts that follow the URL (range, per-course lines), redrawn in place.
  const dash = {figures: h('div', {class: 'dash-figures'}), picker: h('div'), activity: h('div'),
    mastery: h('div'), charts: [], range: null, lines: null, controller: null};

  // Replaces what `box` holds, the focus staying on the control of the same id.
  const refill = (box, ...nodes) => {
    const focused = document.activeElement && box.contains(document.activeElement)
      ? document.activeElement.id : null;
    clear(box).append(...nodes);
    if (focused) document.getElementById(focused)?.focus();
  };

  const courseLink = (row) => h('a', {
    href: a.learnerOnly ? href(['courses', row.course, 'users', a.me]) : href(['courses', row.course]),
    dir: 'auto', text: row.title,
  });

  // The account's mastery line over the range, and each course's when asked for (every course:
  // the rows' weekly series, all in the one answer).
  function drawMastery(activity, params) {
    const withCourses = params.get('lines') === 'courses';
    const from = activity.from;
    const to = activity.to;
    const series = [{label: 'Every enrolment', emphasis: withCourses, weekly: activity.weeks
      .map((w) => ({week: w.week, mastery: w.mastery}))}];
    if (withCourses) {
      for (const r of rows) {
        series.push({label: r.title, weekly: (r.weekly || [])
          .filter((w) => w.week >= from && w.week <= to)});
      }
    }
    const box = h('input', {type: 'checkbox', id: 'course-lines', checked: withCourses,
      onchange: (e) => updateUrl({lines: e.target.checked ? 'courses' : null},
        {replace: true})});
    const chart = masteryOverTime(withCourses ? 'Mastery over time: every enrolment and each course'
      : 'Mastery over time: every enrolment', series);
    dash.charts.push(chart);
    refill(dash.mastery, h('label', {class: 'inline-check'}, box,
      ` A line for each course (${fmt.int(rows.length)})`), chart.element);
    dash.lines = withCourses;
  }

  function activityFailed(e) {
    if (e.name === 'AbortError' || life.signal.aborted) return;
    if (e instanceof api.ApiError && e.status === 401) {
      ctx.onUnauthorized();
      return;
    }
    clear(dash.activity).append(h('p', {class: 'error', role: 'alert',
      text: `Could not load the activity: ${e.message}`}));
  }

  async function drawDashboard(params) {
    if (dash.controller) dash.controller.abort();
    dash.controller = new AbortController();
    const signal = dash.controller.signal;
    const range = rangeOf(params);
    dash.range = rangeKey(params);
    refill(dash.picker, rangePicker(range));
    const activity = await api.get(api.withQuery(api.path('activity'), range), signal);
    if (signal.aborted || life.signal.aborted) return;
    dash.charts.forEach((c) => c.destroy());
    dash.charts = [];
    clear(dash.figures).append(tiles(activity, rows.length));
    const chart = activityChart(activity.weeks);
    dash.charts.push(chart);
    clear(dash.activity).append(
      h('p', {class: 'range-said', dataset: {from: activity.from, to: activity.to}},
        `${fmt.int(activity.weeks.length)} week${activity.weeks.length === 1 ? '' : 's'}, from ` +
        `the week of ${activity.from} to the week of ${activity.to}`),
      chart.element, weeksTable(activity.weeks));
    drawMastery(activity, params);
    dash.activityData = activity;
  }

  withStates(body, ctx, life.signal, async (signal) => {
    // Every course, each with its weekly series for the chart (one request, no cap).
    const data = await api.get(api.withQuery(api.path('courses'),
      {limit: 1000, weekly: a.learnerOnly ? null : true}), signal);
    rows = data.rows;
    if (rows.length === 0) {
      body.append(h('p', {class: 'empty', role: 'status', text: a.learnerOnly
        ? 'You are not enrolled in any course yet.'
        : 'No one in this account is enrolled in a course yet.'}));
      return;
    }
    let drawn = null;
    if (!a.learnerOnly) {
      body.append(dash.figures, section('Activity', dash.picker, dash.activity),
        section('Mastery over time', dash.mastery));
      // The activity failing leaves the rest of the page (the courses) standing.
      drawn = drawDashboard(ctx.route.params).catch(activityFailed);
    }
    const charts = h('div', {class: 'chart-row'}, life.keep(coursesChart(rows,
      {certifications: !a.learnerOnly})));
    body.append(section(a.learnerOnly ? 'Dashboard' : 'Courses compared', charts));
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
    await Promise.all([table.update(ctx.route.params), drawn]);
  });

  return {
    update(r) {
      if (table) table.update(r.params);
      if (!rows || a.learnerOnly || !dash.activityData) return;
      if (rangeKey(r.params) !== dash.range) {
        drawDashboard(r.params).catch(activityFailed);
      } else if ((r.params.get('lines') === 'courses') !== dash.lines) {
        const old = dash.charts.pop();
        if (old) old.destroy();
        drawMastery(dash.activityData, r.params);
      }
    },
    destroy() {
      life.destroy();
      if (dash.controller) dash.controller.abort();
      dash.charts.forEach((c) => c.destroy());
      if (table) table.destroy();
    },
  };
}
