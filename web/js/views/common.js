// Pieces every page uses: breadcrumbs, the title, headline figures, load-with-states.

import {h, clear, errorBox, loading, isolated} from '../dom.js';
import {ApiError} from '../api.js';
import * as fmt from '../format.js';
import {href} from '../router.js';

// `title`: a string, or its parts (strings, and nodes such as isolated(name) for the data's
// names and titles in it). The crumbs' texts (titles, names) are each isolated.
export function pageHeader(title, crumbs = [], actions = null) {
  const parts = [title].flat();
  document.title = `${parts.map((p) => (typeof p === 'string' ? p : p.textContent)).join('')} ` +
    '· Cohort';
  return h('header', {class: 'page-header'},
    crumbs.length ? h('nav', {class: 'breadcrumbs', 'aria-label': 'Breadcrumb'},
      h('ol', {}, crumbs.map(([text, href]) => h('li', {}, h('a', {href, dir: 'auto', text})))))
      : null,
    h('div', {class: 'title-row'}, h('h1', {}, parts), actions));
}

// [[label, value, hint?], ...] as a list of figures; an item may also be a figure made by
// attentionFigure.
export function figures(items, label = 'Headline figures') {
  return h('dl', {class: 'figures', 'aria-label': label},
    items.map((item) => (item instanceof Node ? item : h('div', {class: 'figure'},
      h('dt', {text: item[0]}), h('dd', {text: item[1]}, item[2] ? h('small', {text: item[2]})
        : null)))));
}

// The emphasised "At risk" figure (issue 20, "Needs attention"): the count, its share of
// `users` (`of` names them: "users", "members", "enrolments") and, when `list` is given, a link
// to the at-risk list (the league with at_risk=true).
export function atRiskFigure(count, share, users, of, list = null) {
  return h('div', {class: count > 0 ? 'figure attention' : 'figure', dataset: {figure: 'at-risk'}},
    h('dt', {text: 'At risk'}),
    h('dd', {text: fmt.int(count)},
      h('small', {class: 'share', text: `${fmt.pct(share)} of ${fmt.int(users)} ${of}`}),
      list ? h('a', {class: 'risk-list', href: list, text: 'See who'}) : null));
}

// A person in a table: the name (a link when `link` is given) and, on a second line, the email,
// or the key when there is none, so that two people of one name can be told apart.
export function personCell(row, link = null) {
  return h('span', {class: 'person'},
    // Each line isolated: a right-to-left name reads right to left (app.css keeps the cell's
    // alignment).
    link ? h('a', {href: link, dir: 'auto', text: row.name}) : isolated(row.name),
    h('small', {class: 'person-id', dir: 'auto', text: row.email || row.user}));
}

// A league's Progress cell: the share, a link to the person's page in the course (their name
// opens their overview across courses).
export function progressLink(course, row) {
  const text = fmt.pct(row.progress);
  return h('a', {href: href(['courses', course, 'users', row.user]), class: 'progress-link',
    'aria-label': `${text}: the progress of ${row.name} in this course`, text});
}

// A line that opens a person's overview (every course of theirs), under a page's title.
export function overviewLine(user, name, self) {
  return h('p', {class: 'overview-line'}, h('a', {href: href(['users', user]),
    text: self ? 'Your overview: every course, certification, badge and award'
      : `${name}: every course, certification, badge and award`}));
}

// A league's "At risk" cell: "Yes" stands out; "No" does not.
export function atRiskCell(row) {
  return row.at_risk ? h('strong', {class: 'risk', text: 'Yes'}) : 'No';
}

export function section(title, ...children) {
  return h('section', {class: 'panel'}, h('h2', {text: title}), children);
}

// Runs `work(signal)` with a loading state in `container`; on an error shows it; 401 hands
// over to the sign-in page. A 404 means the page's key is unknown (or not this person's to
// see): the app's one Not found page, not this page's header with an error under it.
// Answers work's result, or undefined; the app waits for it (ctx.ready) to restore a page's
// scroll position on Back.
export function withStates(container, ctx, signal, work) {
  const run = (async () => {
    const spinner = loading();
    container.append(spinner);
    try {
      return await work(signal);
    } catch (e) {
      // Aborted: the person has left the page, which must not touch the next one.
      if (e.name === 'AbortError' || signal.aborted) return undefined;
      if (e instanceof ApiError && e.status === 401) {
        ctx.onUnauthorized();
        return undefined;
      }
      if (e instanceof ApiError && e.status === 404 && ctx.notFound) {
        ctx.notFound();
        return undefined;
      }
      clear(container).append(errorBox(e));
      return undefined;
    } finally {
      spinner.remove();
    }
  })();
  ctx.ready = run;
  return run;
}

// A view's lifetime: the abort signal of its fetches and the charts it must free.
export function lifetime() {
  const controller = new AbortController();
  const charts = [];
  return {
    signal: controller.signal,
    keep(chart) {
      charts.push(chart);
      return chart.element;
    },
    destroy() {
      controller.abort();
      charts.forEach((c) => c.destroy());
    },
  };
}

// Wraps a table's loader so that a 401 goes to sign-in.
export function guarded(ctx, load) {
  return async (query, signal) => {
    try {
      return await load(query, signal);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) ctx.onUnauthorized();
      throw e;
    }
  };
}

// The handle of a view whose state lives in one table (made once its data has loaded): a route
// change updates the table; leaving the view ends its lifetime and the table.
export function tableView(life, currentTable) {
  return {
    update(r) {
      const table = currentTable();
      if (table) table.update(r.params);
    },
    destroy() {
      life.destroy();
      const table = currentTable();
      if (table) table.destroy();
    },
  };
}
