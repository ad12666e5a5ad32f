// Issue 20, points 2, 3, 4, 6, 7 and 8, in the browser: the dashboard on All courses, mastery
// bands, whose figures a page shows (and as of when, in which zone), the person overview, the
// fair group comparison (shares, time per member, the heat map, a group's own page) and the
// report's filters. Every figure is compared with the API's answer, formatted here
// independently of the UI's code.

import assert from 'node:assert/strict';

import {hashParams, PHONE, WIDE, waitForKeys} from './harness.mjs';
import {axeViolations, exportsMatchTable, headingIs, tableSettled, waitForHash} from
  './checks.mjs';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const int = (x) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-GB'));
const day = (s) => (s ? s.slice(0, 10) : '—');
const threshold = (x) => `${Number((x * 100).toFixed(1))}%`;
// Seconds as the UI says them (SPEC §3: "1 h 05 min", "4 min 30 s", "12 s", "0.5 s").
function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  const t = Math.round(seconds);
  const [hours, minutes, secs] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (n) => String(n).padStart(2, '0');
  if (hours) return `${hours} h ${two(minutes)} min`;
  return minutes ? `${minutes} min ${two(secs)} s` : `${secs} s`;
}

// A Bands object as its text: each band's name at the course threshold, count and share.
const BAND_KEYS = ['not_started', 'below_half', 'below_threshold', 'mastered'];
function bandsText(bands, thr) {
  const total = BAND_KEYS.reduce((n, k) => n + bands[k], 0);
  if (total === 0) return 'No one enrolled';
  const half = threshold(Math.min(0.5, thr));
  const names = ['Not started', `Below ${half}`, `${half} to below ${threshold(thr)}`,
    `Mastered (≥ ${threshold(thr)})`];
  return BAND_KEYS.map((k, i) => `${names[i]} ${int(bands[k])} (${pct(bands[k] / total)})`)
    .join(' · ');
}
const bandsSum = (b) => BAND_KEYS.reduce((n, k) => n + b[k], 0);

// The band a mean falls in, at the threshold: the heat map cell's colour.
function heatBand(m, thr) {
  if (m === null || m === undefined) return 'none';
  if (m >= thr) return 'mastered';
  return m < Math.min(0.5, thr) ? 'below_half' : 'below_threshold';
}

// The segments of a stacked bar: each one's band and width, and the bar's width.
function barOf(locator) {
  return locator.evaluate((el) => {
    const bar = el.querySelector('.bands-bar');
    return {width: bar.getBoundingClientRect().width,
      segments: [...bar.querySelectorAll('.band')].map((s) => ({
        band: [...s.classList].find((c) => c.startsWith('band-')).slice(5),
        width: s.getBoundingClientRect().width}))};
  });
}

// The bar draws each non-empty band in order, as wide as its share.
async function assertBar(locator, bands, what) {
  const {width, segments} = await barOf(locator);
  const total = bandsSum(bands);
  assert.deepEqual(segments.map((s) => s.band), BAND_KEYS.filter((k) => bands[k] > 0),
    `${what}: the bar's segments`);
  for (const s of segments) {
    assert.ok(Math.abs(s.width - (bands[s.band] / total) * width) <= 2.5,
      `${what}: ${s.band} is ${s.width} px of ${width}`);
  }
}

// The figure labelled `label` on the page: its value (without its small print).
function figureValue(page, label) {
  return page.locator('.figure', {has: page.locator('dt', {hasText: new RegExp(`^${label}$`)})})
    .first().evaluate((f) => f.querySelector('dd').firstChild.textContent);
}

// The report's API query for the page's URL (the UI shows 25 rows a page by default).
function reportQuery(params) {
  const size = Number(params.get('size') || 25);
  const q = new URLSearchParams({sort: params.get('sort') || 'name',
    order: params.get('order') || 'asc', limit: String(size),
    offset: String((Number(params.get('page') || 1) - 1) * size)});
  for (const name of ['q', 'course', 'group', 'completed', 'certified', 'at_risk']) {
    if (params.get(name)) q.set(name, params.get(name));
  }
  return q.toString();
}

// The scope line's parts as shown.
async function scopeLine(page) {
  await page.waitForSelector('#scope:not([hidden]) .scope-who');
  return page.evaluate(() => ({
    who: document.querySelector('#scope .scope-who').textContent,
    asOf: document.querySelector('#scope .scope-as-of')?.getAttribute('datetime') ?? null,
    asOfText: document.querySelector('#scope .scope-as-of')?.textContent ?? null,
    zone: document.querySelector('#scope .scope-zone')?.textContent ?? null,
  }));
}

// The Cohort-As-Of of a GET with the page's cookies.
async function asOfOf(h, page, url) {
  const r = await page.context().request.get(h.base + url);
  assert.equal(r.status(), 200, url);
  return r.headers()['cohort-as-of'];
}

// The datasets of the Chart.js chart whose canvas is labelled `label`.
function chartData(page, label) {
  return page.evaluate((l) => {
    const canvas = [...document.querySelectorAll('main canvas')]
      .find((c) => c.getAttribute('aria-label') === l);
    const chart = canvas && window.Chart.getChart(canvas);
    return chart ? {labels: chart.data.labels, datasets: chart.data.datasets.map((d) =>
      ({label: d.label, data: d.data}))} : null;
  }, label);
}
const toPct = (x) => (x === null ? null : Math.round(x * 1000) / 10);

