import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exclusions, intToIpv4 } from '@wildtls/core';

describe('exclusions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-block-'));

  it('excludes the IANA special ranges unless allowed; user blocklists win over --allow', () => {
    const block = join(dir, 'block.txt');
    writeFileSync(block, '# opt-outs\n20.9.0.0/16 # a whole network\n127.0.30.99\n2001:db9::/32\n');
    const e = new Exclusions({ allow: ['127.0.0.0/8'], blocklistFiles: [block] });
    expect(e.excludes('10.1.2.3')).toBe(true);
    expect(e.excludes('192.168.1.1')).toBe(true);
    expect(e.excludes('8.8.8.8')).toBe(false);
    expect(e.excludes('127.0.30.1')).toBe(false);
    expect(e.excludes('127.0.30.99')).toBe(true);
    expect(e.excludes('20.9.200.1')).toBe(true);
    expect(e.excludes('::1')).toBe(true);
    expect(e.excludes('fe80::1')).toBe(true);
    expect(e.excludes('2001:db9::5')).toBe(true);
    expect(e.excludes('2a00::1')).toBe(false);
    expect(e.excludes('::ffff:10.0.0.1')).toBe(true);
  });

  it('the compiled IPv4 table agrees with the rule everywhere (sampled)', () => {
    const allowlist = join(dir, 'allow.txt');
    writeFileSync(allowlist, '20.0.0.0/8\n10.5.0.0/16\n');
    const block = join(dir, 'block2.txt');
    writeFileSync(block, '20.7.0.0/16\n');
    const e = new Exclusions({ allow: ['10.5.5.0/24'], blocklistFiles: [block], allowlistFile: allowlist });
    const slow = e as unknown as { rule(a: string): boolean };
    for (let i = 0; i < 50_000; i++) {
      const n = Math.floor(Math.random() * 2 ** 32);
      expect(e.excludesV4(n)).toBe(slow.rule(intToIpv4(n)));
    }
    expect(e.excludes('20.1.1.1')).toBe(false);
    expect(e.excludes('21.1.1.1')).toBe(true); // outside the allowlist
    expect(e.excludes('10.5.5.5')).toBe(false); // allowlisted and allowed
    expect(e.excludes('10.5.6.5')).toBe(true); // allowlisted, but private and not allowed
    expect(e.excludes('20.7.1.1')).toBe(true);
  });

  it('reloads the files, and keeps the old lists when the new file is broken', () => {
    const block = join(dir, 'block3.txt');
    writeFileSync(block, '20.1.0.0/16\n');
    const e = new Exclusions({ allow: [], blocklistFiles: [block] });
    expect(e.excludes('20.2.0.1')).toBe(false);
    writeFileSync(block, '20.1.0.0/16\n20.2.0.0/16\n');
    e.reload();
    expect(e.excludes('20.2.0.1')).toBe(true);
    writeFileSync(block, 'not-a-range\n');
    expect(() => e.reload()).toThrow(/block3.txt:1/);
    expect(e.excludes('20.2.0.1')).toBe(true);
  });
});
