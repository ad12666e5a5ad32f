// How web/js/format.js shows figures (SPEC §3: one decimal; times as the API writes them, in the
// account's zone, never converted to the browser's).
import assert from 'node:assert/strict';
import test from 'node:test';

import * as fmt from '../../web/js/format.js';

test('percentages have one decimal, none is a dash', () => {
  assert.equal(fmt.pct(0.725), '72.5%');
  assert.equal(fmt.pct(1), '100.0%');
  assert.equal(fmt.pct(0), '0.0%');
  assert.equal(fmt.pct(null), '—');
});

test('times keep the account zone of the API', () => {
  assert.equal(fmt.dateTime('2026-03-01T23:30:00.250+01:00'), '2026-03-01 23:30');
  assert.equal(fmt.dateTime('2026-03-01T23:30:00Z'), '2026-03-01 23:30');
  assert.equal(fmt.date('2026-03-01T23:30:00-05:00'), '2026-03-01');
  assert.equal(fmt.dateTime(null), '—');
});

test('durations read as hours, minutes and seconds', () => {
  assert.equal(fmt.duration(75.5), '1 min 16 s');
  assert.equal(fmt.duration(3725), '1 h 02 min');
  assert.equal(fmt.duration(4.25), '4.3 s');
  assert.equal(fmt.duration(null), '—');
});

test('badge keys read as names', () => {
  assert.equal(fmt.badgeName('chapter-master:loops'), 'Chapter master: loops');
  assert.equal(fmt.badgeName('chapter-master:ch2', new Map([['ch2', 'Loops']])),
    'Chapter master: Loops');
  // The person overview's badges carry their chapter's title (`chapter_title`).
  assert.equal(fmt.badgeName('chapter-master:ch2', 'Loops and conditions'),
    'Chapter master: Loops and conditions');
  assert.equal(fmt.badgeName('chapter-master:ch2', 'مقدمة في البرمجة'),
    'Chapter master: مقدمة في البرمجة');
  assert.equal(fmt.badgeName('chapter-master:ch2', null), 'Chapter master: ch2');
  assert.equal(fmt.badgeName('finisher', null), 'Finisher');
  assert.equal(fmt.badgeName('streak-5'), '5-day streak');
  assert.equal(fmt.badgeName('new-kind'), 'new-kind');
});

test('a search folds case and Latin accents as the API does (search_fold_test.cc)', () => {
  assert.equal(fmt.fold('Lefèvre'), 'lefevre');
  assert.equal(fmt.fold('LEFÈVRE'), 'lefevre');
  assert.equal(fmt.fold('Ångström Øre'), 'angstrom ore');
  assert.equal(fmt.fold('Čapek Łukasz Ődön Şahin Żółć'), 'capek lukasz odon sahin zolc');
  assert.equal(fmt.fold('Straße'), 'strasse');
  assert.equal(fmt.fold('Œuvre Æsir Þór Ĳssel'), 'oeuvre aesir thor ijssel');
  assert.equal(fmt.fold('Lefe\u0300vre'), 'lefevre');
  // Other scripts and signs are kept exactly, as the server keeps them.
  assert.equal(fmt.fold('× ÷'), '× ÷');
  assert.equal(fmt.fold('Ωμέγα'), 'Ωμέγα');
});

test('a time of day and a threshold as the scope line and the bands say them', () => {
  assert.equal(fmt.timeOfDay('2026-03-01T10:42:07.250+01:00'), '10:42:07');
  assert.equal(fmt.timeOfDay(null), '—');
  assert.equal(fmt.threshold(0.95), '95%');
  assert.equal(fmt.threshold(0.875), '87.5%');
});
