// Pieces every page uses: breadcrumbs, the title, headline figures, load-with-states.

import {h, clear, errorBox, loading} from '../dom.js';
import {ApiError} from '../api.js';

export function pageHeader(title, crumbs = [], actions = null) {
  document.title = `${title} · Cohort`;
  return h('header', {class: 'page-header'},
    crumbs.length ? h('nav', {class: 'breadcrumbs', 'aria-label': 'Breadcrumb'},
      h('ol', {}, crumbs.map(([text, href]) => h('li', {}, h('a', {href, text}))))) : null,
    h('div', {class: 'title-row'}, h('h1', {text: title}), actions));
}

// [[label, value, hint?], ...] as a list of figures.
export function figures(items, label = 'Headline figures') {
  return h('dl', {class: 'figures', 'aria-label': label},
    items.map(([name, value, hint]) => h('div', {class: 'figure'},
      h('dt', {text: name}), h('dd', {text: value}, hint ? h('small', {text: hint}) : null))));
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
