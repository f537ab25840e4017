import { describe, expect, it } from 'vitest';
import { headlineValues } from './report-headline.js';

describe('headlineValues', () => {
  it('sums each service over its ports, in first-seen order, and leaves the pooled row out', () => {
    expect(headlineValues([
      { service: 'smtp', port: 25, count: 3, total: 5 },
      { service: 'imaps', port: 993, count: 1, total: 1 },
      { service: 'smtp', port: 587, count: 2, total: 4 },
      { service: 'all', port: null, count: 6, total: 10 },
    ])).toEqual([
      { service: 'smtp', count: 5, total: 9 },
      { service: 'imaps', count: 1, total: 1 },
    ]);
  });

  it('has no total when no row has one', () => {
    expect(headlineValues([{ service: 'irc', port: 6667, count: 2 }, { service: 'irc', port: 6697, count: 1 }])).toEqual([{ service: 'irc', count: 3 }]);
  });
});
