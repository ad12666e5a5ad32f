// Issue 20's "Done when", in the browser, over an organisation of its own (run.mjs makes the
// account, an ingest token and its account manager with the CLI; this file fills it through the
// HTTP API): a course of 653 learners and 14 chapters (long, Arabic, Hebrew and markup-looking
// titles), groups with right-to-left and markup-looking names, and people whose names are
// Arabic, Hebrew, of both directions ("محمد Smith"), very long or look like HTML. Each check
// compares the page with the API's answer, formatted here independently of the UI's code.

import assert from 'node:assert/strict';

import {PHONE, recordAnswer, WIDE, waitForKeys} from './harness.mjs';
import {axeViolations, headingIs, leagueMatchesApi, nameStaysInViewSideways, overflowing,
  scrollSettled, shownOnTop, tableSettled, waitForHash, wheelOverTable} from './checks.mjs';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const int = (x) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-GB'));

const AR_FIRST = ['محمد', 'فاطمة', 'أحمد', 'ليلى', 'يوسف', 'مريم', 'عمر', 'نور'];
const AR_LAST = ['الحسيني', 'العلي', 'منصور', 'حداد'];
const HE_FIRST = ['דוד', 'שרה', 'יוסף', 'רחל', 'משה', 'מרים'];
const HE_LAST = ['כהן', 'לוי', 'מזרחי', 'פרץ'];
const LATIN = ['Smith', 'Cohen', 'Garcia', 'Okafor', 'Nguyen'];

// The i-th person's name: Arabic, Hebrew, both directions (right-to-left first, and left-to-right
// first), very long, markup-looking, or plain.
function edgeName(i) {
  const n = Math.floor(i / 8);
  const [ar, arLast, he, heLast, latin] = [AR_FIRST[n % 8], AR_LAST[n % 4], HE_FIRST[n % 6],
    HE_LAST[n % 4], LATIN[i % 5]];
  switch (i % 8) {
    case 0: return `${ar} ${arLast}`;
    case 1: return `${he} ${heLast}`;
    case 2: return `${ar} ${latin}`;
    case 3: return `${he} ${latin}`;
    case 4: return `${latin} ${ar} ${arLast}`;
    case 5: return 'Maximiliane Alexandra Konstantinopoulou-Vanderbergh-Oyelaran-Fitzwilliam ' +
      `${latin} the ${i}th`;
    case 6: return `<b>Bold</b> & "quotes" ${latin}`;
    default: return `${latin} Learner ${i}`;
  }
}

export const EDGE = {
  course: 'edge-course',
  title: 'Data Skills for Everyone · مهارات البيانات للجميع',
  chapters: ['Getting started', 'مقدمة في تحليل البيانات',
    'Variables, Types and the Surprisingly Long Story of How Numbers Are Stored in Memory ' +
    '(Gleitkommazahlendarstellung)',
    'מבוא לאלגוריתמים', 'Control flow',
    'Functions and Closures in Depth: Scope, Lifetime, Capture and the Hidden Costs of ' +
    'Convenience',
    'Collections', '<i>Markup</i> & "quoted" chapter', 'Error handling', 'Testing',
    'Concurrency Without Tears: Threads, Tasks, Futures, Channels and Structured Concurrency',
    'Performance', 'Packaging', 'Capstone project'],
  groups: [['edge-alpha', 'Alpha Team'], ['edge-arabic', 'فريق المبيعات'],
    ['edge-hebrew', 'צוות התמיכה'], ['edge-markup', '<i>Markup</i> & "Co"']],
  users: 653,
  // Masters every chapter (a strong learner): fourteen chapter-master badges, by their titles.
  master: 'edge-u000',
};
const userKey = (i) => `edge-u${String(i).padStart(3, '0')}`;

// Runs `fn` over `items`, `n` at a time.
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({length: n}, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await fn(item);
    }
  }));
}

