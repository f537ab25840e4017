import { describe, expect, it } from 'vitest';
import { planDifferences, type PlanSummary } from './scan-plan.js';

const base: PlanSummary = {
  source: 'cidr',
  targets: ['192.0.2.0/24'],
  targetCount: 1,
  targetsHash: 'a',
  input: null,
  services: { smtp: [25] },
  tls: { profile: 'study', fallback: ['compat', 'ssl3'], observeOnly: false, sni: true, engine: 'raw' },
  seed: 7,
  shards: 4,
  shard: 0,
  order: 'permuted',
};

describe('scan plan differences', () => {
  it('none for the same plan', () => {
    expect(planDifferences(base, structuredClone(base))).toEqual([]);
  });

  it('names each change as before -> now, services first', () => {
    const now: PlanSummary = {
      ...base,
      targets: Array.from({ length: 10 }, (_, i) => `198.51.100.${i}`),
      targetCount: 12,
      targetsHash: 'b',
      input: 'more.txt',
      services: { smtp: [25, 587], imaps: [993] },
      tls: { ...base.tls, fallback: [], observeOnly: true },
      shards: 8,
      order: 'sequential',
    };
    expect(planDifferences(base, now)).toEqual([
      'services and ports: smtp:25 -> smtp:25+587 imaps:993',
      `targets: 192.0.2.0/24 -> ${now.targets.join(' ')} (+2 more)`,
      'input: (none) -> more.txt',
      'tls.fallback: compat,ssl3 -> (none)',
      'tls.observeOnly: false -> true',
      'shards: 4 -> 8',
      'order: permuted -> sequential',
    ]);
  });
});
