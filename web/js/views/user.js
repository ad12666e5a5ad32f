// User in course (SPEC §4.1 view 4): progress and figures, certifications, badges and awards,
// the chapter breakdown, and the exercise summary whose Attempts open each exercise's history.

import {h, clear} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {chaptersChart} from '../charts.js';
import {pageHeader, section, withStates, lifetime, figures} from './common.js';
import * as fmt from '../format.js';

function listOrEmpty(items, emptyText, render) {
  if (!items.length) return h('p', {class: 'empty', text: emptyText});
  return h('ul', {class: 'plain-list'}, items.map((x) => h('li', {}, render(x))));
}

export function userView(main, route, ctx) {
  const {course, user} = ctx.params;
  const a = ctx.abilities;
  const life = lifetime();
  const header = h('div');
  const body = h('div', {class: 'page'});
  clear(main).append(header, body);
  header.append(pageHeader('Progress'));
  let table = null;

  withStates(body, ctx, life.signal, async (signal) => {
    const v = await api.get(api.path('courses', course, 'users', user), signal);
    const crumbs = a.learnerOnly ? [['My courses', href(['courses'])]]
      : [['All courses', href(['courses'])], [v.title, href(['courses', course])]];
    const title = a.learnerOnly || user === a.me ? `${v.title} · your progress`
      : `${v.name} · ${v.title}`;
    clear(header).append(pageHeader(title, crumbs));

    body.append(
      h('div', {class: 'progress-line'},
        h('label', {for: 'course-progress', text: `Progress ${fmt.pct(v.progress)}`}),
        h('progress', {id: 'course-progress', max: '1', value: String(v.progress)})),
      figures([
        ['Mastery', fmt.pct(v.mastery)],
        ['Score', fmt.pct(v.score)],
        ['Points', fmt.int(v.points)],
        ['Time', fmt.duration(v.time)],
        ['Attempts', fmt.int(v.attempts), v.hints !== undefined ? `${fmt.int(v.hints)} hints` : null],
        ['Completed', v.completed ? fmt.date(v.completed_at) : 'Not yet'],
        ['Certified', v.certified ? fmt.date(v.certified_at) : 'No'],
        ['Last active', fmt.dateTime(v.last_active), v.at_risk ? 'at risk' : null],
      ]));

    const chapterTitle = new Map(v.chapters.map((c) => [c.chapter, c.title]));
    const achievements = h('div', {class: 'columns'},
      h('div', {}, h('h3', {text: 'Certifications'}),
        listOrEmpty(v.certifications, 'No certification yet.', (c) => [
          h('strong', {text: `Issued ${fmt.date(c.issued_at)}`}),
          c.expires_at ? ` · expires ${fmt.date(c.expires_at)}` : ' · does not expire',
          c.source === 'imported' ? ' · imported' : ''])),
      h('div', {}, h('h3', {text: 'Badges'}),
        listOrEmpty(v.badges, 'No badge yet.', (b) => [
          h('strong', {text: fmt.badgeName(b.badge, chapterTitle)}),
          ` · ${fmt.date(b.awarded_at)}`])),
      h('div', {}, h('h3', {text: 'Awards'}),
        listOrEmpty(v.awards || [], 'No award yet.', (w) => [
          h('strong', {text: w.title}), w.note ? ` — ${w.note}` : '',
          h('small', {text: ` granted by ${w.granted_by} on ${fmt.date(w.granted_at)}`})])));
    body.append(section('Certifications, badges and awards', achievements));

    body.append(section('Strengths and weaknesses', h('div', {class: 'chart-row'},
      life.keep(chaptersChart('Mastery by chapter, weakest first', v.chapters)))));

    const rows = v.exercises.map((e, i) => ({...e, chapter_title: chapterTitle.get(e.chapter) || e.chapter,
      order: i}));
    table = createTable({
      label: 'Exercise summary',
      mode: 'client',
      columns: [
        {key: 'order', label: '#', type: 'int', render: (r) => String(r.order + 1)},
        {key: 'title', label: 'Exercise', rowHeader: true},
        {key: 'chapter_title', label: 'Chapter'},
        {key: 'mastery', label: 'Mastery', type: 'pct'},
        {key: 'mastered', label: 'Mastered', type: 'bool'},
        {key: 'score', label: 'Score', type: 'pct'},
        {key: 'attempts', label: 'Attempts', type: 'int', render: (r) => (r.attempts > 0
          ? h('a', {href: href(['courses', course, 'users', user, 'exercises', r.exercise]),
            class: 'attempts-link', text: `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`})
          : '0')},
        {key: 'hints', label: 'Hints', type: 'int'},
        {key: 'avg_time', label: 'Avg time', type: 'duration'},
        {key: 'last_attempt', label: 'Last attempt', type: 'date'},
      ],
      load: async () => rows,
      rowKey: (r) => r.exercise,
      rowName: (r) => r.title,
      defaultSort: 'order',
      pageSize: 100,
      searchLabel: 'Search exercises',
      filters: [
        {name: 'mastered', label: 'Mastered', options: [{value: '', label: 'Any'},
          {value: 'true', label: 'Yes'}, {value: 'false', label: 'No'}],
        match: (r, x) => String(r.mastered) === x},
        {name: 'chapter', label: 'Chapter', options: [{value: '', label: 'All chapters'},
          ...v.chapters.map((c) => ({value: c.chapter, label: c.title}))],
        match: (r, x) => r.chapter === x},
      ],
      exportUrl: (query, format) =>
        api.withQuery(api.path('courses', course, 'users', user), {format}),
      emptyMessage: () => 'No exercise matches.',
    });
    body.append(section('Exercise summary', table.element));
    await table.update(ctx.route.params);
  });

  return {
    update(r) {
      if (table) table.update(r.params);
    },
    destroy() {
      life.destroy();
      if (table) table.destroy();
    },
  };
}
