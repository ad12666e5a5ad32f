// One table component for every table of SPEC §4: sortable headers (buttons, aria-sort), paging,
// search by name, filters, and CSV/XLSX links to the same API query. Its state (sort, order, q,
// page, size and the filters) is read from and written to the URL, never kept elsewhere.
//
// Its columns come from the server's declaration (columns.js): a header is a sort button only
// when its column is declared sortable.
//
// Two modes. `server`: the API sorts, filters and pages (`load(query, signal)` answers
// {rows, total}). `client`: the view hands over every row (`load(null, signal)` answers an
// array) and the table sorts, searches and pages them here with the API's rules (SPEC §3.8):
// each column's declared sort rule, nulls last in both directions, ties by the declared
// tie-break columns ascending.

import {h, clear, isolated} from './dom.js';
import * as fmt from './format.js';
import {current as currentRoute, update as updateUrl} from './router.js';
import {scrollCue} from './scroll_cue.js';

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

function isNumeric(column) {
  return column.numeric ?? NUMERIC.has(column.type);
}

// Words (an email, a course's title, groups) are cut short past a width, the cell's title
// saying them whole, so that one long value does not widen a whole column (app.css).
function isWords(column) {
  return !column.render && !column.rowHeader && !isNumeric(column) &&
    (column.type === 'text' || column.type === 'list');
}

// The classes of a column's cells: figures align right, words are cut short, and the row's
// header stays in view as the table scrolls sideways (app.css).
function cellClass(column) {
  const classes = [];
  if (isNumeric(column)) classes.push('num');
  if (isWords(column)) classes.push('words');
  if (column.rowHeader) classes.push('row-head');
  return classes.join(' ') || null;
}

// nearbyint of C: halves round to even, as the server rounds fractions (table_sort.h).
function roundHalfEven(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// "2026-03-01T10:30:00.250+01:00" (an instant, in the account's offset) or "2026-03-02" (a
// day) as milliseconds since 1970 UTC: instants compare by the moment, whatever their offset.
const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/i;
function momentOf(s) {
  const m = MOMENT.exec(s);
  if (!m) return null;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] || 0),
    Number(m[5] || 0), Number(m[6] || 0));
  if (m[7]) ms += Number(m[7]) * 1000;
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const minutes = Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6));
    ms -= (m[8][0] === '-' ? -1 : 1) * minutes * 60000;
  }
  return ms;
}

// What a cell is compared on under a declared rule: a number, a string (bytes) or null (a null
// cell, or one the rule does not expect, as the server keys them).
const SORT_KEYS = {
  bytes: (v) => (typeof v === 'string' ? v : null),
  // Integers and durations are JSON numbers; instants and days are strings.
  number: (v) => (typeof v === 'number' ? v : typeof v === 'string' ? momentOf(v) : null),
  // At 1e-9 (SPEC §3.8): figures equal to the ninth decimal tie and fall to the tie-break.
  fraction: (v) => (typeof v === 'number' ? roundHalfEven(v * 1e9) : null),
  false_first: (v) => (typeof v === 'boolean' ? Number(v) : null),
};

// Strings in the order of their UTF-8 bytes (the server's), which is code point order: as
// UTF-16 code units except that a surrogate (a code point above U+FFFF) comes after
// U+E000–U+FFFF.
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// Two sort keys, ascending, nulls last.
function compareKeys(a, b) {
  if ((a === null) !== (b === null)) return a === null ? 1 : -1;
  if (a === null || a === b) return 0;
  if (typeof a === 'string') return compareBytes(a, b);
  return a < b ? -1 : 1;
}

