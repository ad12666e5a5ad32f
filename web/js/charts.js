// Chart.js (loaded from /ui/vendor/chart.umd.js as the global `Chart`) configured for the
// dashboards. Only configuration here: Chart.js draws everything.

import {h} from './dom.js';
import * as fmt from './format.js';

const BLUE = '#1d4ed8';
const GREEN = '#15803d';
const GREY = '#6b7280';
const PALETTE = ['#1d4ed8', '#b45309', '#15803d', '#be123c', '#7c3aed', '#0e7490', '#a16207',
  '#4d7c0f', '#c026d3', '#475569'];

const percentAxis = (title) => ({
  min: 0, max: 100, title: {display: Boolean(title), text: title},
  ticks: {callback: (v) => `${v}%`},
});
const toPct = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

// ---- Labels that fit: Chart.js draws text on the canvas, where it neither wraps nor shrinks:
// a course or chapter title wider than its room is cut off at the canvas's edge. Labels are
// wrapped to the room they have, on at most `lines` lines, the last cut short with "…"; the
// tooltip says them whole (wrapped to the chart's width).

function fontString(font) {
  return Chart.helpers.toFont(font).string;
}

// The longest start of `text` that fits `width` with "…" after it.
function cutShort(measure, text, width) {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(text.slice(0, mid).trimEnd() + '…') <= width) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo).trimEnd() + '…';
}

// `text` in lines no wider than `width` (breaking between words, or inside a word longer than
// a line), at most `lines` of them: a string when one line, else an array (Chart.js's
// multi-line label).
export function fitLabel(ctx, font, text, width, lines = 2) {
  ctx.save();
  ctx.font = font;
  const measure = (t) => ctx.measureText(t).width;
  const out = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const joined = line ? `${line} ${word}` : word;
    if (measure(joined) <= width) {
      line = joined;
      continue;
    }
    if (line) out.push(line);
    line = word;
    while (measure(line) > width && line.length > 1) {  // a word longer than a line
      const head = cutShort(measure, line, width).slice(0, -1) || line[0];
      out.push(head);
      line = line.slice(head.length);
    }
  }
  if (line) out.push(line);
  if (out.length > lines) {
    const rest = out.splice(lines - 1).join(' ');
    out.push(cutShort(measure, rest, width));
  }
  ctx.restore();
  return out.length === 1 ? out[0] : out;
}

// The side axis of horizontal bars (the course or chapter titles): each bar's label, on two
// lines at most 40% of the chart's width (the bars keep the rest).
function sideAxis() {
  return {ticks: {autoSkip: false, callback(value) {  // `this`: the scale
    return fitLabel(this.chart.ctx, fontString(this.options.ticks.font),
      this.getLabelForValue(value), this.chart.width * 0.4);
  }}};
}

// Legend items on one line each, no wider than the chart.
function legendLabels(chart) {
  const {boxWidth, font} = chart.legend.options.labels;
  return Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => ({...item,
    text: fitLabel(chart.ctx, fontString(font), item.text, chart.width - boxWidth - 40, 1)}));
}

// Tooltips with the whole labels, wrapped to the chart's width.
const wholeTooltips = {callbacks: {
  title(items) {  // `this`: the tooltip
    const text = items.length ? items[0].label : '';
    return fitLabel(this.chart.ctx, fontString(this.options.titleFont), text,
      this.chart.width - 30, 10);
  },
  label(item) {
    const text = `${item.dataset.label ? `${item.dataset.label}: ` : ''}${item.formattedValue}`;
    return fitLabel(this.chart.ctx, fontString(this.options.bodyFont), text,
      this.chart.width - 50, 10);
  },
}};

// A canvas in a sized box; `label` describes the chart for screen readers.
function frame(label, className = 'chart') {
  const canvas = h('canvas', {role: 'img', 'aria-label': label});
  return {canvas, element: h('figure', {class: className}, h('figcaption', {text: label}),
    h('div', {class: 'chart-box'}, canvas))};
}

function make(canvas, config) {
  if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
  config.options = {responsive: true, maintainAspectRatio: false, animation: false,
    ...config.options};
  config.options.plugins = {...config.options.plugins, tooltip: wholeTooltips};
  const legend = config.options.plugins.legend;
  if (legend && legend.display !== false) {
    legend.labels = {...legend.labels, generateLabels: legendLabels};
  }
  return new Chart(canvas, config);
}

// A chart that lives as long as its view: `destroy()` frees Chart.js's observers.
function charted(label, config, className) {
  const {canvas, element} = frame(label, className);
  const chart = make(canvas, config);
  return {element, chart, destroy: () => chart.destroy()};
}

// All courses: mastery (%) per course and certifications, as horizontal bars (course titles stay
// readable on a phone); certifications have their own axis along the top.
// With `certifications` false (one person's own courses), mastery only.
export function coursesChart(rows, {certifications = true} = {}) {
  const datasets = [{label: 'Mastery %', data: rows.map((r) => toPct(r.mastery)),
    backgroundColor: BLUE, xAxisID: 'x'}];
  const scales = {x: percentAxis('Mastery'), y: sideAxis()};
  if (certifications) {
    datasets.push({label: 'Certified', data: rows.map((r) => r.certified),
      backgroundColor: GREEN, xAxisID: 'x1'});
    scales.x1 = {position: 'top', beginAtZero: true, title: {display: true, text: 'Certified'},
      grid: {drawOnChartArea: false}, ticks: {precision: 0}};
  }
  const chart = charted(certifications ? 'Mastery and certifications per course'
    : 'Your mastery per course', {
    type: 'bar',
    data: {labels: rows.map((r) => r.title), datasets},
    options: {
      indexAxis: 'y',
      scales,
      plugins: {legend: {position: 'bottom', labels: {boxWidth: 12}}},
    },
  });
  chart.element.querySelector('.chart-box').style.height = `${Math.max(220,
    rows.length * 44 + 110)}px`;
  return chart;
}

