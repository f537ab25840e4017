import { spawn } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTlsEngine, resolveProfile, runProbe, silentLogger, type ProbeRecord, type ServiceSpec, type TlsProfileRef } from '@wildtls/core';
import { haveBinary, removeDir, stopPid, tempDir, waitForPort } from '../harness/daemon.js';
import { probeSettings } from '../harness/probe-settings.js';
import { makePki, type TestPki } from './pki.js';
import { listenOn } from '../harness/listen.js';

/**
 * After the handshake, records that carry no application data are capped
 * (64 per connection) and so are handshake messages (64): real servers that
 * send them without end, Debian's `openssl s_server` on 127.0.42.10-19 driven
 * from its stdin ('r' sends a HelloRequest, 'k' a KeyUpdate; -num_tickets
 * sets the tickets sent after a TLS 1.3 handshake). A flood of empty
 * application-data records, which no stock server sends, is injected by a relay
 * that seals them with the server's own traffic secret from s_server's key log.
 * A TLS 1.0 CBC server's empty fragment before each write is not a flood.
 * Every case goes through the kernel's probe path (runProbe, implicit TLS).
 */
const OPENSSL = '/usr/bin/openssl';
const host = (i: number) => `127.0.42.${10 + i}`;

interface SServer {
  host: string;
  command(line: string, times: number): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

async function sServer(i: number, dir: string, args: string[]): Promise<SServer> {
  // Interactive (no -www, no -quiet): s_server acts on a stdin line only when it arrives in a read of its own.
  const child = spawn(OPENSSL, ['s_server', '-accept', `${host(i)}:4433`, '-cert', 'rsa.crt', '-key', 'rsa.key', ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.stdin.on('error', () => {});
  await waitForPort(host(i), 4433);
  return {
    host: host(i),
    async command(line, times) {
      for (let n = 0; n < times && !child.stdin.destroyed; n++) {
        child.stdin.write(`${line}\n`);
        await new Promise((r) => setTimeout(r, 4));
      }
    },
    stop: () => stopPid(child.pid ?? -1),
    output: () => out,
  };
}

/** An implicit-TLS service whose dialog lets the test drive the server, then reads lines until END. */
function lineService(afterHandshake: () => Promise<void>): ServiceSpec {
  return {
    name: 'lines',
    defaultPort: 4433,
    mode: 'implicit',
    dialog: async (ctx) => {
      await afterHandshake();
      const lines: string[] = [];
      for (;;) {
        const line = await ctx.conn.readLine();
        if (line === 'END') break;
        lines.push(line);
      }
      ctx.record.banner = `${lines.length} lines`;
      return 'success';
    },
  };
}

function probe(ip: string, port: number, spec: ServiceSpec, profile: TlsProfileRef): Promise<ProbeRecord> {
  return runProbe(
    { target: { ip, port, service: spec.name }, protocolId: 'lines', spec, options: {} },
    new RawTlsEngine(),
    probeSettings({ timeouts: { readMs: 3000, probeMs: 15_000 }, maxLineBytes: 1024, ladder: [profile] }),
    silentLogger(),
  );
}

const tls10 = resolveProfile('tls10', { tls10: { extends: 'compat', clientVersion: 'TLSv1.0', cipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] } });

/** HKDF-Expand-Label (RFC 8446 7.1) with SHA-256, for at most 32 bytes: the relay's key and IV. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([0, length, full.length]), full, Buffer.from([0])]);
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

/** TLS 1.3 application-data records (AES-128-GCM) from sequence 0, one per content (inner plaintext: content, type 23). */
function sealRecords(secret: Buffer, contents: Buffer[]): Buffer {
  const key = expandLabel(secret, 'key', 16);
  const iv = expandLabel(secret, 'iv', 12);
  const out: Buffer[] = [];
  contents.forEach((content, seq) => {
    const nonce = Buffer.from(iv);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const header = Buffer.from([23, 3, 3, 0, content.length + 17]);
    const c = createCipheriv('aes-128-gcm', key, nonce).setAAD(header);
    out.push(header, c.update(Buffer.concat([content, Buffer.from([23])])), c.final(), c.getAuthTag());
  });
  return Buffer.concat(out);
}

/** `text` one byte per record. */
const oneBytePerRecord = (text: string) => [...Buffer.from(text)].map((b) => Buffer.from([b]));

describe('hostile servers after the handshake (openssl s_server)', () => {
  it('openssl is installed', () => expect(haveBinary(OPENSSL)).toBe(true));

  let pki: TestPki;
  const servers: SServer[] = [];
  beforeAll(async () => {
    pki = makePki(tempDir('hostile-post'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (pki) removeDir(pki.dir);
  });
  const start = async (i: number, args: string[]) => {
    const s = await sServer(i, pki.dir, args);
    servers.push(s);
    return s;
  };
  const brokeSession = (r: ProbeRecord, what: RegExp) => {
    expect(r.status, JSON.stringify(r.error)).toBe('protocol-error');
    expect(r.error?.reason, JSON.stringify(r.error)).toBe('tls-protocol');
    expect(r.error?.message).toMatch(what);
    expect(r.tls?.completed).toBe(true);
    expect(JSON.stringify(r).length).toBeLessThan(8192);
  };

  it('TLS 1.3: 200 NewSessionTickets end the session at the cap, 8 of them recorded', async () => {
    const s = await start(0, ['-tls1_3', '-num_tickets', '200']);
    const r = await probe(s.host, 4433, lineService(async () => {}), resolveProfile('modern'));
    brokeSession(r, /more than 64 (records without application data|handshake messages) after the handshake/);
    expect(r.tls?.sessionTickets).toHaveLength(8);
  });

  it('TLS 1.3: a KeyUpdate flood (100) ends the session at the cap', async () => {
    const s = await start(1, ['-tls1_3', '-num_tickets', '0']);
    const r = await probe(s.host, 4433, lineService(() => s.command('k', 100)), resolveProfile('modern'));
    brokeSession(r, /more than 64 (records without application data|handshake messages) after the handshake/);
  });

  it('TLS 1.2: HelloRequests after completion (100) end the session at the cap', async () => {
    const s = await start(2, ['-tls1_2']);
    const r = await probe(s.host, 4433, lineService(() => s.command('r', 100)), resolveProfile('compat'));
    brokeSession(r, /more than 64 (records without application data|handshake messages) after the handshake/);
  });

  it('TLS 1.2: a few HelloRequests (10) are ignored and the dialog goes on', async () => {
    const s = await start(3, ['-tls1_2']);
    const r = await probe(s.host, 4433, lineService(async () => {
      await s.command('r', 10);
      await s.command('END', 1);
    }), resolveProfile('compat'));
    expect(r.status, `${JSON.stringify(r.error)}\n${s.output()}`).toBe('success');
  });

  it('TLS 1.0 CBC: the empty fragment OpenSSL sends before each of 100 writes is not counted', async () => {
    const s = await start(4, ['-tls1', '-cipher', 'AES128-SHA:@SECLEVEL=0']);
    const r = await probe(s.host, 4433, lineService(async () => {
      await s.command('a line', 100);
      await s.command('END', 1);
    }), tls10);
    expect(r.status, `${JSON.stringify(r.error)}\n${s.output()}`).toBe('success');
    expect(r.tls?.version).toBe('TLSv1.0');
    expect(r.banner).toBe('100 lines');
  });

  describe('a flood of empty application-data records (TLS 1.3, sealed by a relay with the server key)', () => {
    let relay: Server;
    let toClient: Socket | undefined;
    let clientRandom = '';
    const sockets = new Set<Socket>();
    let keylog = '';
    beforeAll(async () => {
      keylog = join(pki.dir, 'keylog.txt');
      await start(5, ['-tls1_3', '-num_tickets', '0', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-keylogfile', keylog]);
      relay = createServer((c) => {
        toClient = c;
        // The ClientHello's random (record header 5, handshake header 4, version 2): the key log's key for this connection.
        c.once('data', (d: Buffer) => (clientRandom = d.subarray(11, 43).toString('hex')));
        const up = connect(4433, host(5));
        for (const x of [c, up]) {
          sockets.add(x);
          x.on('error', () => {});
        }
        c.pipe(up).pipe(c);
        // s_server serves one connection at a time: a client gone must free it.
        c.on('close', () => up.destroy());
        up.on('close', () => c.destroy());
      });
      await listenOn(relay, 4434, host(6));
    });
    afterAll(async () => {
      for (const x of sockets) x.destroy();
      await new Promise((r) => relay.close(r));
    });

    /** This connection's first server application traffic secret, once s_server logged it (it may do so after its Finished went out). */
    async function serverSecret(): Promise<Buffer> {
      for (let i = 0; i < 200; i++) {
        const line = readFileSync(keylog, 'utf8').split('\n').find((l) => l.startsWith(`SERVER_TRAFFIC_SECRET_0 ${clientRandom} `));
        if (line) return Buffer.from(line.split(' ')[2]!, 'hex');
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`s_server logged no secret for client random ${clientRandom}`);
    }

    const inject = (contents: Buffer[]) => async () => {
      // The server has sent nothing under that secret yet (no tickets), so the records start at sequence 0.
      toClient!.write(sealRecords(await serverSecret(), contents));
      await new Promise((r) => setTimeout(r, 50));
    };
    const empty = (count: number) => Array.from({ length: count }, () => Buffer.alloc(0));

    it('5,000 empty records: the session ends at the 65th', async () => {
      const r = await probe(host(6), 4434, lineService(inject(empty(5000))), resolveProfile('modern'));
      brokeSession(r, /more than 64 records without application data after the handshake/);
    });

    it('60 empty records stay within the cap (the relay seals them right: the cap, not the MAC, ends the flood above)', async () => {
      const r = await probe(host(6), 4434, lineService(async () => {
        await inject(empty(60))();
        toClient!.end();
      }), resolveProfile('modern'));
      // The relay's close ends the dialog; what matters is that no record failed.
      expect(r.error?.reason, JSON.stringify(r.error)).toBe('connection-closed');
    });

    it('one byte of data per record: 4,096 such records pass, the 4,097th ends the session', async () => {
      const lines = `${'x'.repeat(78)}\r\n`.repeat(51); // 4,080 bytes
      const within = await probe(host(6), 4434, lineService(inject([...oneBytePerRecord(lines), Buffer.from('1234567890123456\r\nEND\r\n')])), resolveProfile('modern'));
      expect(within.status, JSON.stringify(within.error)).toBe('success');
      expect(within.banner).toBe('52 lines');
      const flood = await probe(host(6), 4434, lineService(inject(oneBytePerRecord(`${lines}${lines}END\r\n`))), resolveProfile('modern'));
      brokeSession(flood, /more than 4096 records with less than 64 bytes of application data after the handshake/);
    });
  });
});
