/**
 * Cost of reading one stapled OCSP response (analysis-crypto's judgeStapledOcsp,
 * a DER walk) beside a full ASN.1 parse of the same response and leaf with
 * @peculiar/asn1-ocsp, in the same run. No network: the response is made by
 * `openssl ocsp` in a temporary folder.
 *
 *   npx tsc -b plugins/analysis-crypto && node bench/ocsp.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, OCSPResponse } from '@peculiar/asn1-ocsp';
import { judgeStapledOcsp } from '@wildtls/analysis-crypto';

const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-ocsp-'));
let leaf, response;
try {
  const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bench CA', '-days', '2');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.example');
  ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2');
  const serial = ossl('x509', '-in', 'leaf.crt', '-noout', '-serial').trim().split('=')[1];
  writeFileSync(join(dir, 'index.txt'), `V\t301231000000Z\t\t${serial}\tunknown\t/CN=leaf.example\n`);
  // As CAs' responders do: the response carries the signer's certificate.
  ossl('ocsp', '-index', 'index.txt', '-rsigner', 'ca.crt', '-rkey', 'ca.key', '-CA', 'ca.crt', '-issuer', 'ca.crt', '-cert', 'leaf.crt', '-respout', 'r.der', '-ndays', '1');
  leaf = readFileSync(join(dir, 'leaf.crt'), 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  response = readFileSync(join(dir, 'r.der')).toString('base64');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const now = new Date();
function fullParse() {
  const res = AsnConvert.parse(Buffer.from(response, 'base64'), OCSPResponse);
  const basic = AsnConvert.parse(res.responseBytes.response.buffer, BasicOCSPResponse);
  const cert = AsnConvert.parse(Buffer.from(leaf, 'base64'), Certificate);
  return basic.tbsResponseData.responses.length + cert.tbsCertificate.serialNumber.byteLength;
}
function perCall(f, n) {
  for (let i = 0; i < n / 10; i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
if (judgeStapledOcsp(response, leaf, now).kind !== 'good') throw new Error('the fixture should read good');
const walk = [1, 2, 3].map(() => perCall(() => judgeStapledOcsp(response, leaf, now), 50_000));
const full = [1, 2, 3].map(() => perCall(fullParse, 2_000));
const median = (xs) => [...xs].sort((a, b) => a - b)[1];
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}; response ${Buffer.from(response, 'base64').length} bytes (signer certificate included)`);
console.log(`judgeStapledOcsp (DER walk): ${median(walk).toFixed(1)} µs per response (rounds ${walk.map((x) => x.toFixed(1)).join(' ')})`);
console.log(`full parse (@peculiar/asn1-ocsp + asn1-x509): ${median(full).toFixed(0)} µs (rounds ${full.map((x) => x.toFixed(0)).join(' ')}); ratio ${(median(full) / median(walk)).toFixed(0)}x`);