// Mastery over time: one line per series [{label, weekly: [{week, mastery}], emphasis?}]; a
// series with `emphasis` (the account's, among the courses') is drawn dark, thick and on top.
export function masteryOverTime(label, series) {
  let next = 0;
  const weeks = [...new Set(series.flatMap((s) => s.weekly.map((w) => w.week)))].sort();
  const chart = charted(label, {
    type: 'line',
    data: {
      labels: weeks,
      datasets: series.map((s, i) => {
        const byWeek = new Map(s.weekly.map((w) => [w.week, toPct(w.mastery)]));
        const color = s.emphasis ? '#0f1f3d' : PALETTE[next++ % PALETTE.length];
        return {label: s.label, data: weeks.map((w) => (byWeek.has(w) ? byWeek.get(w) : null)),
          borderColor: color, backgroundColor: color, pointRadius: 0,
          borderWidth: s.emphasis ? 3.5 : 2, order: s.emphasis ? 0 : i + 1, spanGaps: true,
          tension: 0.2};
      }),
    },
    options: {
      interaction: {mode: 'index', intersect: false},
      scales: {y: percentAxis('Mastery'), x: {ticks: {maxTicksLimit: 12}}},
      plugins: {legend: {display: series.length > 1, position: 'bottom',
        labels: {boxWidth: 12}}},
    },
  });
  // A legend of many courses takes rows of its own, on a phone most of all.
  if (series.length > 3) chart.element.querySelector('.chart-box').style.height = '380px';
  return chart;
}

// Chapter strengths and weaknesses, weakest first, as horizontal bars coloured as the mastery
// bands are at the course's `threshold` (below half, below the threshold, mastered).
export function chaptersChart(label, chapters, threshold = 0.8) {
  const half = Math.min(0.5, threshold);
  const sorted = [...chapters].sort((a, b) => (a.mastery ?? -1) - (b.mastery ?? -1) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const chart = charted(label, {
    type: 'bar',
    data: {
      labels: sorted.map((c) => c.title),
      datasets: [{label: 'Mastery %', data: sorted.map((c) => toPct(c.mastery)),
        backgroundColor: sorted.map((c) => ((c.mastery ?? 0) < half ? '#be123c'
          : (c.mastery ?? 0) < threshold ? '#d97706' : GREEN))}],
    },
    options: {indexAxis: 'y',
      scales: {x: percentAxis('Mastery'), y: sideAxis()},
      plugins: {legend: {display: false}}},
  }, 'chart chart-tall');
  // Room for two lines of title a bar.
  chart.element.querySelector('.chart-box').style.height = `${Math.max(160,
    sorted.length * 40 + 60)}px`;
  chart.order = sorted.map((c) => c.chapter);
  chart.element.dataset.order = JSON.stringify(chart.order);
  return chart;
}

// Exercise history: the mastery right after each attempt, by the attempt's start (date and
// time on the axis), with the course's mastery threshold drawn across.
export function historyChart(rows, threshold) {
  const datasets = [{label: 'Mastery after attempt %',
    data: rows.map((r) => toPct(r.mastery_after)),
    borderColor: BLUE, backgroundColor: BLUE, stepped: false, tension: 0}];
  if (typeof threshold === 'number') {
    datasets.push({label: `Mastery threshold ${toPct(threshold)} %`,
      data: rows.map(() => toPct(threshold)), borderColor: GREY, backgroundColor: GREY,
      borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5});
  }
  return charted('Mastery after each attempt', {
    type: 'line',
    data: {labels: rows.map((r) => fmt.dateTime(r.started_at)), datasets},
    options: {scales: {y: percentAxis('Mastery'),
      x: {title: {display: true, text: 'Attempt started'}}},
    plugins: {legend: {display: datasets.length > 1}}},
  });
}

// The dashboard's weekly activity (issue 20 point 2): people active, completions and
// certifications per week on the left axis (people), attempts started on the right (attempts
// outnumber people many times over). `weeks`: GET /api/v1/activity's [{week, active, attempts,
// completions, certifications}].
export function activityChart(weeks) {
  const series = [
    ['Active learners', 'active', BLUE, 'y'],
    ['Completions', 'completions', GREEN, 'y'],
    ['Certifications', 'certifications', PALETTE[4], 'y'],
    ['Attempts', 'attempts', PALETTE[1], 'y1'],
  ];
  const chart = charted('Weekly activity', {
    type: 'line',
    data: {
      labels: weeks.map((w) => w.week),
      datasets: series.map(([label, key, color, axis]) => ({label, data: weeks.map((w) => w[key]),
        borderColor: color, backgroundColor: color, yAxisID: axis, borderWidth: 2, tension: 0.2,
        pointRadius: weeks.length > 20 ? 0 : 3, borderDash: axis === 'y1' ? [6, 3] : undefined})),
    },
    options: {
      interaction: {mode: 'index', intersect: false},
      scales: {
        x: {ticks: {maxTicksLimit: 8}},
        y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: 'People'}},
        y1: {beginAtZero: true, position: 'right', ticks: {precision: 0},
          grid: {drawOnChartArea: false}, title: {display: true, text: 'Attempts'}},
      },
      plugins: {legend: {position: 'bottom', labels: {boxWidth: 12}}},
    },
  });
  chart.element.querySelector('.chart-box').style.height = '340px';
  return chart;
}
