/**
 * Chains of the kind the study met in 2015, made with the openssl command
 * line: v1 roots and leaves, RSA-512/768/1024 keys, SHA-1 and MD5 signed
 * intermediates, DSA leaves, CAs without basicConstraints or without
 * keyCertSign, Netscape certificate types, anyExtendedKeyUsage, unknown
 * critical extensions, an expired root. Each is what it says by
 * construction; `openssl verify` says what it makes of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusChain } from './agreement-corpus.js';

interface Made {
  name: string;
  der: Buffer;
}

export function eraChains(): CorpusChain[] {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-era-'));
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const der = (name: string) => Buffer.from(readFileSync(join(dir, `${name}.crt`), 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
  let serial = 100;
  const key = (name: string, spec: string) => {
    if (spec.startsWith('dsa')) {
      ossl('dsaparam', '-out', `${name}.dsap`, spec.slice(4));
      ossl('req', '-new', '-newkey', `dsa:${name}.dsap`, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    } else ossl('req', '-new', '-newkey', spec, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  };
  /** A root: self-signed; v1 when `ext` is empty. */
  const root = (name: string, o: { days?: number; ext?: string; key?: string } = {}): Made => {
    key(name, o.key ?? 'rsa:2048');
    const ext = o.ext ?? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
    const args = ['x509', '-req', '-in', `${name}.csr`, '-signkey', `${name}.key`, '-out', `${name}.crt`, '-days', String(o.days ?? 3650), '-sha256', '-set_serial', String(serial++)];
    if (ext) {
      writeFileSync(join(dir, `${name}.ext`), ext);
      args.push('-extfile', `${name}.ext`);
    }
    ossl(...args);
    return { name, der: der(name) };
  };
  /** A certificate issued by `issuer`; v1 when `ext` is empty. */
  const issue = (name: string, issuer: Made, o: { key?: string; md?: string; ext?: string; days?: number }): Made => {
    key(name, o.key ?? 'rsa:2048');
    const args = ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer.name}.crt`, '-CAkey', `${issuer.name}.key`, '-out', `${name}.crt`, '-days', String(o.days ?? 365), `-${o.md ?? 'sha256'}`, '-set_serial', String(serial++)];
    if (o.ext) {
      writeFileSync(join(dir, `${name}.ext`), o.ext);
      args.push('-extfile', `${name}.ext`);
    }
    ossl(...args);
    return { name, der: der(name) };
  };
  const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
  const LEAF = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:mail.era.example\nauthorityKeyIdentifier=keyid\n';
  const r = root('Era Root');
  const inter = issue('Era Intermediate', r, { ext: CA, days: 1825 });
  const now = Date.now() + 3_600_000;
  const c = (id: string, chain: Made[], anchors: Made[] = [r], at = now): CorpusChain => ({ id: `era::${id}`, chain: chain.map((m) => m.der), anchors: anchors.map((m) => m.der), at });
  const v1Root = root('Era v1 Root', { ext: '' });
  const shortRoot = root('Era Short Root', { days: 10 });
  const shortInter = issue('Era Short-root Intermediate', shortRoot, { ext: CA, days: 60 });
  return [
    c('valid', [issue('valid.era.example', inter, { ext: LEAF }), inter]),
    c('v1-root', [issue('v1root.era.example', v1Root, { ext: LEAF.replace('authorityKeyIdentifier=keyid\n', '') })], [v1Root]),
    c('v1-leaf', [issue('v1leaf.era.example', inter, {}), inter]),
    c('rsa-512-leaf', [issue('rsa512.era.example', inter, { key: 'rsa:512', ext: LEAF }), inter]),
    c('rsa-1024-leaf', [issue('rsa1024.era.example', inter, { key: 'rsa:1024', ext: LEAF }), inter]),
    (() => {
      const weak = issue('Era 768 Intermediate', r, { key: 'rsa:768', ext: CA });
      return c('rsa-768-intermediate', [issue('rsa768ca.era.example', weak, { ext: LEAF }), weak]);
    })(),
    (() => {
      const i1024 = issue('Era 1024 Intermediate', r, { key: 'rsa:1024', ext: CA });
      return c('rsa-1024-intermediate', [issue('rsa1024ca.era.example', i1024, { ext: LEAF }), i1024]);
    })(),
    (() => {
      const sha1 = issue('Era SHA-1 Intermediate', r, { md: 'sha1', ext: CA });
      return c('sha1-intermediate', [issue('sha1ca.era.example', sha1, { ext: LEAF }), sha1]);
    })(),
    c('sha1-leaf', [issue('sha1.era.example', inter, { md: 'sha1', ext: LEAF }), inter]),
    (() => {
      const md5 = issue('Era MD5 Intermediate', r, { md: 'md5', ext: CA });
      return c('md5-intermediate', [issue('md5ca.era.example', md5, { ext: LEAF }), md5]);
    })(),
    c('dsa-1024-leaf', [issue('dsa.era.example', inter, { key: 'dsa:1024', ext: LEAF }), inter]),
    (() => {
      const noBc = issue('Era No-BC Intermediate', r, { ext: 'keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' });
      return c('intermediate-without-basic-constraints', [issue('nobc.era.example', noBc, { ext: LEAF }), noBc]);
    })(),
    (() => {
      const noSign = issue('Era No-certSign Intermediate', r, { ext: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' });
      return c('intermediate-without-keycertsign', [issue('nosign.era.example', noSign, { ext: LEAF }), noSign]);
    })(),
    (() => {
      const crit = issue('Era Critical Intermediate', r, { ext: `${CA}1.2.3.4.5=critical,ASN1:NULL\n` });
      return c('intermediate-unknown-critical', [issue('crit.era.example', crit, { ext: LEAF }), crit]);
    })(),
    c('ns-cert-type-client', [issue('nsclient.era.example', inter, { ext: 'nsCertType=client\nauthorityKeyIdentifier=keyid\n' }), inter]),
    c('ns-cert-type-server', [issue('nsserver.era.example', inter, { ext: 'nsCertType=server\nauthorityKeyIdentifier=keyid\n' }), inter]),
    c('any-eku-leaf', [issue('anyeku.era.example', inter, { ext: LEAF.replace('serverAuth', 'anyExtendedKeyUsage') }), inter]),
    c('expired-root', [issue('shortroot.era.example', shortInter, { ext: LEAF, days: 60 }), shortInter], [shortRoot], Date.now() + 20 * 86_400_000),
    c('intermediate-not-sent', [issue('nointer.era.example', inter, { ext: LEAF })]),
    c('rsa-512-self-signed', [root('rsa512self.era.example', { key: 'rsa:512', ext: LEAF.replace('authorityKeyIdentifier=keyid\n', '') })]),
    c('self-signed-leaf', [root('self.era.example', { ext: LEAF.replace('authorityKeyIdentifier=keyid\n', '') })]),
    c('untrusted-root-sent', [issue('other.era.example', v1Root, { ext: LEAF.replace('authorityKeyIdentifier=keyid\n', '') }), v1Root]),
  ];
}
