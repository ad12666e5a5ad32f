// Issue 20, points 1 and 5, in the browser: who needs attention (at risk as a count and a share,
// emphasised, on All courses, the course and the group league, each opening its at-risk list;
// days since last active, a "not started" marker and the enrolment date in the league) and
// telling people apart (the email, or the key, under each name; a search by name or email that
// ignores case and accents). Figures are compared with the API's answers, formatted here
// independently of the UI's code.

import assert from 'node:assert/strict';

import {apiQueryOf, hashParams, waitForKeys} from './harness.mjs';
import {axeViolations, exportsMatchTable, headingIs, leagueMatchesApi, tableSettled,
  waitForHash} from './checks.mjs';

// The folding of a search, written independently of the UI's and the server's: lower case,
// decomposed, combining marks dropped, and the letters that do not decompose.
const fold = (s) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  .replace(/ß/g, 'ss').replace(/æ/g, 'ae').replace(/œ/g, 'oe').replace(/ø/g, 'o')
  .replace(/ł/g, 'l').replace(/đ/g, 'd');
const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const int = (x) => Number(x).toLocaleString('en-GB');

// A person only this check adds: a name with accents and an email that does not hold it.
const ELODIE = {key: 'elodie-ui', name: 'Élodie Lefèvre', email: 'el.ui@acme.example'};

// The cells of the league's rows shown, by row key: the second line under the name and the new
// columns' text.
function leagueCells(page) {
  return page.$$eval('.table-block tbody tr[data-key]', (rows) => rows.map((r) => {
    const text = (col) => r.querySelector(`[data-col="${col}"]`)?.textContent ?? null;
    return {
      key: r.dataset.key,
      id: r.querySelector('th .person-id')?.textContent ?? null,
      enrolled: text('enrolled_at'),
      days: text('days_inactive'),
      marker: Boolean(r.querySelector('[data-col="last_active"] .marker.not-started')),
      atRisk: text('at_risk'),
    };
  }));
}

// The at-risk figure of the page: its text, whether emphasised, and its list link.
async function atRiskFigure(page) {
  const figure = page.locator('.figure[data-figure="at-risk"]');
  const link = figure.locator('a.risk-list');
  return {
    text: await figure.textContent(),
    emphasised: await figure.evaluate((el) => el.classList.contains('attention')),
    // (Counted first: a locator's getAttribute waits its 30 s for a link that is not there.)
    list: await link.count() ? await link.getAttribute('href') : null,
  };
}

