import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { certificateChain } from '@wildtls/core/testing';
import { BANNER_PLUGIN, runCli } from './cli-run.js';
import { startFarm, type Farm } from './loopback-farm.js';

type Rec = Record<string, unknown> & { ip: string; port: number; service: string; status: string };

/** 127.0.55.<from>..127.0.55.<to> (this suite's addresses). */
function addresses(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `127.0.55.${from + i}`);
}

function records(file: string): Rec[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

/** Records as a sorted list of JSON strings, without the fields that say when and how fast a probe ran. */
function timeless(file: string): string[] {
  return records(file)
    .map(({ startedAt: _s, durationMs: _d, ...rest }) => {
      const tls = rest.tls as { handshakeMs?: number } | undefined;
      if (tls) delete tls.handshakeMs;
      return JSON.stringify(rest);
    })
    .sort();
}

describe('scan --workers: probes in worker threads (127.0.55.0/24)', () => {
  let farm: Farm;
  const tlsServers: Server[] = [];
  let tlsPort = 0;
  let dir: string;
  beforeAll(async () => {
    // Banner listeners on .0-.199 (answering after 0-90 ms); TLS listeners on .240-.243; nothing elsewhere.
    // RSA keys: their signatures have one length, so the bytes a probe receives do not vary (ECDSA's DER does).
    farm = await startFarm(addresses(0, 199), { delay: (a) => (Number(a.split('.')[3]) % 7) * 15 });
    const chain = await certificateChain();
    for (const ip of addresses(240, 243)) {
      const s = createServer({ cert: chain.leaf.certPem + chain.intermediate.certPem, key: chain.leaf.keyPem, minVersion: 'TLSv1.2' }, (c: TLSSocket) => {
        c.on('error', () => {});
        c.end();
      });
      s.on('tlsClientError', () => {});
      s.listen({ host: ip, port: tlsPort });
      await once(s, 'listening');
      tlsPort = (s.address() as { port: number }).port;
      tlsServers.push(s);
    }
    dir = mkdtempSync(join(tmpdir(), 'wildtls-workers-'));
    writeFileSync(
      join(dir, 'wildtls.config.yaml'),
      [
        `plugins: ['@wildtls/protocol-tls', '@wildtls/protocol-smtp', ${BANNER_PLUGIN}]`,
        'log: { level: warn }',
        `scan: { checkpointInterval: 150, progress: off, connectRetries: 0, perNetworkConcurrency: 1000, servicePorts: { banner: [${farm.port}], tls: [${tlsPort}] } }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await farm.close();
    await Promise.all(tlsServers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  const base = () => ['scan', '127.0.55.0/24', '-p', 'banner', '-p', 'tls', '--allow', '127.0.0.0/8'];

  it('two workers write exactly the records one worker writes (order and timing aside)', async () => {
    const one = join(dir, 'one.jsonl');
    const two = join(dir, 'two.jsonl');
    const r1 = await runCli([...base(), '--workers', '1', '--rate', '0', '--concurrency', '64', '--seed', '3', '-o', one], { cwd: dir });
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await runCli([...base(), '--workers', '2', '--rate', '0', '--concurrency', '64', '--seed', '3', '-o', two, '--log-level', 'info'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/"workers":2,.*"msg":"scan starting"/);
    const expected = timeless(one);
    expect(expected).toHaveLength(512);
    const statuses = new Set(records(one).map((r) => `${r.service}:${r.status}`));
    expect(statuses).toEqual(new Set(['banner:no-starttls', 'banner:connect-failed', 'tls:success', 'tls:connect-failed']));
    expect(timeless(two)).toEqual(expected);
  });
});
