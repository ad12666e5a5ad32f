// How web/js/charts.js fits a label into the room a chart has (Chart.js draws text on the
// canvas, where nothing wraps): lines no wider than the room, at most so many, the last cut
// short with "…". A fake canvas context measures 10 px a character.
import assert from 'node:assert/strict';
import test from 'node:test';

import {fitLabel} from '../../web/js/charts.js';

const ctx = {
  font: '',
  save() {},
  restore() {},
  measureText: (text) => ({width: text.length * 10}),
};
const widest = (label) => Math.max(...[label].flat().map((l) => l.length * 10));

test('a label that fits stays whole, on one line', () => {
  assert.equal(fitLabel(ctx, '12px x', 'SQL Basics', 200), 'SQL Basics');
});

test('a long label wraps between words, and the last line is cut short', () => {
  const title = 'Occupational Health, Safety and Environmental Compliance for Multinational ' +
    'Manufacturing Operations';
  const lines = fitLabel(ctx, '12px x', title, 190);
  assert.equal(lines.length, 2);
  assert.equal(lines[0], 'Occupational');
  assert.match(lines[1], /^Health, Safety.*…$/);
  assert.ok(widest(lines) <= 190, JSON.stringify(lines));
  assert.deepEqual(fitLabel(ctx, '12px x', 'Regulatory Reporting Obligations', 150, 3),
    ['Regulatory', 'Reporting', 'Obligations']);
});

test('a word longer than a line is broken inside', () => {
  const lines = fitLabel(ctx, '12px x', 'Arbeitsschutzunterweisungsdokumentation', 100, 10);
  assert.ok(Array.isArray(lines) && lines.length > 1);
  assert.equal(lines.join(''), 'Arbeitsschutzunterweisungsdokumentation');
  assert.ok(widest(lines) <= 100, JSON.stringify(lines));
});

test('one line: cut short with an ellipsis', () => {
  const line = fitLabel(ctx, '12px x', 'Customer Service Excellence', 120, 1);
  assert.equal(line, 'Customer Se…');
  assert.ok(widest(line) <= 120);
});
