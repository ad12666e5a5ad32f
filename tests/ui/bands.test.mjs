// How web/js/bands.js names and words the mastery bands (issue 20 point 3): at the course's own
// threshold, below half meaning below min(50%, threshold), each band's count and share.
import assert from 'node:assert/strict';
import test from 'node:test';

import {bandNames, bandParts, bandsText, heatClass, heatColour} from '../../web/js/bands.js';

test('the bands are named at the course threshold', () => {
  assert.deepEqual(bandNames(0.95), {not_started: 'Not started', below_half: 'Below 50%',
    below_threshold: '50% to below 95%', mastered: 'Mastered (≥ 95%)'});
  // Under 50%: below half is below the threshold.
  assert.equal(bandNames(0.4).below_half, 'Below 40%');
  assert.equal(bandNames(0.875).mastered, 'Mastered (≥ 87.5%)');
});

test('each band has its count and its share of everyone counted', () => {
  const bands = {not_started: 1, below_half: 0, below_threshold: 1, mastered: 2};
  assert.deepEqual(bandParts(bands, 0.8).map((p) => [p.key, p.count, p.share]), [
    ['not_started', 1, 0.25], ['below_half', 0, 0], ['below_threshold', 1, 0.25],
    ['mastered', 2, 0.5]]);
  assert.equal(bandsText(bands, 0.8), 'Not started 1 (25.0%) · Below 50% 0 (0.0%) · ' +
    '50% to below 80% 1 (25.0%) · Mastered (≥ 80%) 2 (50.0%)');
  assert.equal(bandsText({not_started: 0, below_half: 0, below_threshold: 0, mastered: 0}, 0.8),
    'No one enrolled');
});

test('a heat map cell is coloured by the band its mean falls in', () => {
  assert.equal(heatClass(null, 0.8), 'heat heat-none');
  assert.equal(heatClass(0.8, 0.8), 'heat heat-mastered');
  assert.equal(heatClass(0.79, 0.8), 'heat heat-below_threshold');
  assert.equal(heatClass(0.49, 0.8), 'heat heat-below_half');
  // Under a 40% threshold, below the threshold is below half: there is no band between.
  assert.equal(heatClass(0.35, 0.4), 'heat heat-below_half');
  assert.equal(heatClass(0.4, 0.4), 'heat heat-mastered');
});

test('a heat map cell goes from red at 0 to green at the threshold and above', () => {
  assert.equal(heatColour(0, 0.8), 'hsl(0, 75%, 84%)');
  assert.equal(heatColour(0.4, 0.8), 'hsl(65, 75%, 84%)');
  assert.equal(heatColour(0.8, 0.8), 'hsl(130, 75%, 84%)');
  assert.equal(heatColour(1, 0.8), 'hsl(130, 75%, 84%)');
});
