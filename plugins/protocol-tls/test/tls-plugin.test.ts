import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTlsEngine, resolveProfile, runProbe, silentLogger, type ProbeSettings } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { probeSettings } from '../../../test/harness/probe-settings.js';
import plugin from '../src/index.js';
import { listenOn } from '../../../test/harness/listen.js';

const spec = plugin.services[0]!;
const HOST = '127.0.20.70';

function settings(ladder: string[], user: Record<string, unknown> = {}, observeOnly = false): ProbeSettings {
  return probeSettings({ ladder: ladder.map((n) => resolveProfile(n, user)), observeOnly, sni: true });
}

const probe = (port: number, s: ProbeSettings) =>
  runProbe({ target: { ip: HOST, port, service: 'tls' }, protocolId: 'tls', spec, options: {} }, new RawTlsEngine(), s, silentLogger());

describe('tls protocol plugin', () => {
  let server: Server;
  let port = 0;
  let leafDer = '';
  beforeAll(async () => {
    const cert = await selfSignedCertificate({ commonName: 'localhost' });
    leafDer = Buffer.from(cert.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64').toString('base64');
    // A TLS 1.2-only server: a TLS 1.3-only offer is refused with a protocol_version alert.
    server = createServer({ key: cert.keyPem, cert: cert.certPem, maxVersion: 'TLSv1.2' }, (s) => s.on('error', () => {}));
    server.on('tlsClientError', () => {});
    await listenOn(server, 0, HOST);
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('declares service tls, implicit mode, default port 443', () => {
    expect(plugin.id).toBe('tls');
    expect(spec).toMatchObject({ name: 'tls', mode: 'implicit', defaultPort: 443 });
  });

  it('a completed handshake is a success record with the tls part filled', async () => {
    const r = await probe(port, settings(['modern']));
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ completed: true, version: 'TLSv1.2', profile: 'modern', fallbackStep: 0 });
    expect(r.tls?.chain).toEqual([leafDer]);
  });

  it('the fallback ladder steps down after a refusal and records the step that worked', async () => {
    const user = { only13: { extends: 'modern', supportedVersions: ['TLSv1.3'] } };
    const r = await probe(port, settings(['only13', 'compat'], user));
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ completed: true, version: 'TLSv1.2', profile: 'compat', fallbackStep: 1 });
    expect(r.tls?.refusedSteps).toEqual([expect.objectContaining({ step: 0, profile: 'only13', kind: 'alert' })]);
  });

  it('with every step refused, the record is the first step\'s (the answer to the main offer), every refusal listed', async () => {
    const user = { only13: { extends: 'modern', supportedVersions: ['TLSv1.3'] } };
    const r = await probe(port, settings(['only13', 'ssl3'], user));
    expect(r.status).toBe('tls-failed');
    expect(r.tls).toMatchObject({ completed: false, profile: 'only13', fallbackStep: 0, error: { kind: 'alert' } });
    expect(r.tls?.refusedSteps?.map((x) => [x.step, x.profile, x.kind])).toEqual([[0, 'only13', 'alert'], [1, 'ssl3', 'alert']]);
  });

  it('observe-only: success without a stream, notCompletedReason recorded', async () => {
    const r = await probe(port, settings(['compat'], {}, true));
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ completed: false, notCompletedReason: 'observe-only', version: 'TLSv1.2' });
    expect(r.tls?.chain).toEqual([leafDer]);
  });
});