// The organisation's data, through the HTTP API with its ingest token: the course, the groups,
// the people and their enrolments (eight requests at a time), then every attempt in one batch.
// The first request of each kind is kept for the OpenAPI check.
async function seedEdge(h) {
  const t0 = Date.now();
  const recorded = new Set();
  const send = async (method, url, body) => {
    const r = await fetch(h.base + url, {method, body: JSON.stringify(body), headers: {
      Authorization: `Bearer ${h.edge.token}`, 'Content-Type': 'application/json'}});
    const text = await r.text();
    const kind = `${method} ${url.split('/').slice(0, 4).join('/')}`;
    if (!recorded.has(kind)) {
      recorded.add(kind);
      recordAnswer(method, h.base + url, r.status, Object.fromEntries(r.headers),
        Buffer.from(text), JSON.stringify(body));
    }
    assert.equal(r.status, 200, `${method} ${url} answered ${r.status}: ${text}`);
  };
  await send('PUT', `/api/v1/courses/${EDGE.course}`, {title: EDGE.title,
    chapters: EDGE.chapters.map((title, c) => ({key: `c${c + 1}`, title,
      exercises: [{key: `c${c + 1}-e1`, title: `Exercise ${c + 1}`}]}))});
  for (const [group, name] of EDGE.groups) {
    await send('PUT', `/api/v1/groups/${group}`, {name, managers: []});
  }
  const people = Array.from({length: EDGE.users}, (_, i) => i);
  // Forty days ago: before every attempt (so those not started are at risk).
  const enrolled_at = new Date(Date.now() - 40 * 86400000).toISOString();
  await pool(people, 8, async (i) => {
    const groups = [EDGE.groups[i % 4][0]];
    if (i % 5 === 0 && i % 4 !== 1) groups.push('edge-arabic');
    await send('PUT', `/api/v1/users/${userKey(i)}`, {name: edgeName(i),
      email: `edge${i}@edge.example`, roles: ['learner'], groups, active: true});
    await send('PUT', `/api/v1/enrollments/${userKey(i)}/${EDGE.course}`, {enrolled_at});
  });
  // One in forty people answers every chapter's exercise right ten times (mastered, completed,
  // certified), one in forty six times in ten (50% to below 80%); of the others two in three
  // have one attempt (the rest have not started) of 1 to 10 responses, some wrong, 1 to 25
  // days ago (some at risk).
  const day = 86400000;
  const now = Date.now();
  const attempts = [];
  for (const i of people) {
    const started = new Date(now - ((i % 25) + 1) * day).toISOString();
    if (i % 20 === 0) {
      for (let c = 1; c <= EDGE.chapters.length; c += 1) {
        attempts.push({id: `edge-a-${i}-${c}`, user: userKey(i), course: EDGE.course,
          exercise: `c${c}-e1`, started_at: new Date(now - 2 * day + c * 60000).toISOString(),
          responses: Array.from({length: 10}, (_, j) => ({question: `q${j}`,
            correct: i % 40 === 0 || j % 5 > 1, time_ms: 10000}))});
      }
    } else if (i % 3 !== 2) {
      attempts.push({id: `edge-a-${i}`, user: userKey(i), course: EDGE.course,
        exercise: `c${(i % 14) + 1}-e1`, started_at: started,
        responses: Array.from({length: 1 + (i % 10)}, (_, j) => ({question: `q${j}`,
          correct: (i + j) % 4 !== 0, time_ms: 15000 + 1000 * j}))});
    }
  }
  await send('POST', '/api/v1/attempts', attempts);
  console.log(`     (the edge organisation: ${EDGE.users} people, ${attempts.length} attempts, ` +
    `in ${Date.now() - t0} ms)`);
}

// Whether each element of `selector` holds its text in a direction of its own: it, or the one
// element inside it that holds the whole text, has dir="auto" or an isolating unicode-bidi.
// Answers the texts that do not.
function notIsolated(page, selector) {
  return page.$$eval(selector, (els) => els.map((el) => {
    const text = el.textContent;
    const isolates = (x) => x.getAttribute('dir') === 'auto' ||
      ['isolate', 'plaintext', 'isolate-override'].includes(getComputedStyle(x).unicodeBidi);
    for (let x = el; x;) {
      if (isolates(x)) return null;
      const inner = [...x.children].filter((c) => c.textContent === text);
      x = inner.length === 1 ? inner[0] : null;
    }
    return text;
  }).filter((t) => t !== null));
}

