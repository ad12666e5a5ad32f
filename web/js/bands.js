// Mastery bands (issue 20 point 3): how the active enrolled people of a course, a chapter or a
// group are spread — not started, below half, below the course's threshold, mastered — as a
// stacked bar that always comes with its text (the counts and their shares). The bands are the
// API's (`bands`); the threshold is the course's own (`mastery_threshold`), so a BKT course's
// 95% colours differently from an 80% course.

import {h, isolated} from './dom.js';
import * as fmt from './format.js';
import {scrollCue} from './scroll_cue.js';

export const BAND_KEYS = ['not_started', 'below_half', 'below_threshold', 'mastered'];

// Each band's name at `threshold`: below half is below min(50%, threshold), as the API counts.
export function bandNames(threshold) {
  const half = Math.min(0.5, threshold);
  return {
    not_started: 'Not started',
    below_half: `Below ${fmt.threshold(half)}`,
    below_threshold: `${fmt.threshold(half)} to below ${fmt.threshold(threshold)}`,
    mastered: `Mastered (≥ ${fmt.threshold(threshold)})`,
  };
}

export function bandsTotal(bands) {
  return BAND_KEYS.reduce((n, k) => n + (bands[k] || 0), 0);
}

// [{key, name, count, share}] in band order; share null when no one is counted.
export function bandParts(bands, threshold) {
  const names = bandNames(threshold);
  const total = bandsTotal(bands);
  return BAND_KEYS.map((key) => ({key, name: names[key], count: bands[key] || 0,
    share: total > 0 ? (bands[key] || 0) / total : null}));
}

// The text of a bar: "Not started 3 (10.0%) · Below 50% 5 (16.7%) · ...".
export function bandsText(bands, threshold) {
  if (bandsTotal(bands) === 0) return 'No one enrolled';
  return bandParts(bands, threshold)
    .map((p) => `${p.name} ${fmt.int(p.count)} (${fmt.pct(p.share)})`).join(' · ');
}

// The bar alone (hidden from screen readers: its text says the same), one segment a band.
function bar(bands, threshold) {
  const total = bandsTotal(bands);
  const el = h('span', {class: 'bands-bar', 'aria-hidden': 'true'});
  for (const p of bandParts(bands, threshold)) {
    if (p.count === 0) continue;
    const seg = h('span', {class: `band band-${p.key}`});
    seg.style.width = `${(p.count / total) * 100}%`;  // CSSOM, which the CSP allows
    el.append(seg);
  }
  return el;
}

// A legend of the four colours at `threshold`.
export function bandsLegend(threshold, keys = BAND_KEYS) {
  const names = bandNames(threshold);
  return h('ul', {class: 'bands-legend', 'aria-label': 'Bands'}, keys.map((k) =>
    h('li', {}, h('span', {class: `swatch band-${k}`, 'aria-hidden': 'true'}), names[k])));
}

// A bar with its text under it, each band's count and share: for a course, a chapter, a group.
export function bandsBlock(bands, threshold, label = null) {
  return h('div', {class: 'bands', dataset: {bands: JSON.stringify(bands)}},
    label ? h('span', {class: 'bands-label'}, isolated(label)) : null,
    bar(bands, threshold),
    h('span', {class: 'bands-text', text: bandsText(bands, threshold)}));
}

// A bar small enough for a table cell; its text is said to screen readers and on hover.
export function bandsCell(bands, threshold) {
  const text = bandsText(bands, threshold);
  return h('span', {class: 'bands compact', title: text, dataset: {bands: JSON.stringify(bands)}},
    bar(bands, threshold), h('span', {class: 'visually-hidden', text}));
}

// A course's (or a group's) bands and each chapter's, with the legend and the threshold named.
export function bandsSection(detail, wholeLabel = 'Whole course') {
  const threshold = detail.mastery_threshold;
  return h('div', {class: 'bands-section'},
    h('p', {class: 'bands-threshold'}, 'Colours at this course\u2019s threshold: ',
      h('strong', {text: `mastered = ≥ ${fmt.threshold(threshold)}`})),
    bandsLegend(threshold),
    h('div', {class: 'bands-whole', dataset: {part: 'course'}},
      bandsBlock(detail.bands, threshold, wholeLabel)),
    h('h3', {text: 'By chapter'}),
    h('ul', {class: 'bands-chapters'}, detail.chapters.map((c) =>
      h('li', {dataset: {chapter: c.chapter}}, bandsBlock(c.bands, threshold, c.title)))));
}

// The groups × chapters heat map (issue 20 point 7): a cell a group's mean mastery of a chapter,
// coloured by the band it falls in at `threshold`, its value as text. `groups`: the group
// league's rows with `chapters` (?chapters=true); `chapters`: the course's, in course order.
export function heatClass(mastery, threshold) {
  if (mastery === null || mastery === undefined) return 'heat heat-none';
  if (mastery >= threshold) return 'heat heat-mastered';
  if (mastery < Math.min(0.5, threshold)) return 'heat heat-below_half';
  return 'heat heat-below_threshold';
}

