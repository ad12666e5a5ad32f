// One table component for every table of SPEC §4: sortable headers (buttons, aria-sort), paging,
// search by name, filters, and CSV/XLSX links to the same API query. Its state (sort, order, q,
// page, size and the filters) is read from and written to the URL, never kept elsewhere.
//
// Two modes. `server`: the API sorts, filters and pages (`load(query, signal)` answers
// {rows, total}). `client`: the view hands over every row (`load(null, signal)` answers an
// array) and the table sorts, searches and pages them here with the API's rules (SPEC §3.8):
// nulls last in both directions, ties by name then key ascending.

import {h, clear} from './dom.js';
import * as fmt from './format.js';
import {current as currentRoute, update as updateUrl} from './router.js';

export const PAGE_SIZES = [25, 50, 100, 250, 1000];

const FORMATTERS = {
  text: (v) => (v === null || v === undefined || v === '' ? fmt.DASH : String(v)),
  pct: fmt.pct,
  int: fmt.int,
  num: fmt.int,
  date: fmt.dateTime,
  day: fmt.date,
  duration: fmt.duration,
  bool: fmt.yesNo,
  list: (v) => (Array.isArray(v) && v.length ? v.join(', ') : fmt.DASH),
};
const NUMERIC = new Set(['pct', 'int', 'num', 'duration']);

function compareValues(a, b) {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  if (Array.isArray(a)) return compareValues(a.join('; '), b.join('; '));
  return a < b ? -1 : a > b ? 1 : 0;
}

// Sorts `rows` like the API: by `key` in `order`, nulls last either way, ties by name then key.
export function sortRows(rows, key, order, nameOf, keyOf) {
  const sign = order === 'desc' ? -1 : 1;
  return [...rows].sort((x, y) => {
    const a = x[key];
    const b = y[key];
    const aNull = a === null || a === undefined;
    const bNull = b === null || b === undefined;
    if (aNull !== bNull) return aNull ? 1 : -1;
    if (!aNull) {
      const c = compareValues(a, b);
      if (c !== 0) return sign * c;
    }
    return compareValues(nameOf(x), nameOf(y)) || compareValues(keyOf(x), keyOf(y));
  });
}

function readState(params, options) {
  const size = Number(params.get('size'));
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1));
  const state = {
    sort: params.get('sort') || options.defaultSort,
    order: params.get('order') === 'desc' ? 'desc' : params.get('order') === 'asc'
      ? 'asc' : options.defaultOrder || 'asc',
    q: params.get('q') || '',
    page,
    size: PAGE_SIZES.includes(size) ? size : options.pageSize || 25,
    filters: {},
    open: params.getAll('open'),
  };
  if (!options.columns.some((c) => (c.sort || c.key) === state.sort)) {
    state.sort = options.defaultSort;
  }
  for (const f of options.filters || []) {
    const v = params.get(f.name);
    if (v !== null && v !== '' && (f.dynamic || f.options.some((o) => o.value === v))) {
      state.filters[f.name] = v;
    }
    else if (f.fixed !== undefined) state.filters[f.name] = f.fixed;
  }
  return state;
}

// The API query for a state: what the table shows, and what its exports download.
export function apiQuery(state) {
  const query = {sort: state.sort, order: state.order, limit: state.size,
    offset: (state.page - 1) * state.size};
  if (state.q) query.q = state.q;
  Object.assign(query, state.filters);
  return query;
}