// For each element of `selector` whose text begins with a right-to-left letter and has a Latin
// word on the same line ("محمد Smith"): whether it reads right to left, the first word drawn
// right of the Latin one, as it does in a paragraph of its own. Answers those that do not.
function readsLeftToRightWrongly(page, selector) {
  return page.$$eval(selector, (els) => els.map((el) => {
    let holder = el;
    while (holder.children.length === 1 && holder.children[0].textContent === el.textContent) {
      holder = holder.children[0];
    }
    const node = [...holder.childNodes].find((n) => n.nodeType === Node.TEXT_NODE &&
      n.data === el.textContent);
    if (!node) return null;
    const text = node.data;
    const first = text.search(/[A-Za-z\u0590-\u08FF]/);
    const latin = text.search(/[A-Za-z]/);
    if (first < 0 || latin <= first) return null;  // left to right from its first letter
    const rect = (i) => {
      const r = document.createRange();
      r.setStart(node, i);
      r.setEnd(node, i + 1);
      return r.getBoundingClientRect();
    };
    const a = rect(first);
    const b = rect(latin);
    if (Math.abs(a.top - b.top) > 2) return null;  // wrapped: another line
    return a.left > b.left ? null : `${text}: its first word at ${Math.round(a.left)} px, ` +
      `left of the Latin one at ${Math.round(b.left)} px`;
  }).filter((x) => x !== null));
}

// The rows of the page's table whose cells are out of order across the row, or whose name
// reaches out of its cell.
function scrambledRows(page) {
  return page.$$eval('.table-block tbody tr[data-key]', (rows) => rows.map((tr) => {
    const lefts = [...tr.children].map((c) => c.getBoundingClientRect().left);
    const inOrder = lefts.every((x, i) => i === 0 || x > lefts[i - 1]);
    const th = tr.querySelector('th').getBoundingClientRect();
    const name = (tr.querySelector('th a') || tr.querySelector('th')).getBoundingClientRect();
    const inside = name.left >= th.left - 1 && name.right <= th.right + 1;
    return inOrder && inside ? null : `${tr.dataset.key}: cells at ${lefts.map(Math.round)}, ` +
      `the name ${Math.round(name.left)}–${Math.round(name.right)} in ${Math.round(th.left)}–` +
      `${Math.round(th.right)}`;
  }).filter((x) => x !== null));
}

// No element the data's markup would have made, anywhere in the page's main part.
function injected(page) {
  return page.locator('main b, main i, main img, main script').count();
}