// Sorts `rows` like the API: by column `key` under its declared rule in `order`, nulls last
// either way; ties by the declared tie-break columns ascending, then in the order given.
// `sorting`: {rules: {<column>: rule or null}, tieBreak: [<column>]} (columns.js). A column
// declared unsortable (or not declared) is refused, as the API answers 422.
export function sortRows(rows, key, order, sorting) {
  const keyOf = SORT_KEYS[sorting.rules[key]];
  if (!keyOf) throw new Error(`cannot sort by '${key}'`);
  const ties = sorting.tieBreak.map((name) => {
    const tieKeyOf = SORT_KEYS[sorting.rules[name]];
    if (!tieKeyOf) throw new Error(`cannot break ties by '${name}'`);
    return (row) => tieKeyOf(row[name]);
  });
  const sign = order === 'desc' ? -1 : 1;
  // Each key is read once, not in every comparison.
  const keyed = rows.map((row, index) => ({row, index, key: keyOf(row[key]),
    ties: ties.map((t) => t(row))}));
  keyed.sort((x, y) => {
    if ((x.key === null) !== (y.key === null)) return x.key === null ? 1 : -1;
    const c = compareKeys(x.key, y.key);
    if (c !== 0) return sign * c;
    for (let i = 0; i < ties.length; i += 1) {
      const t = compareKeys(x.ties[i], y.ties[i]);
      if (t !== 0) return t;
    }
    return x.index - y.index;
  });
  return keyed.map((x) => x.row);
}

// A select is no wider than its box: a long choice is cut short there, so the select's title
// says it whole (each option's says its own, in the list).
function titleSelect(select) {
  const chosen = select.selectedOptions[0];
  select.title = chosen ? chosen.textContent : '';
}

function option(o) {
  return h('option', {value: o.value, text: o.label, title: o.label});
}

function readState(params, options) {
  const size = Number(params.get('size'));
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1));
  const state = {
    sort: params.get('sort') || options.defaultSort || null,
    order: params.get('order') === 'desc' ? 'desc' : params.get('order') === 'asc'
      ? 'asc' : options.defaultOrder || 'asc',
    q: params.get('q') || '',
    page,
    size: PAGE_SIZES.includes(size) ? size : options.pageSize || 25,
    filters: {},
    open: params.getAll('open'),
  };
  // Only a sortable column's sort (a link may name any, or one no longer sortable).
  if (!options.columns.some((c) => c.sortable && c.sort === state.sort)) {
    state.sort = options.defaultSort || null;
  }
  for (const f of options.filters || []) {
    const v = params.get(f.name);
    // Only a value the filter offers (a link may name any).
    if (v !== null && v !== '' && f.options.some((o) => o.value === v)) {
      state.filters[f.name] = v;
    } else if (f.fixed !== undefined) state.filters[f.name] = f.fixed;
  }
  return state;
}

// The API query for a state: what the table shows, and what its exports download.
// Without a sort (a client table in the order it was given), no sort and no order.
export function apiQuery(state) {
  const query = state.sort ? {sort: state.sort, order: state.order} : {};
  Object.assign(query, {limit: state.size, offset: (state.page - 1) * state.size});
  if (state.q) query.q = state.q;
  Object.assign(query, state.filters);
  return query;
}

