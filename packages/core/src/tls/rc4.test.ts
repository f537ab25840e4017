import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rc4 } from './rc4.js';

// RFC 6229 section 2: keystream bytes at the given offsets for two of its keys.
const RFC6229: Array<{ key: string; at: Record<number, string> }> = [
  {
    key: '0102030405',
    at: {
      0x0000: 'b2396305f03dc027ccc3524a0a1118a8',
      0x0010: '6982944f18fc82d589c403a47a0d0919',
      0x00f0: '28cb1132c96ce286421dcaadb8b69eae',
      0x05f0: '3294f744d8f9790507e70f62e5bbceea',
      0x0ff0: '068326a2118416d21f9d04b2cd1ca050',
      0x1000: 'ff25b58995996707e51fbdf08b34d875',
    },
  },
  {
    key: '0102030405060708090a0b0c0d0e0f10',
    at: {
      0x0000: '9ac7cc9a609d1ef7b2932899cde41b97',
      0x0010: '5248c4959014126a6e8a84f11d1a9e1c',
      0x00f0: '065902e4b620f6cc36c8589f66432f2b',
      0x05f0: 'b40110c4190b5622a96116b0017ed297',
      0x0ff0: 'ff38265c1642c1abe8d3c2fe5e572bf8',
      0x1000: 'a36a4c301ae8ac13610ccbc12256cacc',
    },
  },
];

describe('RC4', () => {
  it.each(RFC6229)('matches the RFC 6229 keystream for key $key', ({ key, at }) => {
    const stream = Buffer.from(new Rc4(Buffer.from(key, 'hex')).update(new Uint8Array(0x1010)));
    for (const [offset, hex] of Object.entries(at)) expect(stream.subarray(Number(offset), Number(offset) + 16).toString('hex')).toBe(hex);
  });

  it('gives the same keystream however the input is split across calls', () => {
    const key = randomBytes(16);
    const data = randomBytes(5000);
    const whole = Buffer.from(new Rc4(key).update(data));
    const split = new Rc4(key);
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; ) {
      const n = 1 + ((i * 7) % 700);
      parts.push(Buffer.from(split.update(data.subarray(i, i + n))));
      i += n;
    }
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    expect(Buffer.from(new Rc4(key).update(whole)).equals(data)).toBe(true);
  });

  it("agrees with OpenSSL's legacy-provider RC4 (a child node --openssl-legacy-provider) on random keys and data", () => {
    const cases = Array.from({ length: 20 }, (_, i) => ({ key: randomBytes(1 + ((i * 13) % 32)).toString('hex'), data: randomBytes(1 + i * 997).toString('hex') }));
    const script = `
      const { createCipheriv } = require('node:crypto');
      const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const out = cases.map(({ key, data }) => {
        const c = createCipheriv('rc4', Buffer.from(key, 'hex'), null);
        return Buffer.concat([c.update(Buffer.from(data, 'hex')), c.final()]).toString('hex');
      });
      process.stdout.write(JSON.stringify(out));`;
    const reference = JSON.parse(execFileSync(process.execPath, ['--openssl-legacy-provider', '-e', script], { input: JSON.stringify(cases) }).toString()) as string[];
    expect(reference).toHaveLength(cases.length);
    cases.forEach(({ key, data }, i) => {
      expect(Buffer.from(new Rc4(Buffer.from(key, 'hex')).update(Buffer.from(data, 'hex'))).toString('hex')).toBe(reference[i]);
    });
  });

  it('rejects an empty or over-long key', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(RangeError);
    expect(() => new Rc4(Buffer.alloc(257))).toThrow(RangeError);
  });
});