export async function managerChecks(h, run, {course, managerPage, forgive}) {
  await run('distributions: the course page shows the course\'s and each chapter\'s mastery ' +
    'bands at the course\'s own threshold, with their counts and shares', async () => {
    const page = await managerPage();
    await page.goto(`${h.base}/#/courses/${course}`);
    const detail = await h.json(page, `/api/v1/courses/${course}`);
    await headingIs(page, detail.title, 'course');
    await tableSettled(page, 'course');
    const thr = detail.mastery_threshold;
    assert.ok(thr > 0 && thr <= 1, `threshold ${thr}`);
    assert.equal(bandsSum(detail.bands), detail.users, 'the bands count every user');
    assert.ok((await page.textContent('.bands-threshold')).includes(`mastered = ≥ ${
      threshold(thr)}`));
    const whole = page.locator('.bands-whole .bands');
    assert.equal(await whole.locator('.bands-text').textContent(), bandsText(detail.bands, thr));
    await assertBar(whole, detail.bands, 'the course');
    const shown = await page.$$eval('.bands-chapters > li', (lis) => lis.map((li) => ({
      chapter: li.dataset.chapter, label: li.querySelector('.bands-label').textContent,
      text: li.querySelector('.bands-text').textContent})));
    assert.deepEqual(shown, detail.chapters.map((c) => ({chapter: c.chapter, label: c.title,
      text: bandsText(c.bands, thr)})), 'each chapter\'s bands, in course order');
    for (const c of detail.chapters) {
      assert.equal(bandsSum(c.bands), detail.users, `${c.chapter}: the bands count every user`);
      await assertBar(page.locator(`.bands-chapters > li[data-chapter="${c.chapter}"] .bands`),
        c.bands, c.chapter);
    }
    // The bar is drawing only: its text is what a screen reader reads.
    assert.equal(await whole.locator('.bands-bar').getAttribute('aria-hidden'), 'true');
    assert.deepEqual(await axeViolations(page), [], 'course with bands');
    await h.shots2(page, 'course-bands', WIDE);
  });

  await run('fair group comparison: the group league shows completed and certified as shares ' +
    'of members, time per member, at risk and each group\'s bands, sorted by the API', async () => {
    const page = await managerPage();
    const detail = await h.json(page, `/api/v1/courses/${course}`);
    const thr = detail.mastery_threshold;
    for (const [sort, order] of [['completed_share', 'desc'], ['certified_share', 'asc'],
      ['avg_time', 'desc'], ['at_risk', 'desc']]) {
      await page.goto(`${h.base}/#/courses/${course}/groups?sort=${sort}&order=${order}`);
      const api = await h.json(page, `/api/v1/courses/${course}/groups?sort=${sort}&order=${
        order}&limit=25&offset=0`);
      await waitForKeys(page, api.rows.map((g) => g.group), `groups by ${sort} ${order}`);
      const cells = await page.$$eval('.table-block tbody tr[data-key]', (rows) => rows.map((r) => {
        const text = (col) => r.querySelector(`[data-col="${col}"]`).textContent;
        return {completed: text('completed_share'), certified: text('certified_share'),
          avgTime: text('avg_time'), atRisk: text('at_risk'),
          bands: r.querySelector('[data-col="bands"] .visually-hidden').textContent,
          title: r.querySelector('[data-col="bands"] .bands').getAttribute('title')};
      }));
      api.rows.forEach((g, i) => {
        const c = cells[i];
        assert.ok(Math.abs(g.completed_share - g.completed / g.users) < 1e-12, g.group);
        assert.ok(Math.abs(g.certified_share - g.certified / g.users) < 1e-12, g.group);
        assert.equal(bandsSum(g.bands), g.users, `${g.group}: the bands count every member`);
        assert.equal(c.completed, `${pct(g.completed_share)} (${int(g.completed)})`, g.group);
        assert.equal(c.certified, `${pct(g.certified_share)} (${int(g.certified)})`, g.group);
        assert.equal(c.avgTime, duration(g.avg_time), `${g.group}: time per member`);
        assert.equal(c.atRisk, int(g.at_risk), g.group);
        assert.equal(c.bands, bandsText(g.bands, thr), `${g.group}: the bands' text`);
        assert.equal(c.title, c.bands);
      });
      assert.equal(await page.getAttribute(`.table-block thead th[data-col="${sort}"]`,
        'aria-sort'), order === 'asc' ? 'ascending' : 'descending');
    }
    await exportsMatchTable(h, page, 'Group', 'the group league by at risk');
  });

  await run('fair group comparison: a groups × chapters heat map of the API\'s means, coloured ' +
    'at the threshold, values as text, scrolling sideways on a phone', async () => {
    const page = await managerPage();
    await page.goto(`${h.base}/#/courses/${course}/groups`);
    await tableSettled(page, 'group league');
    const detail = await h.json(page, `/api/v1/courses/${course}`);
    const thr = detail.mastery_threshold;
    const api = await h.json(page,
      `/api/v1/courses/${course}/groups?chapters=true&sort=name&limit=1000`);
    assert.equal(api.rows.length, api.total);
    await page.waitForSelector('table.heat-map');
    const map = await page.$$eval('table.heat-map', ([t]) => ({
      heads: [...t.querySelectorAll('thead th[data-chapter]')].map((th) => th.textContent),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({key: tr.dataset.key,
        name: tr.querySelector('th').textContent,
        cells: [...tr.querySelectorAll('td')].map((td) => ({chapter: td.dataset.chapter,
          text: td.textContent,
          band: [...td.classList].find((c) => c.startsWith('heat-')).slice(5)}))}))}));
    assert.deepEqual(map.heads, detail.chapters.map((c) => c.title), 'the chapters, in order');
    assert.deepEqual(map.rows.map((r) => r.key), api.rows.map((g) => g.group), 'every group');
    api.rows.forEach((g, i) => {
      assert.equal(map.rows[i].name, g.name);
      const byChapter = new Map(g.chapters.map((c) => [c.chapter, c.mastery]));
      assert.deepEqual(map.rows[i].cells, detail.chapters.map((c) => {
        const m = byChapter.has(c.chapter) ? byChapter.get(c.chapter) : null;
        return {chapter: c.chapter, text: pct(m), band: heatBand(m, thr)};
      }), `${g.group}: its cells`);
    });
    assert.deepEqual(await axeViolations(page), [], 'group summary with the heat map');
    // Every chapter in view at 1440 px: no cue saying some are not.
    await page.setViewportSize(WIDE);
    await page.waitForFunction(() => document.querySelector('.heat-cue')?.hidden, null,
      {timeout: 3000}).catch(() => {});  // the cue follows the box's size in a frame
    assert.equal(await page.isVisible('.heat-cue'), false, 'no chapter out of view at 1440 px');
    await h.shots2(page, 'group-summary-heat-map', WIDE);
    // On a phone the map scrolls sideways in its own box; the group names stay in view.
    await page.setViewportSize(PHONE);
    const box = await page.$eval('.heat-scroll', (b) => {
      const r = b.getBoundingClientRect();
      return {right: r.right, scrolls: b.scrollWidth > b.clientWidth};
    });
    assert.ok(box.right <= PHONE.width, `the heat map's box ends at ${box.right} px`);
    assert.ok(box.scrolls || detail.chapters.length < 3, 'the heat map scrolls sideways');
    await page.$eval('.heat-scroll', (b) => {
      b.scrollLeft = b.scrollWidth;
    });
    const after = await page.$eval('table.heat-map', (t) => {
      const name = t.querySelector('tbody th').getBoundingClientRect();
      const last = [...t.querySelectorAll('thead th')].pop().getBoundingClientRect();
      return {nameLeft: name.left, lastRight: last.right};
    });
    assert.ok(after.nameLeft >= 0 && after.nameLeft < 40, `the names at ${after.nameLeft} px`);
    assert.ok(after.lastRight <= PHONE.width, `the last chapter ends at ${after.lastRight} px`);
    await page.setViewportSize({width: 1280, height: 800});
  });

  await run('a group\'s own page: its figures, bands, chapter breakdown and weekly line from ' +
    'its own document, above its league', async () => {
    const page = await managerPage();
    const groups = await h.json(page,
      `/api/v1/courses/${course}/groups?sort=users&order=desc&limit=1`);
    const g = groups.rows[0];
    await page.goto(`${h.base}/#/courses/${course}/groups/${g.group}`);
    const doc = await h.json(page, `/api/v1/courses/${course}/groups/${g.group}`);
    await headingIs(page, `${doc.name} · ${doc.title}`, 'group heading');
    await tableSettled(page, 'the group\'s league');
    assert.equal(doc.group, g.group);
    assert.equal(doc.users, g.users, 'the document counts the league\'s members');
    assert.equal(bandsSum(doc.bands), doc.users);
    const league = await h.json(page, `/api/v1/courses/${course}/users?group=${g.group}&limit=1`);
    assert.equal(league.total, doc.users, 'the group\'s league lists its members');
    assert.equal(await figureValue(page, 'Members enrolled'), int(doc.users));
    assert.equal(await figureValue(page, 'Mastery'), pct(doc.mastery));
    assert.equal(await figureValue(page, 'Completed'), int(doc.completed));
    assert.equal(await figureValue(page, 'Certified'), int(doc.certified));
    assert.equal(await figureValue(page, 'At risk'), int(doc.at_risk));
    const time = await page.locator('.figure', {has: page.locator('dt', {hasText: /^Time$/})})
      .textContent();
    assert.equal(time, `Time${duration(doc.time)}${duration(doc.avg_time)} per member`);
    const thr = doc.mastery_threshold;
    assert.equal(await page.textContent('.bands-whole .bands-text'), bandsText(doc.bands, thr));
    assert.equal(await page.textContent('.bands-whole .bands-label'), 'Whole group');
    assert.deepEqual(await page.$$eval('.bands-chapters .bands-text', (els) =>
      els.map((e) => e.textContent)), doc.chapters.map((c) => bandsText(c.bands, thr)));
    // The chapter breakdown is the group's, weakest first.
    const order = JSON.parse(await page.getAttribute('figure.chart-tall', 'data-order'));
    assert.deepEqual(order, [...doc.chapters].sort((a, b) => (a.mastery ?? -1) -
      (b.mastery ?? -1) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
      .map((c) => c.chapter));
    assert.ok(doc.weekly.length > 0, 'the demo\'s biggest group has a weekly line');
    const line = await chartData(page, 'The group\u2019s mastery over time');
    assert.ok(line, 'the weekly line');
    assert.deepEqual(line.labels, doc.weekly.map((w) => w.week));
    assert.deepEqual(line.datasets[0].data, doc.weekly.map((w) => toPct(w.mastery)));
    assert.deepEqual(await axeViolations(page), [], 'a group\'s page');
    await h.shots2(page, 'group-page', WIDE);
    // An unknown group is the Not found page.
    await page.goto(`${h.base}/#/courses/${course}/groups/no-such-group`);
    await page.waitForSelector('main .error h2');
    assert.equal(await page.textContent('main .error h2'), 'Not found');
    forgive(/status of 404 .*\/groups\/no-such-group\)$/);
  });

  await run('the report: filters by course, group, completed, certified and at risk, in the ' +
    'URL and the exports; groups by name', async () => {
    const page = await managerPage();
    // The requests that fill the page, from a fresh document.
    const asked = [];
    const listen = (r) => asked.push(new URL(r.url()).pathname);
    await page.goto(`${h.base}/#/report`);
    await tableSettled(page, 'report');
    page.on('request', listen);
    await page.reload();
    await tableSettled(page, 'report');
    page.off('request', listen);
    const courses = await h.json(page, '/api/v1/courses?limit=1000');
    assert.deepEqual((await page.$$eval('select[name=course] option', (os) =>
      os.map((o) => o.value))).slice(1).sort(), courses.rows.map((c) => c.course).sort());
    const groups = await h.json(page, `/api/v1/courses/${course}/groups?sort=users&order=desc`);
    const group = groups.rows[0].group;
    // The group filter offers the account's groups as GET /api/v1/groups lists them (by name,
    // in its order), from that one request: no course's group league is asked for them.
    const accountGroups = (await h.json(page, '/api/v1/groups')).groups;
    assert.ok(accountGroups.length >= groups.rows.length && accountGroups.some((g) =>
      g.group === 'empty-team'), 'every group of the account, one without a member enrolled too');
    assert.deepEqual(await page.$$eval('select[name=group] option', (os) =>
      os.map((o) => [o.value, o.textContent])), [['', 'All groups'],
      ...accountGroups.map((g) => [g.group, g.name])], 'the group filter\'s options');
    assert.deepEqual(asked.filter((x) => x === '/api/v1/groups'), ['/api/v1/groups'],
      'one request for the groups');
    assert.deepEqual(asked.filter((x) => /^\/api\/v1\/courses\/[^/]+\/groups/.test(x)), [],
      'no course\'s group league asked for the filter');
    const matches = async (what) => {
      const api = await h.json(page, `/api/v1/report?${reportQuery(hashParams(page))}`);
      await waitForKeys(page, api.rows.map((r) => `${r.user}/${r.course}`), what);
      return api;
    };
    const steps = [['course', course], ['group', group], ['completed', 'false'],
      ['certified', 'false'], ['at_risk', 'true']];
    for (const [name, value] of steps) {
      await page.selectOption(`select[name=${name}]`, value);
      await waitForHash(page, new RegExp(`[?&]${name}=${value}(&|$)`), `${name} filter`);
      const api = await matches(`report filtered by ${name}`);
      const filtered = steps.slice(0, steps.findIndex(([n]) => n === name) + 1).map(([n]) => n);
      for (const r of api.rows) {
        assert.equal(r.course, course);
        if (filtered.includes('group')) assert.ok(r.groups.includes(group), `${r.user} in ${group}`);
        if (name !== 'course' && name !== 'group') assert.equal(r.completed_at, null);
        if (name === 'certified' || name === 'at_risk') assert.equal(r.certified_at, null);
        if (name === 'at_risk') assert.equal(r.at_risk, true);
      }
      if (name === 'group') assert.ok(api.total > 0, 'the biggest group has rows');
    }
    const csv = new URL(await page.getAttribute('a.export[data-format=csv]', 'href'), h.base);
    for (const [name, value] of steps) assert.equal(csv.searchParams.get(name), value, name);
    await exportsMatchTable(h, page, ['User', 'Course'], 'the filtered report');
    // Back undoes a filter.
    await page.goBack();
    await waitForHash(page, /certified=false$/, 'Back');
    await matches('Back to four filters');
    // Groups by their names.
    await page.goto(`${h.base}/#/report?group=${group}&size=100`);
    const api = await matches('one group');
    const shown = await page.$$eval('.table-block tbody tr[data-key] [data-col="group_names"]',
      (tds) => tds.map((td) => td.textContent));
    api.rows.forEach((r, i) => {
      assert.equal(r.group_names.length, r.groups.length);
      assert.equal(shown[i], r.group_names.join(', '), `${r.user}: the groups' names`);
    });
    assert.ok(api.rows.some((r) => r.group_names.join() !== r.groups.join()),
      'names, not keys');
    // A filter the API refuses is not offered: a course that does not exist is no option.
    await page.goto(`${h.base}/#/report?course=no-such-course`);
    await tableSettled(page, 'unknown course');
    assert.equal(await page.inputValue('select[name=course]'), '');
    assert.deepEqual(await axeViolations(page), [], 'the report with filters');
    await page.goto(`${h.base}/#/report?course=${course}&at_risk=true`);
    await tableSettled(page, 'report');
    await h.shots2(page, 'report-filtered', WIDE);
  });

  await run('person overview: every name opens it; it shows the API\'s person, enrolments, ' +
    'certifications, badges and awards', async () => {
    const page = await managerPage();
    // From the league: the person with the most certifications and badges shows the most.
    await page.goto(`${h.base}/#/courses/${course}?sort=mastery&order=desc`);
    await tableSettled(page, 'league');
    const top = (await h.json(page,
      `/api/v1/courses/${course}/users?sort=mastery&order=desc&limit=1`)).rows[0];
    await page.click(`.table-block tbody tr[data-key="${top.user}"] th .person a`);
    await waitForHash(page, new RegExp(`^#/users/${top.user}$`), 'the name opens the overview');
    const p = await h.json(page, `/api/v1/users/${top.user}`);
    await headingIs(page, p.name, 'overview heading');
    const facts = await page.$$eval('.person-facts dd', (dds) =>
      Object.fromEntries(dds.map((d) => [d.dataset.fact, d.textContent])));
    assert.deepEqual(facts, {email: p.email || '—', user: p.user,
      groups: p.groups.map((g) => g.name).join(', ') || 'None',
      active: p.active ? 'Active' : 'Inactive'});
    assert.ok(p.courses.some((c) => c.course === course));
    const rows = await page.$$eval('table.person-courses tbody tr', (trs) => trs.map((tr) => {
      const t = (col) => tr.querySelector(`[data-col="${col}"]`).textContent;
      return {key: tr.dataset.key, title: t('title'),
        link: tr.querySelector('[data-col="title"] a').getAttribute('href'),
        mastery: t('mastery'), progress: t('progress'), completed: t('completed_at'),
        certified: t('certified_at'), enrolled: t('enrolled_at'),
        days: tr.querySelector('[data-col="last_active"] .days').textContent, state: t('state')};
    }));
    assert.deepEqual(rows, p.courses.map((c) => ({key: c.course, title: c.title,
      link: `#/courses/${c.course}/users/${p.user}`, mastery: pct(c.mastery),
      progress: pct(c.progress), completed: c.completed_at ? day(c.completed_at) : 'No',
      certified: c.certified_at ? day(c.certified_at) : 'No', enrolled: day(c.enrolled_at),
      days: !c.last_active ? '' : ` (${c.days_inactive === 0 ? 'today'
        : `${int(c.days_inactive)} day${c.days_inactive === 1 ? '' : 's'} ago`})`,
      state: c.at_risk ? 'At risk' : c.not_started ? 'Not started' : 'On track'})));
    const titles = p.courses.map((c) => c.title);
    assert.deepEqual(titles, [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      'by course title');
    // The course's row agrees with the league's figures.
    const here = p.courses.find((c) => c.course === course);
    assert.equal(here.mastery, top.mastery);
    assert.equal(here.progress, top.progress);
    for (const [list, items] of [['certifications', p.certifications], ['badges', p.badges],
      ['awards', p.awards]]) {
      assert.equal(await page.locator(`[data-list="${list}"] li`).count(), items.length, list);
    }
    for (const c of p.certifications) {
      assert.ok(await page.locator('[data-list="certifications"] li', {hasText: c.title})
        .count() > 0, c.title);
    }
    // Each badge by its name; a chapter's badge by the chapter's title (the API's
    // chapter_title, the course's title of that chapter), not its key.
    const badgeNames = {'chapter-master': 'Chapter master', flawless: 'Flawless',
      finisher: 'Finisher', 'streak-5': '5-day streak'};
    const chapterBadges = p.badges.filter((b) => b.badge.startsWith('chapter-master:'));
    assert.ok(chapterBadges.length > 0, 'the top person has a chapter\'s badge');
    for (const b of p.badges) {
      const chapter = b.badge.startsWith('chapter-master:') ? b.badge.slice(15) : null;
      if (chapter === null) {
        assert.equal(b.chapter_title, null, b.badge);
        continue;
      }
      const titles = (await h.json(page, `/api/v1/courses/${b.course}`)).chapters;
      assert.equal(b.chapter_title, titles.find((c) => c.chapter === chapter).title, b.badge);
    }
    assert.ok(chapterBadges.some((b) => b.chapter_title !== b.badge.slice(15)),
      'a chapter whose title is not its key');
    assert.deepEqual(await page.$$eval('[data-list="badges"] li', (lis) =>
      lis.map((li) => li.textContent)), p.badges.map((b) => {
      const [kind] = b.badge.split(':');
      const name = b.chapter_title !== null ? `Chapter master: ${b.chapter_title}`
        : badgeNames[kind] || kind;
      return `${name} · ${b.title} · ${day(b.awarded_at)}`;
    }), 'the badges as the API says them');
    assert.deepEqual(await axeViolations(page), [], 'person overview');
    await h.shots2(page, 'person', WIDE);
    // The course row opens the person's page in that course, whose heading opens it again.
    await page.click(`table.person-courses tr[data-key="${course}"] th a`);
    await waitForHash(page, new RegExp(`^#/courses/${course}/users/${top.user}$`), 'course row');
    await page.click('.overview-line a');
    await waitForHash(page, new RegExp(`^#/users/${top.user}$`), 'the overview line');
    // From the report, and from a history's header.
    await page.goto(`${h.base}/#/report?q=${encodeURIComponent(p.email)}`);
    await tableSettled(page, 'report');
    assert.equal(await page.getAttribute(`.table-block tbody tr[data-key="${p.user}/${course}"] ` +
      'th a', 'href'), `#/users/${p.user}`);
    const ex = (await h.json(page, `/api/v1/courses/${course}/users/${p.user}`)).exercises
      .find((e) => e.attempts > 0);
    await page.goto(`${h.base}/#/courses/${course}/users/${p.user}/exercises/${ex.exercise}`);
    await tableSettled(page, 'history');
    assert.equal(await page.getAttribute('.overview-line a', 'href'), `#/users/${p.user}`);
    // Someone with no enrolment.
    await h.put('/api/v1/users/no-courses-ui', {name: 'Nadia Nocourse', email: 'nadia@acme.example',
      roles: ['learner'], groups: [], active: true});
    await page.goto(`${h.base}/#/users/no-courses-ui`);
    await headingIs(page, 'Nadia Nocourse', 'no enrolment');
    assert.equal(await page.textContent('main .panel .empty'), 'Not enrolled in any course yet.');
    assert.equal(await figureValue(page, 'Courses'), '0');
    // Unknown: Not found.
    await page.goto(`${h.base}/#/users/no-such-person`);
    await page.waitForSelector('main .error h2');
    assert.equal(await page.textContent('main .error h2'), 'Not found');
    forgive(/status of 404 .*\/users\/no-such-person\)$/);
  });

  await run('person overview: a learner sees their own only; a group manager their members ' +
    'only', async () => {
    const ln = await h.signIn('learner');
    const me = ln.session.user.user || ln.session.user.key || ln.session.user;
    await ln.page.click('#who a.who-name');
    await waitForHash(ln.page, new RegExp(`^#/users/${me}$`), 'the top bar\'s name');
    const mine = await h.json(ln.page, `/api/v1/users/${me}`);
    await headingIs(ln.page, `${mine.name} · your overview`, 'own overview');
    assert.equal(await ln.page.locator('table.person-courses tbody tr').count(),
      mine.courses.length);
    const someone = (await (await fetch(`${h.base}/api/v1/courses/${course}/users?limit=5`,
      {headers: {Authorization: `Bearer ${h.token}`}})).json()).rows.find((r) => r.user !== me);
    assert.equal(await h.status(ln.page, `/api/v1/users/${someone.user}`), 404);
    await ln.page.goto(`${h.base}/#/users/${someone.user}`);
    await ln.page.reload();
    await ln.page.waitForSelector('main .error h2');
    assert.equal(await ln.page.textContent('main .error h2'), 'Not found');
    await ln.context.close();

    const gm = await h.signIn('group_manager');
    const member = (await h.json(gm.page, '/api/v1/report?limit=1')).rows[0].user;
    await gm.page.goto(`${h.base}/#/users/${member}`);
    const p = await h.json(gm.page, `/api/v1/users/${member}`);
    await headingIs(gm.page, p.name, 'a member\'s overview');
    const theirs = new Set(gm.session.scope.groups.map((g) => g.group));
    assert.ok(p.groups.some((g) => theirs.has(g.group)), 'a member of their groups');
    const outsider = (await (await fetch(`${h.base}/api/v1/report?limit=1000`,
      {headers: {Authorization: `Bearer ${h.token}`}})).json()).rows
      .find((r) => !r.groups.some((g) => theirs.has(g)));
    assert.ok(outsider, 'someone outside their groups');
    assert.equal(await h.status(gm.page, `/api/v1/users/${outsider.user}`), 404);
    await gm.page.goto(`${h.base}/#/users/${outsider.user}`);
    await gm.page.reload();
    await gm.page.waitForSelector('main .error h2');
    assert.equal(await gm.page.textContent('main .error h2'), 'Not found');
    await gm.context.close();
  });

  await run('scope, freshness and zone: every page says whose figures, as of the last change, ' +
    'in the account\'s zone', async () => {
    const page = await managerPage();
    const session = await h.json(page, '/api/v1/session');
    assert.equal(session.scope.kind, 'account');
    assert.ok(session.zone, 'the session names the zone');
    const views = [['#/courses', '/api/v1/courses?limit=1000&weekly=true'],
      [`#/courses/${course}`, `/api/v1/courses/${course}`],
      [`#/courses/${course}/groups`, `/api/v1/courses/${course}/groups?limit=25`],
      ['#/report', '/api/v1/report?limit=25']];
    for (const [hash, url] of views) {
      await page.goto(`${h.base}/${hash}`);
      await tableSettled(page, hash);
      const line = await scopeLine(page);
      const asOf = await asOfOf(h, page, url);
      assert.ok(asOf, `${url} has a Cohort-As-Of`);
      assert.equal(line.who, 'Everyone in the account', hash);
      assert.equal(line.asOf, asOf, `${hash}: as of the API's last change`);
      assert.match(line.asOfText, new RegExp(`^as of (\\d{4}-\\d{2}-\\d{2} )?${
        asOf.slice(11, 19)}$`), hash);
      assert.equal(line.zone, `times in ${session.zone}`, hash);
    }
    // A change makes the next view fresher.
    const before = (await scopeLine(page)).asOf;
    await h.put('/api/v1/users/scope-ui', {name: 'Scope Check', email: 'scope@acme.example',
      roles: ['learner'], groups: [], active: true});
    await h.put(`/api/v1/enrollments/scope-ui/${course}`, {});
    await page.reload();
    await tableSettled(page, 'report');
    const after = await scopeLine(page);
    assert.ok(Date.parse(after.asOf) > Date.parse(before), `${after.asOf} after ${before}`);
    assert.equal(after.asOf, await asOfOf(h, page, '/api/v1/report?limit=25'));

    // A group manager: their members and groups, never the account, on every page.
    const gm = await h.signIn('group_manager');
    const scope = gm.session.scope;
    assert.equal(scope.kind, 'groups');
    const names = scope.groups.map((g) => g.name);
    const expected = `The ${int(scope.members)} member${scope.members === 1 ? '' : 's'} of your ` +
      `group${names.length === 1 ? '' : 's'}: ${names.slice(0, 5).join(', ')}${
        names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
    const c = (await h.json(gm.page, '/api/v1/courses')).rows[0].course;
    for (const hash of ['#/courses', `#/courses/${c}`, `#/courses/${c}/groups`, '#/report']) {
      await gm.page.goto(`${h.base}/${hash}`);
      await tableSettled(gm.page, hash);
      const line = await scopeLine(gm.page);
      assert.equal(line.who, expected, hash);
      assert.doesNotMatch(line.who, /account/i, hash);
      assert.ok(line.asOf, `${hash}: as of`);
    }
    // Their members, counted here from the API: the distinct people of the report.
    const report = await h.json(gm.page, '/api/v1/report?limit=1000');
    assert.ok(new Set(report.rows.map((r) => r.user)).size <= scope.members);
    // The report's group filter offers their groups, and only those, as GET /api/v1/groups
    // lists them for a group manager.
    const theirs = (await h.json(gm.page, '/api/v1/groups')).groups;
    assert.deepEqual(theirs.map((g) => [g.group, g.name]), scope.groups.map((g) =>
      [g.group, g.name]), 'the API lists the groups they manage');
    assert.deepEqual(await gm.page.$$eval('select[name=group] option', (os) =>
      os.map((o) => [o.value, o.textContent])), [['', 'All groups'],
      ...theirs.map((g) => [g.group, g.name])]);
    await h.shots2(gm.page, 'group-manager-report', WIDE);
    await gm.context.close();

    const ln = await h.signIn('learner');
    assert.equal((await scopeLine(ln.page)).who, 'Your own figures');
    await ln.context.close();
  });

  await run('a course with no activity: every band "not started", the heat map and the group ' +
    'page without a figure to show, the person overview says so', async () => {
    const page = await managerPage();
    const key = 'quiet-course';
    await h.put(`/api/v1/courses/${key}`, {title: 'Quiet Course', chapters: [
      {key: 'q1', title: 'First steps', exercises: [{key: 'q1-a', title: 'A'}]},
      {key: 'q2', title: 'No exercise yet', exercises: []}]});
    await h.put('/api/v1/users/quiet-ui', {name: 'Quentin Quiet', email: 'quiet@acme.example',
      roles: ['learner'], groups: ['markup-team'], active: true});
    await h.put(`/api/v1/enrollments/quiet-ui/${key}`, {});
    await page.goto(`${h.base}/#/courses/${key}`);
    const detail = await h.json(page, `/api/v1/courses/${key}`);
    await headingIs(page, 'Quiet Course', 'the quiet course');
    await tableSettled(page, 'the quiet course');
    assert.deepEqual(detail.bands, {not_started: detail.users, below_half: 0, below_threshold: 0,
      mastered: 0});
    assert.equal(await page.textContent('.bands-whole .bands-text'),
      bandsText(detail.bands, detail.mastery_threshold));
    await assertBar(page.locator('.bands-whole .bands'), detail.bands, 'the quiet course');
    assert.equal(await chartData(page, 'Mastery over time'), null, 'no weekly line');
    await page.goto(`${h.base}/#/courses/${key}/groups`);
    await page.waitForSelector('table.heat-map');
    const cells = await page.$$eval('table.heat-map tbody td', (tds) =>
      tds.map((td) => [td.dataset.chapter, td.textContent, td.className]));
    const api = await h.json(page, `/api/v1/courses/${key}/groups?chapters=true&limit=1000`);
    const means = new Map(api.rows[0].chapters.map((c) => [c.chapter, c.mastery]));
    assert.equal(means.get('q2'), null, 'a chapter without exercises has no mean');
    assert.deepEqual(cells, detail.chapters.map((c) => [c.chapter, pct(means.get(c.chapter)),
      `num heat heat-${heatBand(means.get(c.chapter), detail.mastery_threshold)}`]));
    await page.goto(`${h.base}/#/courses/${key}/groups/markup-team`);
    await tableSettled(page, 'the group\'s page');
    assert.equal(await figureValue(page, 'Members enrolled'), '1');
    await page.goto(`${h.base}/#/users/quiet-ui`);
    await page.waitForSelector('table.person-courses tbody tr');
    assert.equal(await page.textContent(`table.person-courses tr[data-key="${key}"] ` +
      '[data-col="state"]'), 'Not started');
    assert.deepEqual(await axeViolations(page), [], 'a person who has not started');
  });

  await run('an empty account: All courses says there is nothing yet, the scope line still ' +
    'says whose, the person overview has no course', async () => {
    // The executive's twin in the other organisation (run.mjs), whose account has no course.
    const s = await h.open();
    await s.page.goto(`${h.base}/#/signin`);
    await s.page.waitForSelector('form.signin');
    await s.page.fill('#email', h.signIns.executive.email);
    await s.page.fill('#password', h.signIns.executive.password);
    await s.page.click('form.signin button[type=submit]');
    await s.page.waitForSelector('details.account-field[open]');
    await s.page.fill('#account', 'other-org');
    await s.page.click('form.signin button[type=submit]');
    await s.page.waitForSelector('#sign-out');
    s.errors.splice(s.errors.findIndex((e) => /status of 422/.test(e)), 1);
    const session = await h.json(s.page, '/api/v1/session');
    assert.equal(session.account, 'other-org');
    await s.page.goto(`${h.base}/#/courses`);
    await s.page.waitForSelector('main p.empty');
    assert.equal(await s.page.textContent('main p.empty'),
      'No one in this account is enrolled in a course yet.');
    const activity = await h.json(s.page, '/api/v1/activity');
    assert.deepEqual([activity.learners, activity.enrolments, activity.mastery],
      [0, 0, null]);
    assert.equal((await scopeLine(s.page)).who, 'Everyone in the account');
    await s.page.goto(`${h.base}/#/users/twin`);
    await headingIs(s.page, 'Twin · your overview', 'the twin\'s overview');
    assert.equal(await s.page.textContent('main .panel .empty'),
      'You are not enrolled in any course yet.');
    await s.page.goto(`${h.base}/#/report`);
    assert.equal(await tableSettled(s.page, 'the empty report'), 'empty');
    assert.deepEqual(await axeViolations(s.page), [], 'the empty report');
    assert.deepEqual(s.errors, [], 'console errors');
    await s.context.close();
  });

  await run('dashboard: tiles, weekly activity over a range in the URL, the account\'s mastery ' +
    'line and each course\'s on request', async () => {
    const page = await managerPage();
    await page.goto(`${h.base}/#/courses`);
    await tableSettled(page, 'all courses');
    const shows = async (activity, what) => {
      await page.waitForFunction((from) =>
        document.querySelector('.range-said')?.dataset.from === from, activity.from,
      {timeout: 10000}).catch(() => assert.fail(`${what}: the range shown`));
      const weeks = await page.$$eval('table.weeks tbody tr', (trs) => trs.map((tr) =>
        [...tr.children].map((c) => c.textContent)));
      assert.deepEqual(weeks, activity.weeks.map((w) => [w.week, int(w.active), int(w.attempts),
        int(w.completions), int(w.certifications), pct(w.mastery)]), `${what}: the weeks`);
      const chart = await chartData(page, 'Weekly activity');
      assert.deepEqual(chart.labels, activity.weeks.map((w) => w.week), what);
      assert.deepEqual(chart.datasets.map((d) => [d.label, d.data]), [
        ['Active learners', activity.weeks.map((w) => w.active)],
        ['Completions', activity.weeks.map((w) => w.completions)],
        ['Certifications', activity.weeks.map((w) => w.certifications)],
        ['Attempts', activity.weeks.map((w) => w.attempts)]], `${what}: the chart`);
      const line = await chartData(page, 'Mastery over time: every enrolment');
      assert.deepEqual(line && line.datasets.map((d) => [d.label, d.data]), [['Every enrolment',
        activity.weeks.map((w) => toPct(w.mastery))]], `${what}: the account's line`);
    };
    const twelve = await h.json(page, '/api/v1/activity?weeks=12');
    assert.equal(twelve.weeks.length, 12);
    await shows(twelve, 'the last 12 weeks');
    assert.equal(await figureValue(page, 'Learners'), int(twelve.learners));
    assert.equal(await figureValue(page, 'Mastery'), pct(twelve.mastery));
    assert.equal(await figureValue(page, 'Completion rate'), pct(twelve.completion_rate));
    assert.equal(await figureValue(page, 'Certification rate'), pct(twelve.certification_rate));
    assert.equal(await figureValue(page, 'Active this week'), int(twelve.active_this_week));
    assert.equal(await figureValue(page, 'At risk'), int(twelve.at_risk));
    // The tiles agree with the courses' rows.
    const courses = await h.json(page, '/api/v1/courses?limit=1000&weekly=true');
    const sum = (k) => courses.rows.reduce((n, r) => n + r[k], 0);
    assert.equal(twelve.enrolments, sum('users'));
    assert.equal(twelve.at_risk, sum('at_risk'));
    assert.ok(Math.abs(twelve.completion_rate - sum('completed') / sum('users')) < 1e-9);
    assert.equal(twelve.weeks.at(-1).active, twelve.active_this_week);

    for (const weeks of ['4', '52']) {
      await page.selectOption('select[name=range]', weeks);
      await waitForHash(page, new RegExp(`[?&]weeks=${weeks}(&|$)`), `${weeks} weeks`);
      const activity = await h.json(page, `/api/v1/activity?weeks=${weeks}`);
      assert.equal(activity.weeks.length, Number(weeks));
      await shows(activity, `the last ${weeks} weeks`);
    }
    // A custom range: two days, widened by the API to their weeks.
    const monday = twelve.weeks[2].week;
    const [y, m, d] = monday.split('-').map(Number);
    const sunday = new Date(Date.UTC(y, m - 1, d + 6 + 21)).toISOString().slice(0, 10);
    await page.selectOption('select[name=range]', 'custom');
    await page.fill('#range-from', new Date(Date.UTC(y, m - 1, d + 2)).toISOString().slice(0, 10));
    await page.fill('#range-to', sunday);
    await page.click('.range button[type=submit]');
    await waitForHash(page, /[?&]from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/, 'custom range');
    const params = hashParams(page);
    const custom = await h.json(page, `/api/v1/activity?from=${params.get('from')}&to=${
      params.get('to')}`);
    assert.equal(custom.from, monday);
    assert.equal(custom.weeks.length, 4);
    await shows(custom, 'a custom range');
    // Back to the 52 weeks.
    await page.goBack();
    await waitForHash(page, /[?&]weeks=52$/, 'Back');
    await shows(await h.json(page, '/api/v1/activity?weeks=52'), 'Back to 52 weeks');
    assert.equal(await page.inputValue('select[name=range]'), '52');
    // Each course's line on request: every course, over the range.
    await page.check('#course-lines');
    await waitForHash(page, /[?&]lines=courses/, 'the course lines');
    await page.waitForFunction(() => [...document.querySelectorAll('main canvas')].some((c) =>
      c.getAttribute('aria-label') === 'Mastery over time: every enrolment and each course'));
    const lines = await chartData(page, 'Mastery over time: every enrolment and each course');
    assert.deepEqual(lines.datasets.map((x) => x.label),
      ['Every enrolment', ...courses.rows.map((r) => r.title)], 'a line for every course');
    const fifty2 = await h.json(page, '/api/v1/activity?weeks=52');
    assert.deepEqual(lines.labels, [...new Set([...fifty2.weeks.map((w) => w.week),
      ...courses.rows.flatMap((r) => r.weekly.map((w) => w.week)
        .filter((wk) => wk >= fifty2.from && wk <= fifty2.to))])].sort());
    assert.deepEqual(await axeViolations(page), [], 'the dashboard');
    await h.shots2(page, 'dashboard', WIDE);
    await page.uncheck('#course-lines');
    await waitForHash(page, /weeks=52$/, 'no course lines');
    assert.ok(await chartData(page, 'Mastery over time: every enrolment'));
  });
}
