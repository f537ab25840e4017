// Real captures: tcpdump on lo and any while a Node client and server on 127.0.62.x exchange known
// bytes (a small dialog and a large transfer both ways); the reassembled streams must equal what was sent.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureFlows, type CaptureStats, type FlowDirection, type FlowEndReason, type FlowStart } from '@wildtls/core';
import { requireBinaries } from '../harness/require-binary.js';
import { EDITCAP, run, settled, startTcpdump, TCPDUMP } from './tcpdump.js';
import { listenOn } from '../harness/listen.js';

const SERVER = '127.0.62.10';
const CLIENTS = ['127.0.62.11', '127.0.62.12', '127.0.62.13'];
const ready = requireBinaries([{ path: TCPDUMP, pkg: 'tcpdump' }, { path: EDITCAP, pkg: 'wireshark-common' }]);

interface Exchange { clientPort: number; clientIp: string; fromClient: Buffer; fromServer: Buffer }
interface Flow { start: FlowStart; client: Buffer[]; server: Buffer[]; gaps: number; end?: FlowEndReason }

/** Read a capture with handlers that keep every byte. */
async function reassemble(file: string, port: number): Promise<{ flows: Flow[]; stats: CaptureStats }> {
  const flows: Flow[] = [];
  const stats = await readCaptureFlows([file], (start) => {
    const f: Flow = { start, client: [], server: [], gaps: 0 };
    flows.push(f);
    return {
      data(dir: FlowDirection, bytes: Uint8Array) { f[dir].push(Buffer.from(bytes)); },
      gap() { f.gaps++; },
      end(reason: FlowEndReason) { f.end = reason; },
    };
  }, { watchPorts: new Set([port]), onHandlerError: (err) => { throw err; } });
  return { flows, stats };
}

/**
 * Write in 16 KiB pieces a millisecond apart: a burst of megabytes on lo can overrun tcpdump's
 * buffer on a loaded machine, and a capture that lost packets would test the capture, not us.
 */
async function paced(sock: Socket, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += 16384) {
    if (!sock.write(bytes.subarray(at, at + 16384))) await new Promise((r) => sock.once('drain', r));
    await new Promise((r) => setTimeout(r, 4));
  }
  sock.end();
}

/** One connection: the client sends its bytes, the server answers with its own once the client half-closes. */
function exchange(port: number, clientIp: string, fromClient: Buffer, fromServer: Buffer, answers: Map<string, Buffer>): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host: SERVER, port, localAddress: clientIp });
    const got: Buffer[] = [];
    let clientPort = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('exchange timed out')); }, 20_000);
    sock.on('connect', () => {
      clientPort = sock.localPort!;
      answers.set(`${clientIp}:${clientPort}`, fromServer);
      void paced(sock, fromClient);
    });
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      if (!Buffer.concat(got).equals(fromServer)) reject(new Error('the server\'s bytes did not arrive whole'));
      else resolve({ clientPort, clientIp, fromClient, fromServer });
    });
  });
}

