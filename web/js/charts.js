// Chart.js (loaded from /ui/vendor/chart.umd.js as the global `Chart`) configured for the
// dashboards. Only configuration here: Chart.js draws everything.

import {h} from './dom.js';

const BLUE = '#1d4ed8';
const GREEN = '#15803d';
const PALETTE = ['#1d4ed8', '#b45309', '#15803d', '#be123c', '#7c3aed', '#0e7490', '#a16207',
  '#4d7c0f', '#c026d3', '#475569'];

const percentAxis = (title) => ({
  min: 0, max: 100, title: {display: Boolean(title), text: title},
  ticks: {callback: (v) => `${v}%`},
});
const toPct = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

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
  const scales = {x: percentAxis('Mastery')};
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

// Mastery over time: one line per series [{label, weekly: [{week, mastery}]}].
export function masteryOverTime(label, series) {
  const weeks = [...new Set(series.flatMap((s) => s.weekly.map((w) => w.week)))].sort();
  const chart = charted(label, {
    type: 'line',
    data: {
      labels: weeks,
      datasets: series.map((s, i) => {
        const byWeek = new Map(s.weekly.map((w) => [w.week, toPct(w.mastery)]));
        return {label: s.label, data: weeks.map((w) => (byWeek.has(w) ? byWeek.get(w) : null)),
          borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
          pointRadius: 0, borderWidth: 2, spanGaps: true, tension: 0.2};
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

// Chapter strengths and weaknesses, weakest first, as horizontal bars.
export function chaptersChart(label, chapters) {
  const sorted = [...chapters].sort((a, b) => (a.mastery ?? -1) - (b.mastery ?? -1) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const chart = charted(label, {
    type: 'bar',
    data: {
      labels: sorted.map((c) => c.title),
      datasets: [{label: 'Mastery %', data: sorted.map((c) => toPct(c.mastery)),
        backgroundColor: sorted.map((c) => ((c.mastery ?? 0) < 0.5 ? '#be123c'
          : (c.mastery ?? 0) < 0.8 ? '#b45309' : GREEN))}],
    },
    options: {indexAxis: 'y', scales: {x: percentAxis('Mastery')},
      plugins: {legend: {display: false}}},
  }, 'chart chart-tall');
  chart.element.querySelector('.chart-box').style.height = `${Math.max(160,
    sorted.length * 34 + 60)}px`;
  chart.order = sorted.map((c) => c.chapter);
  chart.element.dataset.order = JSON.stringify(chart.order);
  return chart;
}

// Exercise history: the mastery right after each attempt.
export function historyChart(rows) {
  return charted('Mastery after each attempt', {
    type: 'line',
    data: {
      labels: rows.map((r, i) => `#${i + 1}`),
      datasets: [{label: 'Mastery after attempt %', data: rows.map((r) => toPct(r.mastery_after)),
        borderColor: BLUE, backgroundColor: BLUE, stepped: false, tension: 0}],
    },
    options: {scales: {y: percentAxis('Mastery')}, plugins: {legend: {display: false}}},
  });
}
