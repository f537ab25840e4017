import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from '@wildtls/protocol-https';
import { certificateChain, type TestChain } from '@wildtls/core/testing';
import { PluginRegistry, createPassiveFlowFactory, passivePortMap, readCaptureFlows, watchedPorts, type CaptureInput, type CaptureStats, type ProbeRecord, type WildtlsPlugin } from '@wildtls/core';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { startCapture, TCPDUMP, TSHARK } from '../passive/capture-harness.js';
import { checkAgainstTshark } from '../passive/tshark-check.js';
import { CURL, runClient } from '../passive/real-clients.js';

/**
 * A capture FILE is read by jumping over the payload of large packets nobody follows (issue 16): here
 * curl downloads 2 MB files from `openssl s_server -WWW` over TLS 1.2 and 1.3 on 127.0.84.0/24 while
 * tcpdump records lo (its packets are up to 64 KiB there). The records made from the file by path (with
 * jumps) must be those made from the same bytes as a stream (every byte read), agree with tshark and
 * with what curl was told, and most of the capture must not have been read.
 */
const SERVER = '127.0.84.1';
const PORT = 4433;
const FILE_BYTES = 2 * 1024 * 1024;

const ready = requireBinaries([DAEMONS.openssl, { path: CURL, pkg: 'curl' }, { path: TCPDUMP, pkg: 'tcpdump' }, { path: TSHARK, pkg: 'tshark' }]);

let dir = '';
let chain: TestChain;
let server: Daemon | undefined;
let pcap = '';
const downloads: Buffer[] = [];

const runs = [
  { name: 'curl https 1.2', args: ['--tlsv1.2', '--tls-max', '1.2'], version: 'TLSv1.2' },
  { name: 'curl https 1.3', args: ['--tlsv1.3'], version: 'TLSv1.3' },
];

async function records(input: CaptureInput): Promise<{ records: ProbeRecord[]; stats: CaptureStats }> {
  const registry = new PluginRegistry([https].map((p) => ({ plugin: p as WildtlsPlugin, spec: p.id, source: 'builtin', entry: '' })) as never);
  const ports = passivePortMap(registry, { https: [PORT] });
  const out: ProbeRecord[] = [];
  const stats = await readCaptureFlows(input, createPassiveFlowFactory({ ports }, (r) => out.push(r)), { watchPorts: watchedPorts(ports) });
  out.sort((a, b) => a.passive!.captureStart.localeCompare(b.passive!.captureStart));
  return { records: out.filter((r) => !r.passive!.midStream), stats };
}

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('passive-jumps');
  chain = await certificateChain({ leafName: 'bulk.wildtls.test' });
  writeFileSync(join(dir, 'cert.pem'), chain.leaf.certPem);
  writeFileSync(join(dir, 'inter.pem'), chain.intermediate.certPem);
  writeFileSync(join(dir, 'key.pem'), chain.leaf.keyPem, { mode: 0o600 });
  for (const r of runs) writeFileSync(join(dir, `${r.version}.bin`), randomBytes(FILE_BYTES));
  // -WWW: serves files of its working folder (the downloads).
  server = startForeground(DAEMONS.openssl.path, ['s_server', '-accept', `${SERVER}:${PORT}`, '-cert', join(dir, 'cert.pem'), '-cert_chain', join(dir, 'inter.pem'), '-key', join(dir, 'key.pem'), '-WWW', '-quiet'], { cwd: dir });
  await waitForPort(SERVER, PORT, 10_000);
  pcap = join(dir, 'bulk.pcap');
  const capture = await startCapture(pcap, `host ${SERVER} and tcp port ${PORT}`);
  for (const r of runs) {
    const got = await runClient(CURL, ['-s', '-k', '--max-time', '20', ...r.args, '-o', join(dir, `${r.version}.got`), `https://${SERVER}:${PORT}/${r.version}.bin`], '', 30_000);
    expect(got.code).toBe(0);
    downloads.push(readFileSync(join(dir, `${r.version}.got`)));
  }
  await capture.stop();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (process.env.WILDTLS_KEEP_CAPTURES) process.stderr.write(`capture kept in ${dir}\n`);
  else if (dir) removeDir(dir);
});

describe.runIf(ready)('passive records of a bulk capture read with jumps (openssl s_server -WWW, curl, tcpdump on lo)', () => {
  it('curl got every byte it asked for', () => {
    for (const [i, r] of runs.entries()) expect(downloads[i]!.equals(readFileSync(join(dir, `${r.version}.bin`))), r.name).toBe(true);
  });

  it('the records by path (jumps) are the records from the same bytes as a stream (every byte), with the same counts', async () => {
    const byPath = await records(pcap);
    const streamed = await records({ name: pcap, stream: Readable.from([readFileSync(pcap)]) });
    expect(byPath.records.length).toBe(runs.length);
    expect(JSON.stringify(byPath.records)).toBe(JSON.stringify(streamed.records));
    expect(streamed.stats.bytesNotRead).toBe(0);
    expect({ ...byPath.stats, bytesNotRead: 0 }).toEqual(streamed.stats);
    // Most of the capture (application data: tcpdump may have missed some under load) was jumped over, not read.
    expect(byPath.stats.bytesNotRead).toBeGreaterThan(statSync(pcap).size * 0.75);
  });

  it('each record is the handshake curl was told to make, and agrees with tshark', async () => {
    const { records: recs } = await records(pcap);
    for (const [i, r] of runs.entries()) {
      expect(recs[i]!.status, r.name).toBe('success');
      expect(recs[i]!.tls, r.name).toMatchObject({ version: r.version, completed: true });
    }
    expect(recs[0]!.tls!.chain).toEqual([chain.leaf.der.toString('base64'), chain.intermediate.der.toString('base64')]);
    expect(checkAgainstTshark(pcap, recs, [`tcp.port==${PORT},tls`])).toBe(runs.length);
  });
});