describe.runIf(ready)('passive reading of real tcpdump captures on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-cap-'));
  let server: Server;
  let port = 0;
  const exchanges: Exchange[] = [];
  const files = { lo: join(dir, 'lo-nano.pcap'), any: join(dir, 'any-sll.pcap'), any2: join(dir, 'any-sll2.pcap'), lomicro: join(dir, 'lo-nano.pcap.gz') };
  let tcpdumpLog = '';

  beforeAll(async () => {
    if (!ready) return;
    const answers = new Map<string, Buffer>();
    server = createServer({ allowHalfOpen: true }, (s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => void paced(s, answers.get(`${s.remoteAddress}:${s.remotePort}`) ?? Buffer.alloc(0)));
      s.on('error', () => s.destroy());
    });
    await listenOn(server, 0, SERVER);
    port = (server.address() as AddressInfo).port;
    const filter = ['tcp', 'and', 'host', SERVER, 'and', 'port', String(port)];
    const caps = [
      await startTcpdump(['-i', 'lo', '--time-stamp-precision', 'nano', ...filter], files.lo),
      await startTcpdump(['-i', 'any', '-y', 'LINUX_SLL', ...filter], files.any),
      await startTcpdump(['-i', 'any', '-y', 'LINUX_SLL2', ...filter], files.any2),
    ];
    // A short dialog, a large transfer each way, and several connections at once (bounded: 3 MB in all).
    const plan: Array<[string, Buffer, Buffer]> = [
      [CLIENTS[0]!, Buffer.from('EHLO client.example\r\n'), Buffer.from('250-server.example\r\n250 STARTTLS\r\n')],
      [CLIENTS[1]!, randomBytes(1_500_000), randomBytes(700_000)],
      [CLIENTS[2]!, randomBytes(3000), randomBytes(800_000)],
      [CLIENTS[0]!, randomBytes(1), Buffer.alloc(0)],
    ];
    exchanges.push(...await Promise.all(plan.map(([ip, c, s]) => exchange(port, ip, c, s, answers))));
    await settled([files.lo, files.any, files.any2]);
    for (const c of caps) tcpdumpLog += await c.stop();
    await run('/bin/sh', ['-c', `gzip -c '${files.lo}' > '${files.lomicro}'`]);
    await run(EDITCAP, ['-F', 'pcapng', files.lo, join(dir, 'lo-nano.pcapng')]);
  }, 120_000);

  afterAll(() => {
    server?.close();
    if (process.env.WILDTLS_KEEP_CAPTURES) process.stderr.write(`captures kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => string, number]> = [
    ['pcap, nanosecond, -i lo', () => files.lo, 0],
    ['pcapng (editcap), nanosecond, -i lo', () => join(dir, 'lo-nano.pcapng'), 0],
    ['pcap, -i any (Linux cooked SLL, 113)', () => files.any, 113],
    ['pcap, -i any (Linux cooked SLL2, 276)', () => files.any2, 276],
    ['gzip pcap, nanosecond, -i lo', () => files.lomicro, 0],
  ];
  for (const [name, file, linkType] of cases) {
    it(`${name}: each connection's streams equal the bytes sent, ended by FIN, no gap`, async () => {
      expect(tcpdumpLog).not.toMatch(/[1-9]\d* packets? dropped by kernel/);
      const bytes = readFileSync(file());
      if (linkType) expect(bytes.readUInt32LE(20)).toBe(linkType);
      const { flows, stats } = await reassemble(file(), port);
      expect(flows).toHaveLength(exchanges.length);
      for (const x of exchanges) {
        const f = flows.find((g) => g.start.clientPort === x.clientPort && g.start.clientIp === x.clientIp)!;
        expect(f.start).toMatchObject({ serverIp: SERVER, serverPort: port, midStream: false });
        // gaps > 0 here means tcpdump lost packets (the capture, not the reader): see the message.
        expect(Buffer.concat(f.client).equals(x.fromClient), `client bytes; gaps ${f.gaps} end ${f.end} port ${x.clientPort} ${Buffer.concat(f.client).length}/${x.fromClient.length}`).toBe(true);
        expect(Buffer.concat(f.server).equals(x.fromServer), `server bytes; gaps ${f.gaps} end ${f.end} port ${x.clientPort} ${Buffer.concat(f.server).length}/${x.fromServer.length}`).toBe(true);
        expect([f.gaps, f.end]).toEqual([0, 'fin']);
      }
      expect(stats).toMatchObject({ flows: exchanges.length, flowsWatched: exchanges.length, truncatedPackets: 0, truncatedFiles: 0, gaps: 0 });
    });
  }

  it('a capture with a small snap length (-s 200): the cut payload is reported as gaps, and the bytes delivered are the bytes sent at their offsets', async () => {
    const cut = join(dir, 'snap.pcap');
    await run(EDITCAP, ['-s', '200', files.lo, cut]);
    const { flows, stats } = await reassemble(cut, port);
    expect(stats.snaplenCut).toBeGreaterThan(0);
    const big = exchanges[1]!;
    const f = flows.find((g) => g.start.clientPort === big.clientPort && g.start.clientIp === big.clientIp)!;
    expect(f.gaps).toBeGreaterThan(0);
    expect(f.end, JSON.stringify(stats)).toBe('fin');
    // With gaps the stream is shorter, but its first bytes (before the first cut) are the bytes sent.
    const first = f.client[0]!;
    expect(first.equals(big.fromClient.subarray(0, first.length))).toBe(true);
  });
});
