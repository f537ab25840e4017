import { describe, expect, it } from 'vitest';
import { scanOverrides } from './flags.js';

describe('scan flags', () => {
  it('--fallback none switches the fallback ladder off; profiles are kept in order otherwise', () => {
    expect(scanOverrides({ fallback: ['none'] }, [])).toEqual({ tls: { fallback: [] } });
    expect(scanOverrides({ profile: 'modern', fallback: ['compat', 'ssl3'] }, [])).toEqual({ tls: { profile: 'modern', fallback: ['compat', 'ssl3'] } });
    expect(scanOverrides({}, [])).toEqual({});
  });

  it('--fallback none cannot be combined with a profile', () => {
    expect(() => scanOverrides({ fallback: ['compat', 'none'] }, [])).toThrow(/--fallback none/);
  });
});
