import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeTlsEngine, RawTlsEngine, type ProbeRecord, type TlsEngine } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import imapPlugin from '@wildtls/protocol-imap';
import { requireBinaries } from '../harness/require-binary.js';
import { COURIER_ROOT, startCourierImap, type CourierInstance } from './courier/start-courier.js';

/*
 * A second IMAP implementation: Courier-IMAP 5 (GnuTLS through couriertls),
 * unpacked beside Dovecot by courier/install-courier.sh, on 127.0.11.5-6.
 */

const [imap, imaps] = imapPlugin.services;
const BASE = 'IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE';

/** Every assertion must hold for both TLS engines (chain[0] and version are what the wire says). */
const ENGINES: [string, () => TlsEngine][] = [['node:tls', () => new NodeTlsEngine()], ['raw', () => new RawTlsEngine()]];
let engine: () => TlsEngine = ENGINES[0]![1];

let chain: TestChain;
let required: CourierInstance; // IMAP_TLS_REQUIRED=1, CRAM-MD5 before TLS, TLS 1.2 only
let relaxed: CourierInstance; // plaintext LOGIN allowed before TLS, GnuTLS defaults
let broken: CourierInstance; // certificate unreadable: STARTTLS accepted, then couriertls fails

function run(spec: typeof imap, host: string, port: number): Promise<ProbeRecord> {
  return runDialogAgainst({ host, port, spec: spec!, protocolId: 'imap', domain: 'mail.wildtls.test', engine: engine() });
}

function expectChain(r: ProbeRecord): void {
  const sent = r.tls!.chain.map((c) => Buffer.from(c, 'base64'));
  expect(sent[0]!.equals(chain.leaf.der)).toBe(true);
  expect(sent[1]!.equals(chain.intermediate.der)).toBe(true);
}

// Courier conflicts with Dovecot: its Debian packages are unpacked under /opt, not installed.
const UNPACK = 'run test/real-servers/courier/install-courier.sh (scripts/install-test-deps.sh does)';
const ready = requireBinaries(['usr/sbin/couriertcpd', 'usr/bin/imapd', 'usr/bin/couriertls'].map((f) => ({ path: `${COURIER_ROOT}/${f}`, pkg: 'courier-imap', how: UNPACK })));

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: 'mail.wildtls.test' });
  const certFilePem = [chain.leaf.keyPem, chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  required = await startCourierImap({
    ip: '127.0.11.5', certFilePem, tlsRequired: true, priority: 'NORMAL:-VERS-TLS1.3',
    capability: `${BASE} AUTH=CRAM-MD5 AUTH=CRAM-SHA256`, capabilityTls: `${BASE} AUTH=PLAIN AUTH=CRAM-MD5 AUTH=CRAM-SHA256`,
  });
  try {
    relaxed = await startCourierImap({ ip: '127.0.11.6', certFilePem, tlsRequired: false, capability: `${BASE} AUTH=PLAIN`, capabilityTls: `${BASE} AUTH=PLAIN` });
    broken = await startCourierImap({ ip: '127.0.11.7', certFilePem, tlsRequired: false, certUnreadable: true, capability: BASE, capabilityTls: BASE });
  } catch (err) {
    await Promise.all([required, relaxed].filter(Boolean).map((c) => c.stop()));
    throw err;
  }
});

afterAll(async () => {
  await Promise.all([required, relaxed, broken].filter(Boolean).map((c) => c.stop()));
});

describe.runIf(ready).each(ENGINES)('IMAP against Courier-IMAP (%s engine)', (_name, makeEngine) => {
  beforeAll(() => {
    engine = makeEngine;
  });

  it('IMAP_TLS_REQUIRED: LOGINDISABLED and CRAM before STARTTLS, PLAIN after; TLS 1.2; chain as configured', async () => {
    const r = await run(imap, required.ip, required.ports.imap);
    expect(r.status).toBe('success');
    expect(r.banner).toMatch(/^\* OK \[CAPABILITY .*\] Courier-IMAP ready/);
    expect(r.capabilities!.beforeTls!.slice(0, 12)).toEqual([...BASE.split(' '), 'AUTH=CRAM-MD5', 'AUTH=CRAM-SHA256', 'STARTTLS']);
    expect(r.capabilities!.beforeTls).toContain('LOGINDISABLED');
    expect(r.sasl!.beforeTls).toEqual(['CRAM-MD5', 'CRAM-SHA256']);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: expect.stringMatching(/^W\d+ OK /) });
    expect(r.capabilities!.afterTls).not.toContain('LOGINDISABLED');
    expect(r.capabilities!.afterTls).not.toContain('STARTTLS');
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'CRAM-MD5', 'CRAM-SHA256']);
    expect(r.tls!.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('plaintext login allowed: no LOGINDISABLED, AUTH=PLAIN before TLS; TLS 1.3 by default', async () => {
    const r = await run(imap, relaxed.ip, relaxed.ports.imap);
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toContain('STARTTLS');
    expect(r.capabilities!.beforeTls).not.toContain('LOGINDISABLED');
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN'], afterTls: ['PLAIN'] });
    expect(r.tls!.version).toBe('TLSv1.3');
    expectChain(r);
  });

  it('IMAPS through couriertls: capabilities after the handshake', async () => {
    const r = await run(imaps, required.ip, required.ports.imaps);
    expect(r.status).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.banner).toMatch(/Courier-IMAP/);
    expect(r.capabilities!.afterTls).not.toContain('STARTTLS');
    expect(r.capabilities!.afterTls).not.toContain('LOGINDISABLED');
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'CRAM-MD5', 'CRAM-SHA256']);
    expect(r.tls!.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('broken TLS set-up: Courier says OK to STARTTLS (upgraded: accepted), then answers in plaintext; no handshake completes', async () => {
    const r = await run(imap, broken.ip, broken.ports.imap);
    // "W001 OK Begin SSL/TLS negotiation now." then "W001 NO STARTTLS failed: 500 Error starting couriertls."
    // arrives in the same read (injection hazard) or in time for the ClientHello to meet it (handshake fails).
    expect(['protocol-error', 'tls-failed']).toContain(r.status);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: 'W001 OK Begin SSL/TLS negotiation now.' });
    expect(r.tls?.completed ?? false).toBe(false);
    expect(r.capabilities!.beforeTls).toContain('STARTTLS');
    expect(r.capabilities!.afterTls).toBeUndefined();
  });
});