export async function attentionChecks(h, run, {course, managerPage}) {
  // Élodie, enrolled in the course (again: PUTs are idempotent, and a check may run alone).
  const seedElodie = async () => {
    await h.put(`/api/v1/users/${ELODIE.key}`, {name: ELODIE.name, email: ELODIE.email,
      roles: ['learner'], groups: [], active: true});
    await h.put(`/api/v1/enrollments/${ELODIE.key}/${course}`, {});
  };
  await run('needs attention: at risk as a count and a share, emphasised, on All courses, ' +
    'each course opening its at-risk list, exported with the filter', async () => {
    const page = await managerPage();
    await page.goto(`${h.base}/#/courses`);
    await tableSettled(page, 'all courses');
    const api = await h.json(page, '/api/v1/courses');
    const users = api.rows.reduce((n, r) => n + r.users, 0);
    const atRisk = api.rows.reduce((n, r) => n + r.at_risk, 0);
    const figure = await atRiskFigure(page);
    assert.match(figure.text, new RegExp(`^At risk${int(atRisk)}`));
    assert.ok(figure.text.includes(`${pct(atRisk / users)} of ${int(users)} enrolments`),
      figure.text);
    assert.equal(figure.emphasised, atRisk > 0);
    const row = api.rows.find((r) => r.course === course);
    const tr = page.locator(`.table-block tbody tr[data-key="${course}"]`);
    assert.equal(await tr.locator('[data-col="at_risk"]').textContent(), int(row.at_risk));
    assert.equal(await tr.locator('[data-col="at_risk_share"]').textContent(),
      pct(row.at_risk_share));
    assert.ok(Math.abs(row.at_risk_share - row.at_risk / row.users) < 1e-12);
    // One click: the course's league with the at_risk filter, and its exports with it.
    await tr.locator('[data-col="at_risk"] a').click();
    await waitForHash(page, new RegExp(`^#/courses/${course}\\?at_risk=true$`), 'at-risk list');
    const listed = await leagueMatchesApi(h, page, course, 'the course at-risk list');
    assert.equal(listed.total, row.at_risk);
    assert.ok(listed.rows.every((r) => r.at_risk));
    assert.equal(await page.inputValue('select[name="at_risk"]'), 'true');
    const csv = await page.getAttribute('a.export[data-format=csv]', 'href');
    assert.match(csv, /[?&]at_risk=true(&|$)/);
    await exportsMatchTable(h, page, 'User', 'the at-risk list');
  });

  await run('needs attention: the course page and the group league show at risk as a count ' +
    'and a share, each group opening its own at-risk list', async () => {
    const page = await managerPage();
    await page.goto(`${h.base}/#/courses/${course}`);
    const detail = await h.json(page, `/api/v1/courses/${course}`);
    await headingIs(page, detail.title, 'course heading');
    await tableSettled(page, 'course');
    const figure = await atRiskFigure(page);
    assert.match(figure.text, new RegExp(`^At risk${int(detail.at_risk)}`));
    assert.ok(figure.text.includes(`${pct(detail.at_risk_share)} of ${int(detail.users)} users`),
      figure.text);
    assert.equal(figure.emphasised, detail.at_risk > 0);
    assert.equal(figure.list, `#/courses/${course}?at_risk=true`);

    await page.goto(`${h.base}/#/courses/${course}/groups?sort=at_risk&order=desc`);
    await tableSettled(page, 'group league');
    const groups = await h.json(page,
      `/api/v1/courses/${course}/groups?sort=at_risk&order=desc&limit=25`);
    await waitForKeys(page, groups.rows.map((g) => g.group), 'groups by at risk');
    for (const g of groups.rows) {
      const tr = page.locator(`.table-block tbody tr[data-key="${g.group}"]`);
      assert.equal(await tr.locator('[data-col="at_risk"]').textContent(), int(g.at_risk));
      assert.equal(await tr.locator('[data-col="at_risk_share"]').textContent(),
        pct(g.at_risk_share));
      assert.ok(Math.abs(g.at_risk_share - g.at_risk / g.users) < 1e-12, g.group);
    }
    const top = groups.rows[0];
    await page.locator(`.table-block tbody tr[data-key="${top.group}"] [data-col="at_risk"] a`)
      .click();
    await waitForHash(page,
      new RegExp(`^#/courses/${course}/groups/${top.group}\\?at_risk=true$`), 'group at-risk');
    const listed = await leagueMatchesApi(h, page, course, 'the group at-risk list', top.group);
    assert.equal(listed.total, top.at_risk);
    const groupFigure = await atRiskFigure(page);
    assert.ok(groupFigure.text.includes(`${pct(top.at_risk_share)} of ${int(top.users)} members`),
      groupFigure.text);
    assert.equal(groupFigure.list, `#/courses/${course}/groups/${top.group}?at_risk=true`);
    const csv = await page.getAttribute('a.export[data-format=csv]', 'href');
    assert.match(csv, /[?&]at_risk=true(&|$)/);
    assert.match(csv, new RegExp(`[?&]group=${top.group}(&|$)`));
    await exportsMatchTable(h, page, 'User', 'the group at-risk list');
    assert.deepEqual(await axeViolations(page), [], 'the group at-risk list');
    await h.shots2(page, 'group-at-risk');
  });

  await run('league: days since last active, a "not started" marker, the enrolment date and ' +
    'the email under each name', async () => {
    const page = await managerPage();
    await seedElodie();
    for (const [sort, order] of [['days_inactive', 'desc'], ['days_inactive', 'asc'],
      ['rank', 'asc']]) {
      await page.goto(`${h.base}/#/courses/${course}?sort=${sort}&order=${order}&size=100`);
      const api = await h.json(page, `/api/v1/courses/${course}/users?${
        apiQueryOf(hashParams(page), {sort: 'rank'})}`);
      await waitForKeys(page, api.rows.map((r) => r.user), `league by ${sort} ${order}`);
      const cells = await leagueCells(page);
      api.rows.forEach((r, i) => {
        const c = cells[i];
        assert.equal(c.id, r.email || r.user, `${r.user}: the line under the name`);
        assert.equal(c.enrolled, r.enrolled_at.slice(0, 10), `${r.user}: enrolled`);
        assert.equal(c.days, int(r.days_inactive), `${r.user}: days since last active`);
        assert.equal(c.marker, r.not_started, `${r.user}: not started`);
        assert.equal(c.atRisk, r.at_risk ? 'Yes' : 'No', `${r.user}: at risk`);
      });
    }
    // Élodie has just been enrolled and has not started: the marker, and 0 days.
    await page.goto(`${h.base}/#/courses/${course}?q=${encodeURIComponent(ELODIE.name)}`);
    await waitForKeys(page, [ELODIE.key], 'Élodie');
    const [elodie] = await leagueCells(page);
    assert.deepEqual([elodie.id, elodie.days, elodie.marker, elodie.atRisk],
      [ELODIE.email, '0', true, 'No']);
    await h.shots2(page, 'league-not-started');
  });

  // The demo has its own Lefèvres and Lefevres: each search shows what the API finds, which
  // holds Élodie, and every row found holds the search in its folded name or email.
  const expectFound = (rows, typed, what) => {
    assert.ok(rows.some((r) => r.user === ELODIE.key), `${what}: Élodie is found`);
    for (const r of rows) {
      assert.ok(fold(r.name).includes(fold(typed)) || fold(r.email).includes(fold(typed)),
        `${what}: ${r.name} <${r.email}> does not hold "${typed}"`);
    }
  };
  await run('search: by name or email, whatever the case and the accents', async () => {
    const page = await managerPage();
    await seedElodie();
    for (const typed of ['lefevre', 'LEFÈVRE', 'élodie', 'EL.UI@ACME']) {
      await page.goto(`${h.base}/#/courses/${course}`);
      await tableSettled(page, 'course');
      await page.fill('input[name="q"]', typed);
      await page.press('input[name="q"]', 'Enter');
      await waitForHash(page, /[?&]q=/, `search "${typed}"`);
      const api = await leagueMatchesApi(h, page, course, `the league searched for "${typed}"`);
      expectFound(api.rows, typed, `league "${typed}"`);
      // A search without the accents finds the people with them, and the other way round.
      if (typed === 'lefevre') {
        assert.ok(api.rows.some((r) => r.name.includes('Lefèvre')), 'Lefèvre for "lefevre"');
      }
    }
    assert.equal(await page.getAttribute('input[name="q"]', 'placeholder'),
      'Search names or emails');
    for (const typed of ['LEFEVRE', 'el.ui@acme']) {
      await page.goto(`${h.base}/#/report?q=${encodeURIComponent(typed)}`);
      const api = await h.json(page, `/api/v1/report?${apiQueryOf(hashParams(page),
        {sort: 'name'})}`);
      await waitForKeys(page, api.rows.map((r) => `${r.user}/${r.course}`), `report "${typed}"`);
      expectFound(api.rows, typed, `report "${typed}"`);
    }
  });
}