// options: {
//   label,                       accessible name of the table (a caption)
//   columns: [{key, label, type, sort?, sortable?, render?(row) -> Node, rowHeader?}],
//   mode: 'server' | 'client',
//   load(query, signal),         server: {rows, total}; client: every row
//   exportUrl(query, format) -> string | null,
//   rowKey(row), rowName(row),   identity (data-key on each row) and name (search, tie-break)
//   rowLabel?(row),              how buttons name the row (default rowName)
//   defaultSort, defaultOrder,
//   filters: [{name, label, options: [{value, label}], fixed?}],   value '' = any
//   searchLabel,                 placeholder of the search box; no box when absent
//   emptyMessage(state) -> string,
//   expand?(row) -> Node         an extra row under each row, opened by a button (client mode)
// }
export function createTable(options) {
  const columns = options.columns;
  let controller = null;
  let clientRows = null;
  let state = null;
  let searchTimer = 0;
  let typing = false;  // a search is being typed and not yet in the URL

  const status = h('p', {class: 'table-status', role: 'status', 'aria-live': 'polite'});
  const search = options.searchLabel
    ? h('input', {type: 'search', name: 'q', placeholder: options.searchLabel,
      'aria-label': options.searchLabel, autocomplete: 'off', dataset: {focus: 'search'}})
    : null;
  const filterSelects = (options.filters || []).filter((f) => f.fixed === undefined).map((f) => {
    const select = h('select', {name: f.name, dataset: {focus: 'filter-' + f.name}},
      f.options.map((o) => h('option', {value: o.value, text: o.label})));
    select.addEventListener('change', () => updateUrl({[f.name]: select.value, page: null}));
    return {filter: f, select, label: h('label', {class: 'filter'},
      h('span', {text: f.label}), select)};
  });
  const exportCsv = h('a', {class: 'button export', download: '', dataset: {format: 'csv'}},
    'CSV');
  const exportXlsx = h('a', {class: 'button export', download: '', dataset: {format: 'xlsx'}},
    'XLSX');
  const toolbar = h('div', {class: 'toolbar'},
    search ? h('form', {role: 'search', class: 'search', onsubmit: (e) => {
      e.preventDefault();
      clearTimeout(searchTimer);
      typing = false;
      updateUrl({q: search.value.trim(), page: null});
    }}, search) : null,
    filterSelects.map((f) => f.label),
    h('span', {class: 'exports'}, h('span', {class: 'exports-label', text: 'Export'}),
      exportCsv, exportXlsx));
  if (search) {
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      typing = true;
      searchTimer = setTimeout(() => {
        typing = false;
        updateUrl({q: search.value.trim(), page: null});
      }, 400);
    });
  }

  const headerCells = columns.map((c) => {
    const sortKey = c.sort || c.key;
    const th = h('th', {scope: 'col', class: NUMERIC.has(c.type) ? 'num' : null,
      dataset: {col: c.key}});
    if (c.sortable === false) {
      th.textContent = c.label;
      return th;
    }
    const arrow = h('span', {class: 'arrow', 'aria-hidden': 'true'});
    const button = h('button', {type: 'button', class: 'sort', dataset: {focus: 'sort-' + c.key}},
      c.label, arrow);
    button.addEventListener('click', () => {
      // From the URL as it is now (a second click may come before the page re-rendered).
      const now = readState(currentRoute().params, options);
      const order = now.sort === sortKey && now.order === 'asc' ? 'desc' : 'asc';
      updateUrl({sort: sortKey, order, page: null});
    });
    th.append(button);
    return th;
  });
  const thead = h('thead', {}, h('tr', {},
    options.expand ? h('th', {scope: 'col', class: 'expand-col'},
      h('span', {class: 'visually-hidden', text: 'Details'})) : null, headerCells));
  const tbody = h('tbody');
  const table = h('table', {class: 'data'},
    h('caption', {class: 'visually-hidden', text: options.label}), thead, tbody);
  const pager = h('nav', {class: 'pager', 'aria-label': options.label + ' pages'});
  const element = h('section', {class: 'table-block', 'aria-label': options.label},
    toolbar, status, h('div', {class: 'table-scroll'}, table), pager);

  function setHeaderState() {
    columns.forEach((c, i) => {
      const th = headerCells[i];
      const active = (c.sort || c.key) === state.sort;
      if (c.sortable === false) return;
      th.setAttribute('aria-sort', active ? (state.order === 'asc' ? 'ascending' : 'descending')
        : 'none');
      th.querySelector('.arrow').textContent = active ? (state.order === 'asc' ? '▲' : '▼') : '';
    });
  }

  function cell(column, row) {
    const value = row[column.key];
    const content = column.render ? column.render(row) : (FORMATTERS[column.type || 'text'] ||
      FORMATTERS.text)(value);
    const attrs = {class: NUMERIC.has(column.type) ? 'num' : null, dataset: {col: column.key}};
    if (column.rowHeader) return h('th', {...attrs, scope: 'row'}, content);
    return h('td', attrs, content);
  }

  function renderRows(rows, total) {
    clear(tbody);
    if (rows.length === 0) {
      const colspan = columns.length + (options.expand ? 1 : 0);
      // A link to a page past the end (the table shrank since it was copied) offers page 1.
      const message = total > 0
        ? [`This page is past the end of the ${total} rows. `, h('button', {type: 'button',
          class: 'link-button', text: 'Go to page 1', onclick: () => updateUrl({page: null})})]
        : options.emptyMessage(state, total);
      tbody.append(h('tr', {class: 'empty-row'}, h('td', {colspan, class: 'empty'}, message)));
    }
    for (const row of rows) {
      const tr = h('tr', {dataset: {key: options.rowKey(row)}}, columns.map((c) => cell(c, row)));
      tbody.append(tr);
      if (options.expand) {
        const key = options.rowKey(row);
        const open = state.open.includes(key);
        const detailRow = h('tr', {class: 'detail-row', hidden: !open},
          h('td', {colspan: columns.length + 1}, open ? options.expand(row) : null));
        const toggle = h('button', {type: 'button', class: 'link-button',
          'aria-expanded': String(open), dataset: {focus: 'expand-' + key},
          'aria-label': `${open ? 'Hide' : 'Show'} the responses of ${(options.rowLabel || options.rowName)(row)}`},
        open ? 'Hide responses' : 'Responses');
        // Which rows are open is part of the URL too, so a copied link shows them open.
        toggle.addEventListener('click', () => {
          updateUrl({open: open ? state.open.filter((k) => k !== key) : [...state.open, key]});
        });
        tr.prepend(h('td', {class: 'expand-col'}, toggle));
        tbody.append(detailRow);
      }
    }
    const first = total === 0 ? 0 : (state.page - 1) * state.size + 1;
    const last = (state.page - 1) * state.size + rows.length;
    const pages = Math.max(1, Math.ceil(total / state.size));
    status.textContent = total === 0 ? '' : `Showing ${first}–${last} of ${total}`;
    clear(pager);
    const pageLink = (page, text, rel) => {
      const enabled = page >= 1 && page <= pages && page !== state.page;
      if (!enabled) return h('span', {class: 'button disabled', 'aria-disabled': 'true', text});
      return h('button', {type: 'button', class: 'button', rel, dataset: {page: String(page),
        focus: 'page-' + rel},
      onclick: () => updateUrl({page: page === 1 ? null : page})}, text);
    };
    const sizeSelect = h('select', {'aria-label': 'Rows per page', dataset: {focus: 'size'}},
      PAGE_SIZES.map((n) => h('option', {value: String(n), selected: n === state.size,
        text: `${n} per page`})));
    sizeSelect.addEventListener('change', () => updateUrl({size: sizeSelect.value, page: null}));
    pager.append(pageLink(state.page - 1, '‹ Previous', 'prev'),
      h('span', {class: 'page-of', text: `Page ${Math.min(state.page, pages)} of ${pages}`}),
      pageLink(state.page + 1, 'Next ›', 'next'), sizeSelect);
  }

  function setExports(query) {
    for (const [a, format] of [[exportCsv, 'csv'], [exportXlsx, 'xlsx']]) {
      const url = options.exportUrl(query, format);
      if (url) {
        a.href = url;
        a.removeAttribute('aria-disabled');
      } else {
        a.removeAttribute('href');
        a.setAttribute('aria-disabled', 'true');
      }
    }
  }

  function clientPage() {
    let rows = clientRows;
    if (state.q) {
      const q = state.q.toLowerCase();
      rows = rows.filter((r) => options.rowName(r).toLowerCase().includes(q));
    }
    for (const f of options.filters || []) {
      const v = state.filters[f.name];
      if (v !== undefined && v !== '' && f.match) rows = rows.filter((r) => f.match(r, v));
    }
    rows = sortRows(rows, state.sort, state.order, options.rowName, options.rowKey);
    const start = (state.page - 1) * state.size;
    return {rows: rows.slice(start, start + state.size), total: rows.length};
  }

  // Shows the table for the URL's `params`. Resolves when the rows are in.
  async function update(params) {
    state = readState(params, options);
    const focusId = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.focus : undefined;
    // The box follows the URL (Back, a link) except while someone is typing in it.
    if (search && !typing) search.value = state.q;
    for (const {filter, select} of filterSelects) {
      const value = state.filters[filter.name] || '';
      // A value from a copied link that the list does not offer (yet) still shows as chosen.
      if (![...select.options].some((o) => o.value === value)) {
        select.append(h('option', {value, text: value}));
      }
      select.value = value;
    }
    setHeaderState();
    const query = apiQuery(state);
    setExports(query);
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    element.setAttribute('aria-busy', 'true');
    status.textContent = 'Loading…';
    if (!tbody.firstChild) {
      tbody.append(h('tr', {class: 'loading-row'}, h('td', {colspan: columns.length +
        (options.expand ? 1 : 0), text: 'Loading…'})));
    }
    try {
      let page;
      if (options.mode === 'client') {
        if (clientRows === null) clientRows = await options.load(null, signal);
        page = clientPage();
      } else {
        page = await options.load(query, signal);
      }
      if (signal.aborted) return;
      renderRows(page.rows, page.total);
      element.dataset.state = page.rows.length ? 'ready' : 'empty';
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(tbody);
      tbody.append(h('tr', {}, h('td', {colspan: columns.length, class: 'error', role: 'alert',
        text: `Could not load the table: ${e.message}`})));
      status.textContent = '';
      element.dataset.state = 'error';
    } finally {
      if (!signal.aborted) element.removeAttribute('aria-busy');
    }
    if (focusId) {
      const target = element.querySelector(`[data-focus="${CSS.escape(focusId)}"]`);
      if (target && document.activeElement !== target) target.focus();
    }
  }

  function destroy() {
    if (controller) controller.abort();
    clearTimeout(searchTimer);
  }

  // Filters whose options arrive later (the groups of a course).
  function setFilterOptions(name, opts) {
    const f = filterSelects.find((x) => x.filter.name === name);
    if (!f) return;
    f.filter.options = opts;
    clear(f.select).append(...opts.map((o) => h('option', {value: o.value, text: o.label})));
    f.select.value = (state && state.filters[name]) || '';
  }

  return {element, update, destroy, setFilterOptions, get state() { return state; }};
}