// options: {
//   label,                       accessible name of the table (a caption)
//   columns: [{key, label, type, sort, sortable, render?(row) -> Node, rowHeader?, numeric?}]
//                                from columns.js tableColumns: `type` a format of FORMATTERS,
//                                `sort` the sort key of its button (when `sortable`),
//   sorting,                     client mode: the declared rules and tie-break (tableColumns)
//   mode: 'server' | 'client',
//   load(query, signal),         server: {rows, total}; client: every row
//   exportUrl(query, format) -> string | null,
//   rowKey(row), rowName(row),   identity (data-key on each row) and name (search)
//   rowLabel?(row),              how buttons name the row (default rowName)
//   defaultSort, defaultOrder,   a sortable column's sort; client mode may leave it out: the
//                                rows in the order `load` gave them
//   filters: [{name, label, options: [{value, label}], fixed?}],   value '' = any
//   searchLabel,                 placeholder of the search box; no box when absent
//   emptyMessage(state) -> string,
//   expand?(row) -> Node         an extra row under each row, opened by a button (client mode)
//   wide?                        many columns: the page takes the window's width for them
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
      f.options.map(option));
    select.addEventListener('change', () => {
      titleSelect(select);
      updateUrl({[f.name]: select.value, page: null});
    });
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
      updateUrl({q: search.value.trim(), page: null}, {replace: true});
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
        updateUrl({q: search.value.trim(), page: null}, {replace: true});
      }, 400);
    });
  }

  const headerCells = columns.map((c) => {
    const sortKey = c.sort;
    const th = h('th', {scope: 'col', class: cellClass(c), dataset: {col: c.key}});
    if (!c.sortable) {
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
      // The same rows in another order: this entry, not a new one (Back leaves the page).
      updateUrl({sort: sortKey, order, page: null}, {replace: true});
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
  // The table scrolls inside a box no taller than the window, both ways, so that its header
  // sticks at the box's top while the rows scroll (a sticky header in a box that scrolls only
  // sideways would stick to that box, which never scrolls down: it would scroll away with the
  // page) and the rows' names stick at its left. Focusable, so that the keys scroll it.
  const scroller = h('div', {class: 'table-scroll', tabindex: '0', role: 'region',
    'aria-label': `${options.label}, the table`}, table);
  const frame = h('div', {class: 'table-frame'}, scroller);
  // Columns out of view sideways are said, with buttons that bring them into view.
  const cue = scrollCue({scroller, frame, noun: 'column', items: columnsInView});
  const element = h('section', {class: options.wide ? 'table-block wide' : 'table-block',
    'aria-label': options.label},
    toolbar, h('div', {class: 'table-meta'}, status, cue.element), frame, pager);

  // The columns' header cells, each with its box and whether it is in view (inside the scroll
  // box, not under the sticky names column); `left` and `right`: where the columns show once
  // scrolled (right of the names).
  function columnsInView() {
    const box = scroller.getBoundingClientRect();
    const right = box.left + scroller.clientLeft + scroller.clientWidth;
    const sticky = thead.querySelector('th.row-head');
    const covered = sticky ? sticky.getBoundingClientRect() : null;
    const cols = [...thead.querySelectorAll('th[data-col]')].map((th) => {
      const r = th.getBoundingClientRect();
      const under = covered && th !== sticky && r.left < covered.right - 1 &&
        r.right > covered.left + 1;
      return {r, shown: r.left >= box.left - 1 && r.right <= right + 1 && !under};
    });
    return {items: cols, left: box.left + scroller.clientLeft + (covered ? covered.width : 0),
      right};
  }

  function setHeaderState() {
    columns.forEach((c, i) => {
      const th = headerCells[i];
      if (!c.sortable) return;
      const active = c.sort === state.sort;
      th.setAttribute('aria-sort', active ? (state.order === 'asc' ? 'ascending' : 'descending')
        : 'none');
      th.querySelector('.arrow').textContent = active ? (state.order === 'asc' ? '▲' : '▼') : '';
    });
  }

  function cell(column, row) {
    const value = row[column.key];
    let content = column.render ? column.render(row) : (FORMATTERS[column.type || 'text'] ||
      FORMATTERS.text)(value);
    const attrs = {class: cellClass(column), dataset: {col: column.key}};
    // Words from the data (names, titles, emails) each in a direction of their own (dom.js
    // isolated): a list's items one by one, so that two right-to-left names in a list keep
    // their order.
    if (isWords(column)) {
      const items = column.type === 'list' && Array.isArray(value) && value.length
        ? value.map((v, i) => [i ? ', ' : '', isolated(v)]) : null;
      content = items ? h('span', {class: 'clip', title: content}, items)
        : h('span', {class: 'clip', dir: 'auto', title: content, text: content});
    } else if (column.rowHeader && !column.render) {
      content = isolated(content);
    }
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
    sizeSelect.addEventListener('change', () => updateUrl({size: sizeSelect.value, page: null},
      {replace: true}));
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
      // Folded as the API folds `q` (case and Latin accents ignored).
      const q = fmt.fold(state.q);
      rows = rows.filter((r) => fmt.fold(options.rowName(r)).includes(q));
    }
    for (const f of options.filters || []) {
      const v = state.filters[f.name];
      if (v !== undefined && v !== '' && f.match) rows = rows.filter((r) => f.match(r, v));
    }
    if (state.sort) rows = sortRows(rows, state.sort, state.order, options.sorting);
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
      select.value = state.filters[filter.name] || '';
      titleSelect(select);
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
      cue.update();
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
    cue.destroy();
  }

  // Filters whose options arrive later. A value the URL names counts once offered: set the
  // options before the update that reads it.
  function setFilterOptions(name, opts) {
    const f = filterSelects.find((x) => x.filter.name === name);
    if (!f) return;
    f.filter.options = opts;
    clear(f.select).append(...opts.map(option));
    f.select.value = (state && state.filters[name]) || '';
    titleSelect(f.select);
  }

  return {element, update, destroy, setFilterOptions, get state() { return state; }};
}
