import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { der } from '@wildtls/core';
import { leafFields } from '../src/leaf-fields.js';
import { MAX_DN_LENGTH, escapeValue } from '../src/subject-dn.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A self-signed certificate whose subject is the given Name (DER order: first RDN first). */
async function withSubject(name: x509.JsonName): Promise<Buffer> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: new x509.Name(name), notBefore: new Date(0), notAfter: new Date(2 ** 40), keys, signingAlgorithm: alg });
  return Buffer.from(cert.rawData);
}

describe('subject DN (RFC 4514)', () => {
  it('writes RDNs last to first, with short names, emailAddress by name and other types as dotted OIDs', async () => {
    const d = await withSubject([{ C: ['DE'] }, { ST: ['Bayern'] }, { O: ['Parallels'] }, { OU: ['Parallels Panel'] }, { CN: ['Parallels Panel'] }, { E: ['info@parallels.com'] }, { '2.5.4.97': ['VATDE-123'] }]);
    expect(leafFields(d)).toMatchObject({ subject: '2.5.4.97=VATDE-123,emailAddress=info@parallels.com,CN=Parallels Panel,OU=Parallels Panel,O=Parallels,ST=Bayern,C=DE', cn: 'Parallels Panel', o: 'Parallels' });
  });

  it('joins a multi-valued RDN with + and escapes what RFC 4514 says to escape', async () => {
    const d = await withSubject([{ O: [{ utf8String: 'a,b;c+d<e>f"g\\h' } as never] }, { CN: [{ utf8String: '#lead' } as never, 'trail '], DC: ['example'] }]);
    const s = leafFields(d).subject;
    expect(s).toBe('DC=example+CN=trail\\ +CN=\\#lead,O=a\\,b\\;c\\+d\\<e\\>f\\"g\\\\h');
  });

  it('prints what OpenSSL prints with -nameopt RFC2253 (an independent implementation)', async () => {
    const names: x509.JsonName[] = [
      [{ C: ['US'] }, { ST: ['Virginia'] }, { L: ['Herndon'] }, { O: ['Parallels'] }, { OU: ['Parallels Panel'] }, { CN: ['Parallels Panel'] }, { E: ['info@parallels.com'] }],
      [{ CN: ['localhost.localdomain'] }, { E: ['root@localhost.localdomain'] }],
      [{ DC: ['org'] }, { DC: ['example'] }, { O: [{ utf8String: 'Comma, Inc; <x> "q" \\ +' } as never] }, { CN: [{ utf8String: ' padded # ' } as never, 'second'], OU: ['multi'] }],
    ];
    for (const name of names) {
      const d = await withSubject(name);
      const pem = new X509Certificate(d).toString();
      const openssl = execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: pem, encoding: 'utf8', timeout: 10_000 }).trim();
      expect(`subject=${leafFields(d).subject}`).toBe(openssl);
    }
  });

  it('escapes control characters as hex pairs, so a DN stays on one line', () => {
    expect(escapeValue('a\nb\x00c\x7f')).toBe('a\\0Ab\\00c\\7F');
    expect(escapeValue(' x ')).toBe('\\ x\\ ');
    expect(escapeValue('ü ok')).toBe('ü ok');
  });

  it('cuts a very long DN for display but still walks (and checks) the whole Name', async () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ OU: [`unit number ${i} of a hostile subject`] }));
    const d = await withSubject([...many, { CN: ['last'] }]);
    const s = leafFields(d).subject;
    expect(s.length).toBe(MAX_DN_LENGTH);
    expect(s.startsWith('CN=last,OU=unit number 79')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
  });

  it('refuses a Name whose attribute type is not an OID', async () => {
    const d = Buffer.from(await withSubject([{ CN: ['x'] }]));
    // The subject's first AttributeType OID (06 03 55 04 03) retagged as an OCTET STRING: still DER, not a Name.
    const at = d.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]), d.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03])) + 1);
    d[at] = 0x04;
    expect(() => leafFields(d)).toThrow(der.DerError);
  });
});
