// A person's overview (issue 20 point 6): who they are (email, groups), each of their courses
// with its figures (each opening their page in that course), their certifications, badges and
// awards. A learner sees their own; a manager the people in their scope (the API answers 404
// for anyone else, which is the Not found page).

import {h, clear, isolated} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {pageHeader, section, withStates, lifetime, figures} from './common.js';
import * as fmt from '../format.js';

function listOrEmpty(items, emptyText, render) {
  if (!items.length) return h('p', {class: 'empty', text: emptyText});
  return h('ul', {class: 'plain-list'}, items.map((x) => h('li', {}, render(x))));
}

// A course's state for the person, in words: at risk stands out; not started is marked.
function stateCell(c) {
  if (c.at_risk) return h('strong', {class: 'risk', text: 'At risk'});
  if (c.not_started) return h('span', {class: 'marker not-started', text: 'Not started'});
  return 'On track';
}

// "3 days ago", "today".
function daysAgo(days) {
  if (days === null || days === undefined) return '';
  if (days === 0) return '(today)';
  return `(${fmt.int(days)} day${days === 1 ? '' : 's'} ago)`;
}

// The enrolments as a table: one row a course, in the API's order (by title).
function coursesTable(user, courses) {
  const cols = [
    ['Course', null], ['Enrolled', null], ['Mastery', 'num'], ['Progress', 'num'],
    ['Completed', null], ['Certified', null], ['Score', 'num'], ['Points', 'num'],
    ['Time', 'num'], ['Last active', null], ['State', null]];
  return h('div', {class: 'plain-scroll', tabindex: '0', role: 'region',
    'aria-label': 'Courses, the table'},
  h('table', {class: 'data person-courses'},
    h('caption', {class: 'visually-hidden', text: 'Courses'}),
    h('thead', {}, h('tr', {}, cols.map(([t, c]) => h('th', {scope: 'col', class: c, text: t})))),
    h('tbody', {}, courses.map((c) => h('tr', {dataset: {key: c.course}},
      h('th', {scope: 'row', dataset: {col: 'title'}},
        h('a', {href: href(['courses', c.course, 'users', user]), dir: 'auto', text: c.title})),
      h('td', {dataset: {col: 'enrolled_at'}, text: fmt.date(c.enrolled_at)}),
      h('td', {class: 'num', dataset: {col: 'mastery'}, text: fmt.pct(c.mastery),
        title: `Mastered at ${fmt.threshold(c.mastery_threshold)}`}),
      h('td', {class: 'num', dataset: {col: 'progress'}, text: fmt.pct(c.progress)}),
      h('td', {dataset: {col: 'completed_at'}, text: c.completed_at ? fmt.date(c.completed_at)
        : 'No'}),
      h('td', {dataset: {col: 'certified_at'}, text: c.certified_at ? fmt.date(c.certified_at)
        : 'No'}),
      h('td', {class: 'num', dataset: {col: 'score'}, text: fmt.pct(c.score)}),
      h('td', {class: 'num', dataset: {col: 'points'}, text: fmt.int(c.points)}),
      h('td', {class: 'num', dataset: {col: 'time'}, text: fmt.duration(c.time)}),
      h('td', {dataset: {col: 'last_active'}}, fmt.dateTime(c.last_active),
        h('small', {class: 'days', text: c.last_active ? ` ${daysAgo(c.days_inactive)}` : ''})),
      h('td', {dataset: {col: 'state'}}, stateCell(c)))))));
}

export function personView(main, route, ctx) {
  const {user} = ctx.params;
  const a = ctx.abilities;
  const self = user === a.me;
  const life = lifetime();
  const header = h('div');
  const body = h('div', {class: 'page'});
  clear(main).append(header, body);
  const crumbs = [[a.learnerOnly ? 'My courses' : 'All courses', href(['courses'])]];
  header.append(pageHeader(self ? 'Your overview' : 'Person', crumbs));

  withStates(body, ctx, life.signal, async (signal) => {
    const p = await api.get(api.path('users', user), signal);
    clear(header).append(pageHeader(self ? [isolated(p.name), ' · your overview']
      : [isolated(p.name)], crumbs));
    const titleOf = new Map(p.courses.map((c) => [c.course, c.title]));
    // The groups' names, each in a direction of its own.
    const groups = p.groups.map((g, i) => [i ? ', ' : '', isolated(g.name)]);
    body.append(h('dl', {class: 'person-facts'},
      h('div', {}, h('dt', {text: 'Email'}), h('dd', {dataset: {fact: 'email'},
        text: p.email || fmt.DASH})),
      h('div', {}, h('dt', {text: 'Key'}), h('dd', {dataset: {fact: 'user'}, text: p.user})),
      h('div', {}, h('dt', {text: 'Groups'}), h('dd', {dataset: {fact: 'groups'}},
        groups.length ? groups : 'None')),
      h('div', {}, h('dt', {text: 'Status'}), h('dd', {dataset: {fact: 'active'},
        text: p.active ? 'Active' : 'Inactive'}))));
    const count = (f) => p.courses.filter(f).length;
    body.append(figures([
      ['Courses', fmt.int(p.courses.length)],
      ['Completed', fmt.int(count((c) => c.completed_at))],
      ['Certified', fmt.int(count((c) => c.certified_at))],
      ['At risk', fmt.int(count((c) => c.at_risk))],
      ['Not started', fmt.int(count((c) => c.not_started))],
    ], 'Figures across courses'));
    body.append(section('Courses', p.courses.length ? coursesTable(user, p.courses)
      : h('p', {class: 'empty', role: 'status', text: self
        ? 'You are not enrolled in any course yet.' : 'Not enrolled in any course yet.'})));
    const courseName = (key) => (key ? titleOf.get(key) || key : null);
    body.append(section('Certifications, badges and awards', h('div', {class: 'columns'},
      h('div', {dataset: {list: 'certifications'}}, h('h3', {text: 'Certifications'}),
        listOrEmpty(p.certifications, 'No certification yet.', (c) => [
          h('strong', {dir: 'auto', text: c.title}), ` · issued ${fmt.date(c.issued_at)}`,
          c.expires_at ? ` · expires ${fmt.date(c.expires_at)}` : ' · does not expire',
          c.imported || c.source === 'imported' ? ' · imported' : ''])),
      h('div', {dataset: {list: 'badges'}}, h('h3', {text: 'Badges'}),
        listOrEmpty(p.badges, 'No badge yet.', (b) => [
          h('strong', {dir: 'auto', text: fmt.badgeName(b.badge, b.chapter_title)}), ' · ',
          isolated(b.title),
          ` · ${fmt.date(b.awarded_at)}`])),
      h('div', {dataset: {list: 'awards'}}, h('h3', {text: 'Awards'}),
        listOrEmpty(p.awards, 'No award yet.', (w) => [
          h('strong', {dir: 'auto', text: w.title}), w.note ? [' — ', isolated(w.note)] : '',
          h('small', {text: ` ${w.course ? `for ${courseName(w.course)}, ` : ''}granted${
            w.granted_by ? ` by ${w.granted_by}` : ''} on ${fmt.date(w.granted_at)}`})])))));
  });

  return {destroy: () => life.destroy()};
}