// A cell's colour: from red at 0 through amber to green at the threshold and above, light enough
// that its text reads (the band's class says the same in steps).
export function heatColour(mastery, threshold) {
  const t = Math.max(0, Math.min(1, mastery / threshold));
  return `hsl(${Math.round(t * 130)}, 75%, 84%)`;
}

// The heat map's legend: the colours from 0 to the threshold.
export function heatLegend(threshold) {
  return h('p', {class: 'heat-legend'}, h('span', {text: '0%'}),
    h('span', {class: 'heat-scale', 'aria-hidden': 'true'}),
    h('span', {text: `≥ ${fmt.threshold(threshold)} (mastered)`}),
    h('span', {class: 'heat-none-key', text: '— no exercise'}));
}

export function heatMap(groups, chapters, threshold, groupHref) {
  const table = h('table', {class: 'data heat-map'},
    h('caption', {class: 'visually-hidden',
      text: 'Mean mastery of each group\u2019s members, by chapter'}),
    h('thead', {}, h('tr', {},
      h('th', {scope: 'col', class: 'row-head', text: 'Group'}),
      chapters.map((c) => h('th', {scope: 'col', class: 'num', dataset: {chapter: c.chapter}},
        h('span', {class: 'heat-head', dir: 'auto', title: c.title, text: c.title}))))),
    h('tbody', {}, groups.map((g) => {
      const byChapter = new Map((g.chapters || []).map((c) => [c.chapter, c.mastery]));
      return h('tr', {dataset: {key: g.group}},
        h('th', {scope: 'row', class: 'row-head'}, h('a', {href: groupHref(g), dir: 'auto',
          text: g.name})),
        chapters.map((c) => {
          const m = byChapter.has(c.chapter) ? byChapter.get(c.chapter) : null;
          const td = h('td', {class: `num ${heatClass(m, threshold)}`,
            dataset: {chapter: c.chapter}, text: fmt.pct(m)});
          if (m !== null && m !== undefined) td.style.backgroundColor = heatColour(m, threshold);
          return td;
        }));
    })));
  const scroller = h('div', {class: 'heat-scroll', tabindex: '0', role: 'region',
    'aria-label': 'Groups by chapters, the table'}, table);
  const frame = h('div', {class: 'heat-frame'}, scroller);
  return h('div', {class: 'heat-block'}, heatCue(scroller, table, frame), frame);
}

// Each chapter's title on three lines at most (its head is as wide as every chapter's, app.css):
// a longer one is cut short with "…" where the third line ends, the head's title (on hover) and
// its accessible name saying it whole. Chrome's own ellipsis of a clamped box is not drawn in
// every case (right-aligned text), so the cut is made here, in the text (again when the heads'
// width changes: a phone's smaller type).
export function fitHeads(table) {
  for (const head of table.querySelectorAll('.heat-head')) {
    const title = head.title;
    const fits = () => head.scrollHeight <= head.clientHeight + 1;
    head.textContent = title;
    head.closest('th').removeAttribute('aria-label');
    if (fits()) continue;
    let lo = 0;
    let hi = title.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      head.textContent = `${title.slice(0, mid).trimEnd()}…`;
      if (fits()) lo = mid;
      else hi = mid - 1;
    }
    head.textContent = `${title.slice(0, lo).trimEnd()}…`;
    head.closest('th').setAttribute('aria-label', title);
  }
}

// Chapters out of view sideways (fourteen do not fit a laptop's width) are said above the map,
// with buttons that bring them into view one by one, as the tables' cue does; the heads' titles
// are fitted again when their width changes.
function heatCue(scroller, table, frame) {
  // Each chapter's head, whether it is whole in view right of the sticky group names.
  const items = () => {
    const box = scroller.getBoundingClientRect();
    const left = table.querySelector('thead th.row-head').getBoundingClientRect().right;
    const right = box.left + scroller.clientLeft + scroller.clientWidth;
    return {left, right, items: [...table.querySelectorAll('thead th[data-chapter]')].map((th) => {
      const r = th.getBoundingClientRect();
      return {r, shown: r.left >= left - 1 && r.right <= right + 1};
    })};
  };
  let fittedTo = null;  // the heads' width the titles were fitted to
  const refit = () => {
    const width = table.querySelector('.heat-head')?.clientWidth ?? null;
    if (width !== fittedTo) {
      fittedTo = width;
      fitHeads(table);
    }
  };
  return scrollCue({scroller, frame, items, noun: 'chapter', className: 'heat-cue',
    beforeUpdate: refit}).element;
}
