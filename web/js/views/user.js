// User in course (SPEC §4.1 view 4): progress and figures, certifications, badges and awards,
// the chapter breakdown, and the exercise summary whose Attempts open each exercise's history.

import {h, clear, isolated} from '../dom.js';
import * as api from '../api.js';
import {href} from '../router.js';
import {createTable} from '../table.js';
import {tableColumns, clientColumn} from '../columns.js';
import {chaptersChart} from '../charts.js';
import {pageHeader, section, withStates, lifetime, figures, tableView, overviewLine} from
  './common.js';
import * as fmt from '../format.js';

// Grant an award (POST /api/v1/awards, with the CSRF token); `done` refreshes the list.
function awardForm(course, user, done) {
  const title = h('input', {type: 'text', name: 'award-title', id: 'award-title', required: true,
    maxlength: '200'});
  const note = h('textarea', {name: 'award-note', id: 'award-note', rows: '2',
    maxlength: '2000'});
  const thisCourse = h('input', {type: 'checkbox', id: 'award-course', checked: true});
  const message = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'button', text: 'Grant award'});
  const form = h('form', {class: 'award-form'},
    h('label', {for: 'award-title', text: 'Title'}), title,
    h('label', {for: 'award-note', text: 'Note (optional)'}), note,
    h('label', {class: 'inline'}, thisCourse, ' For this course only'),
    message, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    submit.disabled = true;
    try {
      const body = {user, title: title.value.trim()};
      if (thisCourse.checked) body.course = course;
      if (note.value.trim()) body.note = note.value.trim();
      await api.post(api.path('awards'), body);
      title.value = '';
      note.value = '';
      await done();
    } catch (err) {
      message.textContent = `Could not grant the award: ${err.message}`;
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', {class: 'award-grant'}, h('summary', {text: 'Grant an award'}), form);
}

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
    const title = a.learnerOnly || user === a.me ? [isolated(v.title), ' · your progress']
      : [isolated(v.name), ' · ', isolated(v.title)];
    clear(header).append(pageHeader(title, crumbs));

    body.append(
      overviewLine(user, v.name, user === a.me),
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
    const awardsList = h('div');
    const awardsBox = h('div', {class: 'awards'}, h('h3', {text: 'Awards'}), awardsList,
      a.mayAward ? awardForm(course, user, () => refreshAwards()) : null);
    const refreshAwards = async () => {
      const fresh = await api.get(api.path('courses', course, 'users', user), life.signal);
      renderAwards(fresh.awards || []);
    };
    const renderAwards = (awards) => {
      clear(awardsList).append(listOrEmpty(awards, 'No award yet.', (w) => [
        h('strong', {text: w.title}), w.note ? ` — ${w.note}` : '',
        h('small', {text: ` granted${w.granted_by ? ` by ${w.granted_by}` : ''} on ` +
          fmt.date(w.granted_at)}),
        a.mayAward ? h('button', {type: 'button', class: 'link-button revoke',
          'aria-label': `Revoke the award ${w.title}`, text: 'Revoke',
          onclick: async (e) => {
            e.target.disabled = true;
            try {
              await api.del(api.path('awards', String(w.id)));
            } finally {
              await refreshAwards();
            }
          }}) : null]));
    };
    const achievements = h('div', {class: 'columns'},
      h('div', {}, h('h3', {text: 'Certifications'}),
        listOrEmpty(v.certifications, 'No certification yet.', (c) => [
          h('strong', {text: `Issued ${fmt.date(c.issued_at)}`}),
          c.expires_at ? ` · expires ${fmt.date(c.expires_at)}` : ' · does not expire',
          c.source === 'imported' ? ' · imported' : ''])),
      h('div', {}, h('h3', {text: 'Badges'}),
        listOrEmpty(v.badges, 'No badge yet.', (b) => [
          h('strong', {dir: 'auto', text: fmt.badgeName(b.badge, chapterTitle)}),
          ` · ${fmt.date(b.awarded_at)}`])),
      awardsBox);
    renderAwards(v.awards || []);
    body.append(section('Certifications, badges and awards', achievements));

    body.append(section('Strengths and weaknesses', h('div', {class: 'chart-row'},
      life.keep(chaptersChart('Mastery by chapter, weakest first', v.chapters,
        v.mastery_threshold)))));

    const rows = v.exercises.map((e, i) => ({...e, order: i}));
    table = createTable({
      label: 'Exercise summary',
      mode: 'client',
      ...tableColumns('exercises', [
        // The exercise's place in the course, worked out here: not a declared column, so not
        // sortable. The table shows the course order until a header is clicked.
        clientColumn({key: 'order', label: '#', type: 'int', render: (r) => String(r.order + 1)}),
        {name: 'title', label: 'Exercise', rowHeader: true},
        // The chapter's title, sorted by it.
        {name: 'chapter_title', label: 'Chapter'},
        'mastery',
        'mastered',
        'score',
        {name: 'attempts', render: (r) => (r.attempts > 0
          ? h('a', {href: href(['courses', course, 'users', user, 'exercises', r.exercise]),
            class: 'attempts-link', text: `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`})
          : '0')},
        'hints',
        'avg_time',
        'last_attempt',
      ]),
      load: async () => rows,
      rowKey: (r) => r.exercise,
      rowName: (r) => r.title,
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
      // The server arranges the exercise summary by the same query (sort, search, filters,
      // page), so that the files hold the rows shown, in their order.
      exportUrl: (query, format) =>
        api.withQuery(api.path('courses', course, 'users', user), {...query, format}),
      emptyMessage: () => 'No exercise matches.',
    });
    body.append(section('Exercise summary', table.element));
    await table.update(ctx.route.params);
  });

  return tableView(life, () => table);
}