export async function edgeChecks(h, run) {
  let session = null;
  let seeded = null;
  // The edge organisation's account manager, signed in once (after the data is in).
  const edgePage = async () => {
    if (!seeded) seeded = seedEdge(h);
    await seeded;
    if (!session) session = await h.signIn('edge_manager');
    return session.page;
  };
  const apiGet = (page, url) => h.json(page, url);

  await run('edge account: a league of 653 learners: the total, paging to the last page; at ' +
    '1,000 a page the header stays in view as the rows scroll (1440 px); on a phone the names ' +
    'stay in view as the table scrolls sideways', async () => {
    const page = await edgePage();
    await page.setViewportSize(WIDE);
    try {
      await page.goto(`${h.base}/#/courses/${EDGE.course}`);
      const detail = await apiGet(page, `/api/v1/courses/${EDGE.course}`);
      await headingIs(page, detail.title, 'the edge course');
      const first = await leagueMatchesApi(h, page, EDGE.course, 'the edge league, page 1');
      assert.equal(first.total, EDGE.users, 'the API counts every learner');
      assert.equal(detail.users, EDGE.users);
      assert.equal(await page.textContent('.table-status'), `Showing 1–25 of ${first.total}`);
      assert.match(await page.locator('.figure', {hasText: 'Users'}).first().textContent(),
        new RegExp(`^Users${int(detail.users)}`));
      // The last page: the one before it by its URL, then Next.
      const pages = Math.ceil(first.total / 25);
      await page.goto(`${h.base}/#/courses/${EDGE.course}?page=${pages - 1}`);
      await leagueMatchesApi(h, page, EDGE.course, `page ${pages - 1}`);
      await page.click('.pager button[rel=next]');
      await waitForHash(page, new RegExp(`[?&]page=${pages}$`), 'Next to the last page');
      const last = await leagueMatchesApi(h, page, EDGE.course, 'the last page');
      assert.equal(last.rows.length, first.total - (pages - 1) * 25);
      assert.equal(await page.textContent('.table-status'),
        `Showing ${(pages - 1) * 25 + 1}–${first.total} of ${first.total}`);
      assert.equal(await page.textContent('.pager .page-of'), `Page ${pages} of ${pages}`);
      assert.equal(await page.locator('.pager button[rel=next]').count(), 0, 'no Next');

      // Every learner on one page (the largest size), scrolled by the wheel over the table
      // until the last row shows: the header is still in view, at the top of the table's box.
      await page.goto(`${h.base}/#/courses/${EDGE.course}?size=1000`);
      const all = await leagueMatchesApi(h, page, EDGE.course, 'the league, 1,000 a page');
      assert.equal(all.rows.length, EDGE.users);
      const shows = (key) => `(() => {
        const row = document.querySelector('.table-block tbody tr[data-key="${key}"]');
        const b = row.getBoundingClientRect();
        const y = b.top + b.height / 2;
        const at = y > 0 && y < innerHeight && document.elementFromPoint(b.left + 30, y);
        return Boolean(at) && row.contains(at);
      })()`;
      assert.ok(await wheelOverTable(page, 0, 5000, shows(all.rows.at(-1).user), 30),
        'the last row never showed');
      assert.ok(!await page.evaluate(shows(all.rows[0].user)), 'the first row still shows');
      const header = await page.evaluate(() => {
        const box = document.querySelector('.table-block .table-scroll');
        const head = document.querySelector('.table-block thead th[data-col="name"]')
          .getBoundingClientRect();
        const b = box.getBoundingClientRect();
        return {top: head.top, bottom: head.bottom, boxTop: b.top + box.clientTop,
          scrolled: box.scrollTop, height: innerHeight};
      });
      assert.ok(header.scrolled > 10000, `the rows scrolled ${header.scrolled} px`);
      assert.ok(header.top >= 0 && header.bottom <= header.height,
        `the header at ${header.top}–${header.bottom} px of a ${header.height} px window`);
      assert.ok(Math.abs(header.top - header.boxTop) <= 1,
        `the header at ${header.top} px, the box's top at ${header.boxTop} px`);
      for (const col of ['rank', 'name', 'mastery', 'progress', 'completed', 'points']) {
        assert.equal(await shownOnTop(page, `.table-block thead th[data-col="${col}"]`), '',
          `the ${col} header, the last row in view`);
      }
      await h.shots2(page, 'edge-league-1000', WIDE);

      // A phone: scrolled sideways to the last column, the row's name stays in view.
      await page.setViewportSize(PHONE);
      await nameStaysInViewSideways(page, all.rows[0].user);
    } finally {
      await page.setViewportSize(WIDE);
    }
  });

  await run('edge account: 14 chapters on the course page (bands, the chapters chart) and in ' +
    'the group league\'s heat map, each title whole or cut with a cue; on a phone the heat map ' +
    'and the league scroll sideways', async () => {
    const page = await edgePage();
    await page.setViewportSize(WIDE);
    try {
      await page.goto(`${h.base}/#/courses/${EDGE.course}`);
      await page.reload();  // a fresh document: the league's box scrolled to its start
      const detail = await apiGet(page, `/api/v1/courses/${EDGE.course}`);
      await headingIs(page, detail.title, 'the edge course');
      await tableSettled(page, 'the edge course');
      assert.deepEqual(detail.chapters.map((c) => c.title), EDGE.chapters, 'the API\'s chapters');
      // The bands: every chapter, by its whole title, none wider than its box.
      const bands = await page.$$eval('.bands-chapters > li', (lis) => lis.map((li) => {
        const label = li.querySelector('.bands-label');
        return {chapter: li.dataset.chapter, title: label.textContent,
          cut: label.scrollWidth > label.clientWidth + 1 || label.scrollHeight >
            label.clientHeight + 1};
      }));
      assert.deepEqual(bands, detail.chapters.map((c) => ({chapter: c.chapter, title: c.title,
        cut: false})), 'each chapter\'s bands by its whole title');
      // The chart: a bar a chapter; each label whole, or its last line cut short with "…" (the
      // tooltip says it whole).
      await page.waitForFunction(() => [...document.querySelectorAll('main canvas')].some((c) =>
        window.Chart && window.Chart.getChart(c) && /^Mastery by chapter/.test(
          c.getAttribute('aria-label'))), null, {timeout: 10000});
      const ticks = await page.evaluate(() => {
        const canvas = [...document.querySelectorAll('main canvas')].find((c) =>
          /^Mastery by chapter/.test(c.getAttribute('aria-label')));
        const chart = window.Chart.getChart(canvas);
        return {labels: chart.data.labels, drawn: chart.scales.y.ticks.map((t) => [t.label].flat())};
      });
      assert.deepEqual([...ticks.labels].sort(), [...EDGE.chapters].sort(), 'a bar a chapter');
      assert.equal(ticks.drawn.length, 14, 'every label drawn');
      const squeeze = (s) => s.replace(/\s+/g, '');
      ticks.drawn.forEach((lines, i) => {
        const title = ticks.labels[i];
        const whole = squeeze(lines.join('')) === squeeze(title);
        const cue = lines.at(-1).endsWith('…') &&
          squeeze(title).startsWith(squeeze(lines.join('')).slice(0, -1));
        assert.ok(whole || cue, `'${title}' drawn as ${JSON.stringify(lines)}`);
      });
      assert.deepEqual(await axeViolations(page), [], 'the edge course');
      await h.shots2(page, 'edge-course', WIDE);
      // On a phone the league scrolls sideways in its box.
      await page.setViewportSize(PHONE);
      assert.ok(await page.$eval('.table-block .table-scroll', (b) => b.scrollWidth >
        b.clientWidth), 'the league scrolls sideways on a phone');
      assert.deepEqual(await overflowing(page), [], 'the course page on a phone');
      await page.setViewportSize(WIDE);

      // The group league and its heat map: every group, all 14 chapters, in course order.
      await page.goto(`${h.base}/#/courses/${EDGE.course}/groups`);
      await tableSettled(page, 'the edge group league');
      const league = await apiGet(page,
        `/api/v1/courses/${EDGE.course}/groups?sort=rank&order=asc&limit=25&offset=0`);
      await waitForKeys(page, league.rows.map((g) => g.group), 'the edge group league');
      const api = await apiGet(page,
        `/api/v1/courses/${EDGE.course}/groups?chapters=true&sort=name&limit=1000`);
      assert.equal(api.rows.length, EDGE.groups.length);
      await page.waitForSelector('table.heat-map');
      // The heads' titles are fitted in the frame after the map is laid out (bands.js,
      // fitHeads): on a loaded machine that frame may come after the map shows. Wait for it;
      // the assertions below say what is wrong if it never comes.
      await page.waitForFunction(() => [...document.querySelectorAll('table.heat-map .heat-head')]
        .every((x) => x.scrollHeight <= x.clientHeight + 1 && x.scrollWidth <= x.clientWidth + 1),
      null, {timeout: 10000}).catch(() => {});
      const map = await page.$eval('table.heat-map', (t) => ({
        heads: [...t.querySelectorAll('thead th[data-chapter]')].map((th) => {
          const head = th.querySelector('.heat-head');
          const style = getComputedStyle(head);
          return {chapter: th.dataset.chapter, text: head.textContent, title: head.title,
            name: th.getAttribute('aria-label'),
            overflows: head.scrollHeight > head.clientHeight + 1 || head.scrollWidth >
              head.clientWidth + 1, lines: Math.round(head.getBoundingClientRect().height /
              parseFloat(style.lineHeight))};
        }),
        rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({key: tr.dataset.key,
          name: tr.querySelector('th').textContent,
          cells: [...tr.querySelectorAll('td')].map((td) => td.textContent)}))}));
      assert.deepEqual(map.heads.map((x) => x.chapter), detail.chapters.map((c) => c.chapter),
        'the 14 chapters, in order');
      // Each title whole, or cut short with "…" in view (the rest of it no hidden overflow),
      // the head's title and accessible name saying it whole; three lines at most.
      map.heads.forEach((x, i) => {
        const title = detail.chapters[i].title;
        const what = `${x.chapter}: ${JSON.stringify(x)}`;
        assert.equal(x.title, title, what);
        assert.ok(!x.overflows && x.lines <= 3, `${what}: cut without a cue`);
        if (x.text !== title) {
          assert.ok(x.text.endsWith('…') && title.startsWith(x.text.slice(0, -1)) &&
            x.name === title, `${what}: cut without a cue`);
        }
      });
      const cut = map.heads.filter((x) => x.text !== x.title);
      assert.ok(cut.length > 0 && cut.length < 14, `${cut.length} of 14 cut short`);
      console.log(`     (${cut.length} of 14 chapter heads cut short with "…")`);
      assert.deepEqual(map.rows.map((r) => [r.key, r.name]), api.rows.map((g) => [g.group,
        g.name]), 'every group, by its name');
      api.rows.forEach((g, i) => {
        const byChapter = new Map(g.chapters.map((c) => [c.chapter, c.mastery]));
        assert.deepEqual(map.rows[i].cells, detail.chapters.map((c) =>
          pct(byChapter.get(c.chapter))), `${g.group}: its cells`);
      });
      assert.equal(await injected(page), 0, 'no element from a name');
      // Fourteen chapters are wider than the window: those out of view are said, and the cue's
      // buttons bring each into view, the group names staying.
      const head = (c) => `table.heat-map thead th[data-chapter="${c.chapter}"]`;
      const hidden = [];
      for (const c of detail.chapters) if (await shownOnTop(page, head(c))) hidden.push(c.chapter);
      console.log(`     (1440 px: ${hidden.length} of 14 chapters out of view)`);
      if (hidden.length > 0) {
        await page.$eval('.heat-block', (b) => b.scrollIntoView({block: 'start'}));
        assert.equal(await shownOnTop(page, '.heat-cue'), '', 'the heat map\'s cue');
        assert.equal(await page.textContent('.heat-cue .scroll-cue-text'),
          `${hidden.length} chapter${hidden.length === 1 ? '' : 's'} out of view`);
        await h.shots2(page, 'edge-heat-map', WIDE);
        // (Without motion, as the page does for whoever asks for less: no smooth scroll to wait
        // for.)
        await page.emulateMedia({reducedMotion: 'reduce'});
        for (const c of detail.chapters.filter((x) => hidden.includes(x.chapter))) {
          for (let i = 0; i < 14 && await shownOnTop(page, head(c)); i += 1) {
            await page.click('.heat-cue button[data-dir="next"]');
            await scrollSettled(page, '.heat-scroll');
          }
          assert.equal(await shownOnTop(page, head(c)), '', `${c.chapter} via the cue`);
          assert.equal(await shownOnTop(page, 'table.heat-map tbody th'), '', 'the names');
        }
        assert.equal(await page.getAttribute('.heat-cue button[data-dir="next"]',
          'aria-disabled'), 'true', 'at the end');
        await page.emulateMedia({reducedMotion: 'no-preference'});
      } else {
        assert.equal(await page.isVisible('.heat-cue'), false, 'no cue when all show');
      }
      assert.deepEqual(await axeViolations(page), [], 'the edge group league and heat map');
      // A phone: the map scrolls sideways in its box, the group names staying in view.
      await page.setViewportSize(PHONE);
      const box = await page.$eval('.heat-scroll', (b) => ({right: b.getBoundingClientRect().right,
        scrolls: b.scrollWidth > b.clientWidth}));
      assert.ok(box.right <= PHONE.width && box.scrolls, `the heat map's box: ${
        JSON.stringify(box)}`);
      await page.$eval('.heat-scroll', (b) => {
        b.scrollLeft = b.scrollWidth;
      });
      const after = await page.$eval('table.heat-map', (t) => ({
        nameLeft: t.querySelector('tbody th').getBoundingClientRect().left,
        lastRight: [...t.querySelectorAll('thead th')].pop().getBoundingClientRect().right}));
      assert.ok(after.nameLeft >= 0 && after.nameLeft < 40, `the names at ${after.nameLeft} px`);
      assert.ok(after.lastRight <= PHONE.width, `the last chapter ends at ${after.lastRight} px`);
    } finally {
      await page.setViewportSize(WIDE);
    }
  });

  await run('edge account: right-to-left names read in their direction, each in a cell ' +
    'isolated from its neighbours; markup-looking names are text (league, groups, heat map, ' +
    'report, a person\'s page)', async () => {
    const page = await edgePage();
    // Every learner on one page, by name.
    await page.goto(`${h.base}/#/courses/${EDGE.course}?size=1000&sort=name`);
    const all = await leagueMatchesApi(h, page, EDGE.course, 'the league by name, 1,000 a page');
    const names = await page.$$eval('.table-block tbody tr[data-key] th .person a', (as) =>
      as.map((a) => a.textContent));
    assert.deepEqual(names, all.rows.map((r) => r.name), 'the names as the API says them');
    assert.ok(names.some((n) => /^محمد [A-Z]/.test(n)) && names.some((n) => /^[\u0590-\u05FF]+ [A-Z]/
      .test(n)) && names.includes('<b>Bold</b> & "quotes" Smith'), 'the names to judge');
    assert.deepEqual(await notIsolated(page, '.table-block tbody th .person a'), [],
      'names not isolated');
    assert.deepEqual(await notIsolated(page, '.table-block tbody th .person-id'), [],
      'emails not isolated');
    assert.deepEqual(await readsLeftToRightWrongly(page, '.table-block tbody th .person a'), [],
      'right-to-left names');
    assert.deepEqual(await scrambledRows(page), [], 'rows out of order');
    // The cells beside the names say the API's figures.
    const cells = await page.$$eval('.table-block tbody tr[data-key]', (rows) => rows.map((r) =>
      [r.querySelector('[data-col="rank"]').textContent,
        r.querySelector('[data-col="mastery"]').textContent]));
    assert.deepEqual(cells, all.rows.map((r) => [int(r.rank), pct(r.mastery)]), 'rank, mastery');
    assert.equal(await injected(page), 0, 'no element from a name');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    // Page one by name, descending: the right-to-left names (ascending, the markup-looking
    // ones come first: the 1,000 rows above hold both).
    await page.goto(`${h.base}/#/courses/${EDGE.course}?sort=name&order=desc`);
    await leagueMatchesApi(h, page, EDGE.course, 'the league by name, descending');
    assert.deepEqual(await axeViolations(page), [], 'the league by name, descending');
    await h.shots2(page, 'edge-names-desc', WIDE);

    // The group league and the heat map: the groups' and chapters' names.
    await page.goto(`${h.base}/#/courses/${EDGE.course}/groups`);
    await tableSettled(page, 'the group league');
    await page.waitForSelector('table.heat-map');
    for (const selector of ['.table-block tbody th a', 'table.heat-map tbody th a',
      'table.heat-map thead .heat-head']) {
      assert.deepEqual(await notIsolated(page, selector), [], selector);
      assert.deepEqual(await readsLeftToRightWrongly(page, selector), [], selector);
    }
    assert.ok((await page.$$eval('table.heat-map tbody th a', (as) => as.map((a) =>
      a.textContent))).includes('فريق المبيعات'));
    assert.deepEqual(await scrambledRows(page), [], 'group rows out of order');

    // The report: names, courses and each group of a person isolated.
    await page.goto(`${h.base}/#/report?sort=name&order=desc&size=100`);
    const report = await apiGet(page, '/api/v1/report?sort=name&order=desc&limit=100&offset=0');
    await waitForKeys(page, report.rows.map((r) => `${r.user}/${r.course}`), 'the report');
    for (const col of ['name', 'title', 'email']) {
      const sel = `.table-block tbody [data-col="${col}"] ${col === 'email' ? '.clip' : 'a'}`;
      assert.deepEqual(await notIsolated(page, sel), [], `report ${col}`);
      assert.deepEqual(await readsLeftToRightWrongly(page, sel), [], `report ${col}`);
    }
    const groupCells = await page.$$eval('.table-block tbody [data-col="group_names"] .clip',
      (cs) => cs.map((c) => ({text: c.textContent, items: [...c.children].map((s) =>
        [s.textContent, s.getAttribute('dir')])})));
    assert.deepEqual(groupCells, report.rows.map((r) => ({text: r.group_names.join(', '),
      items: r.group_names.map((g) => [g, 'auto'])})), 'each group\'s name isolated');
    assert.ok(report.rows.some((r) => r.group_names.length > 1 &&
      r.group_names.includes('فريق المبيعات')), 'a person in two groups, one right-to-left');
    assert.deepEqual(await scrambledRows(page), [], 'report rows out of order');

    // A person's page: the heading, the groups, the chapter-master badges by their titles.
    await page.goto(`${h.base}/#/users/${EDGE.master}`);
    const p = await apiGet(page, `/api/v1/users/${EDGE.master}`);
    await headingIs(page, p.name, 'the master\'s overview');
    assert.deepEqual(await notIsolated(page, 'h1'), [], 'the heading');
    assert.deepEqual(await readsLeftToRightWrongly(page, 'h1'), [], 'the heading');
    const chapterBadges = p.badges.filter((b) => b.badge.startsWith('chapter-master:'));
    assert.deepEqual(chapterBadges.map((b) => b.chapter_title).sort(), [...EDGE.chapters].sort(),
      'every chapter mastered, by its title');
    const badges = await page.$$eval('[data-list="badges"] li strong', (ss) =>
      ss.map((s) => s.textContent));
    for (const b of chapterBadges) {
      assert.ok(badges.includes(`Chapter master: ${b.chapter_title}`), `${b.badge}: ${badges}`);
    }
    assert.deepEqual(await notIsolated(page, '[data-list="badges"] li strong'), [], 'badges');
    assert.deepEqual(await axeViolations(page), [], 'the master\'s overview');
    await h.shots2(page, 'edge-person', WIDE);
  });

  await run('edge account: the report of 653 rows sorts by name and Groups without an error; ' +
    'its group filter offers the account\'s groups', async () => {
    const page = await edgePage();
    await page.setViewportSize(WIDE);
    const key = (r) => `${r.user}/${r.course}`;
    await page.goto(`${h.base}/#/report?size=1000`);
    let api = await apiGet(page, '/api/v1/report?sort=name&order=asc&limit=1000&offset=0');
    assert.equal(api.total, EDGE.users);
    await waitForKeys(page, api.rows.map(key), 'the report by name');
    const alerts = () => page.$$eval('main [role=alert]', (els) => els.map((e) =>
      e.textContent.trim()).filter(Boolean));
    await page.click('.table-block thead th[data-col="name"] button');
    await waitForHash(page, /sort=name&order=desc/, 'name descending');
    api = await apiGet(page, '/api/v1/report?sort=name&order=desc&limit=1000&offset=0');
    await waitForKeys(page, api.rows.map(key), 'the report by name, descending');
    assert.deepEqual(await alerts(), [], 'by name');
    // Groups: sorted by the API when it declares the column sortable; otherwise no button, and
    // a link sorting by it shows the rows by name instead of an error.
    const declared = (await apiGet(page, '/api/v1/columns')).tables.report.columns
      .find((c) => c.name === 'group_names');
    const button = page.locator('.table-block thead th[data-col="group_names"] button');
    if (declared.sort) {
      for (const order of ['asc', 'desc']) {
        await button.click();
        await waitForHash(page, new RegExp(`sort=group_names&order=${order}`), `Groups ${order}`);
        api = await apiGet(page, `/api/v1/report?sort=group_names&order=${order}&limit=1000` +
          '&offset=0');
        await waitForKeys(page, api.rows.map(key), `the report by Groups ${order}`);
      }
    } else {
      assert.equal(await button.count(), 0, 'Groups is no sort button');
      for (const sort of ['group_names', 'groups']) {
        await page.goto(`${h.base}/#/report?size=1000&sort=${sort}&order=desc`);
        api = await apiGet(page, '/api/v1/report?sort=name&order=desc&limit=1000&offset=0');
        await waitForKeys(page, api.rows.map(key), `sort=${sort}: by name instead`);
        assert.equal(await page.getAttribute('.table-block thead th[data-col="name"]',
          'aria-sort'), 'descending');
      }
    }
    assert.deepEqual(await alerts(), [], 'by Groups');
    // The group filter: the account's groups, as GET /api/v1/groups lists them.
    await page.goto(`${h.base}/#/report?size=1000`);
    await tableSettled(page, 'the report');
    const groups = (await apiGet(page, '/api/v1/groups')).groups;
    assert.deepEqual(groups.map((g) => g.group).sort(), EDGE.groups.map(([g]) => g).sort());
    assert.deepEqual(await page.$$eval('select[name=group] option', (os) =>
      os.map((o) => [o.value, o.textContent])), [['', 'All groups'],
      ...groups.map((g) => [g.group, g.name])], 'the group filter');
    await page.selectOption('select[name=group]', 'edge-arabic');
    await waitForHash(page, /[?&]group=edge-arabic(&|$)/, 'the Arabic group');
    api = await apiGet(page, '/api/v1/report?sort=name&order=asc&limit=1000&offset=0' +
      '&group=edge-arabic');
    assert.equal(api.total, groups.find((g) => g.group === 'edge-arabic').members);
    await waitForKeys(page, api.rows.map(key), 'the Arabic group\'s rows');
    await page.goto(`${h.base}/#/report?sort=name&order=desc`);
    await tableSettled(page, 'the report');
    assert.deepEqual(await axeViolations(page), [], 'the edge report');
    await h.shots2(page, 'edge-report', WIDE);
  });

  await run('edge account: no console errors', async () => {
    if (!session) return;
    assert.deepEqual(session.errors, [], 'console errors');
    await session.context.close();
    session = null;
  });
}
