import { createServer, type Server, type Socket } from 'node:net';
import { dialTcp } from '../../src/net/dial.js';
import { tcpClientAvailable } from '../../src/net/tcp-client.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientHandshake } from '../../src/tls/client-handshake.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { flightBytes, loadFlights, replayMachine } from './replay.js';
import { listenOn } from '../../../../test/harness/listen.js';

// Everything the server can cause. Never 'internal': that kind is our own bug, and no server bytes may produce it.
const KINDS = ['alert', 'protocol', 'timeout', 'reset', 'closed', 'unsupported'];

/** Small seeded PRNG (mulberry32) so every failure is reproducible from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const int = (n: number) => Math.floor(r() * n);
  switch (int(6)) {
    case 0: // flip a few bytes
      for (let i = 0, n = 1 + int(4); i < n; i++) b[int(b.length)] = int(256);
      return b;
    case 1: // truncate
      return b.subarray(0, int(b.length));
    case 2: { // insert garbage
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(40) }, () => int(256))), b.subarray(at)]);
    }
    case 3: { // inflate a length field (record or handshake)
      const at = int(Math.max(1, b.length - 3));
      b[at] = 0xff;
      b[at + 1] = 0xff;
      return b;
    }
    case 4: // duplicate a slice
    {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(300)), b.subarray(at)]);
    }
    default: // drop a slice
    {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(50))]);
    }
  }
}

describe('fuzz: mutated, truncated and oversized server flights', () => {
  const flights = loadFlights();

  // WILDTLS_FUZZ_SEEDS raises the count for a deeper run: at 30000 per flight the integrity property found
  // the two record-layer gaps now closed in client-handshake.ts (record version, TLS 1.3 CCS); both pass there now.
  const seeds = Number(process.env.WILDTLS_FUZZ_SEEDS ?? 150);
  const timeout = Math.max(30_000, seeds * 10);

  it(`the state machine never throws and always ends classified (${seeds} mutations of each recorded flight)`, () => {
    let failed = 0;
    for (const f of flights) {
      const bytes = flightBytes(f);
      for (let seed = 1; seed <= seeds; seed++) {
        const r = rng(seed * 7919 + f.name.length);
        const data = mutate(bytes, r);
        const hs = replayMachine(f, r() < 0.3);
        // Feed in random splits.
        for (let i = 0; i < data.length;) {
          const n = 1 + Math.floor(r() * 700);
          try {
            hs.feed(data.subarray(i, i + n));
          } catch (e) {
            throw new Error(`${f.name} seed ${seed}: feed threw ${(e as Error).message}`);
          }
          hs.drain();
          i += n;
        }
        expect(['running', 'done', 'failed']).toContain(hs.state);
        if (hs.state === 'failed') {
          failed++;
          expect(KINDS, `${f.name} seed ${seed}: ${hs.info.error?.message} ${(hs.failure?.cause as Error)?.stack ?? ''}`).toContain(hs.info.error?.kind);
          expect(hs.info.error?.message.length).toBeGreaterThan(0);
        }
        if (hs.state === 'done') expect(hs.info.error).toBeUndefined();
      }
    }
    expect(failed).toBeGreaterThan(flights.length * seeds / 3);
  }, timeout);

  it('a genuine bug in our code ends as kind internal, with the exception kept, never as the server\'s protocol error', () => {
    const f = flights.find((x) => x.name === 'tls12-ecdhe-rsa-ocsp-openssl')!;
    const control = replayMachine(f, false);
    control.feed(flightBytes(f));
    expect(control.state).toBe('done');

    const hs = replayMachine(f, false);
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    hs.parseCertificate = () => {
      throw bug;
    };
    hs.feed(flightBytes(f));
    expect(hs.state).toBe('failed');
    expect(hs.info.error).toMatchObject({ kind: 'internal', message: `internal error: TypeError: ${bug.message}` });
    expect(hs.failure?.cause).toBe(bug);
    // What the server chose before the bug struck stays in the record.
    expect(hs.info).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0xc030, name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' } });
  });

  /** The shortest prefix of a flight after which the machine completes (undefined if it never does). */
  function completesAt(f: (typeof flights)[number]): number | undefined {
    const bytes = flightBytes(f);
    const done = (n: number) => {
      const hs = replayMachine(f, false);
      hs.feed(bytes.subarray(0, n));
      hs.drain();
      return hs.state === 'done';
    };
    if (!done(bytes.length)) return undefined;
    let lo = 0;
    let hi = bytes.length; // done(hi) holds, done(lo) does not
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (done(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /**
   * `data` with the record version fields that no check covers copied back from `original`: the
   * first record's (servers answer a 0x0301 record layer), and in TLS 1.3 every unencrypted
   * record's (RFC 8446 5.1: ignored for all purposes; encrypted ones are in the AEAD's data).
   */
  function uncheckedVersionsRestored(data: Buffer, original: Buffer, tls13: boolean): Buffer {
    const out = Buffer.from(data);
    for (let o = 0; o + 5 <= out.length && o + 3 <= original.length; o += 5 + out.readUInt16BE(o + 3)) {
      if (o === 0 || (tls13 && out[o] !== 23)) out.set(original.subarray(o + 1, o + 3), o + 1);
      if (!tls13) break;
    }
    return out;
  }

  it(`integrity: a flight changed before the server's last handshake byte never completes (${seeds} stacked mutations each)`, () => {
    let checked = 0;
    for (const f of flights) {
      const end = completesAt(f);
      if (end === undefined) continue;
      const bytes = flightBytes(f);
      for (let seed = 1; seed <= seeds; seed++) {
        const r = rng(seed * 104729 + f.name.length);
        let data = bytes;
        for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) data = mutate(data, r);
        const seen = uncheckedVersionsRestored(data, bytes, f.info.version === 'TLSv1.3');
        let first = 0;
        while (first < seen.length && first < end && seen[first] === bytes[first]) first++;
        if (first >= end) continue; // only bytes after the handshake changed
        const hs = replayMachine(f, false);
        for (let i = 0; i < data.length && hs.state === 'running';) {
          const n = 1 + Math.floor(r() * 700);
          hs.feed(data.subarray(i, i + n));
          hs.drain();
          i += n;
        }
        checked++;
        expect(hs.state, `${f.name} seed ${seed}: changed at byte ${first} of ${end}`).not.toBe('done');
      }
    }
    expect(checked).toBeGreaterThan(seeds * 3);
  }, timeout);

  // Both socket paths the scanner can use: the lean libuv one (default) and node:net.
  describe.each(tcpClientAvailable ? (['lean', 'node'] as const) : (['node'] as const))('through the engine on loopback sockets (%s)', (kind) => {
    let server: Server;
    const port = 0;
    let addr = { host: '127.0.20.240', port };
    // Handlers by client port: the server calls one when that client's ClientHello arrives.
    const handlers = new Map<number, (s: Socket) => void>();
    beforeAll(async () => {
      server = createServer((s) => {
        open.add(s);
        s.on('error', () => {});
        s.on('close', () => open.delete(s));
        s.once('data', () => handlers.get(s.remotePort!)?.(s));
      });
      await listenOn(server, 0, '127.0.20.240');
      addr = { host: '127.0.20.240', port: (server.address() as { port: number }).port };
    });
    const open = new Set<Socket>();
    afterAll(() => {
      for (const s of open) s.destroy();
      return new Promise<void>((res) => server.close(() => res()));
    });

    async function run(serve: (s: Socket) => void, opts: { maxBytes?: number; signal?: AbortSignal; profile?: string } = {}) {
      const sock = await dialTcp(addr.host, addr.port, { timeoutMs: 1000, kind });
      handlers.set((sock as { localPort?: number }).localPort!, serve);
      const t0 = Date.now();
      const res = await new RawTlsEngine().handshake(sock, { profile: resolveProfile(opts.profile ?? 'modern'), observeOnly: false, readTimeoutMs: 300, maxBytes: opts.maxBytes ?? 1 << 20, ...(opts.signal ? { signal: opts.signal } : {}) });
      return { ...res, ms: Date.now() - t0 };
    }

    it('mutated flights: resolves, never rejects, error classified, within the read deadline', async () => {
      const results = [];
      // TLS 1.2 flights are parsed in clear by any compat ClientHello; TLS 1.3 ones fail at the first encrypted record.
      for (const [name, profile] of [['tls12-ecdhe-rsa-ocsp-openssl', 'compat'], ['tls13-x25519-openssl', 'modern']] as const) {
        const bytes = flightBytes(loadFlights().find((x) => x.name === name)!);
        const pending = [];
        for (let seed = 1; seed <= 12; seed++) {
          const r = rng(seed);
          const data = mutate(bytes, r);
          const close = r() < 0.5;
          pending.push(run((s) => (close ? s.end(data) : s.write(data)), { profile }));
        }
        results.push(...(await Promise.all(pending)));
      }
      for (const res of results) {
        expect(res.info.completed).toBe(false);
        expect(res.stream).toBeUndefined();
        expect(KINDS).toContain(res.info.error?.kind);
        expect(res.internalError).toBeUndefined();
        expect(res.ms).toBeLessThan(2000);
      }
    });

    it('silence is a timeout; a reset is a reset; a close is closed', async () => {
      expect((await run(() => {})).info.error?.kind).toBe('timeout');
      expect((await run((s) => s.resetAndDestroy())).info.error?.kind).toBe('reset');
      expect((await run((s) => s.end())).info.error?.kind).toBe('closed');
    });

    it('an endless stream of valid-looking records hits the byte cap', async () => {
      const res = await run((s) => {
        const rec = Buffer.concat([Buffer.from([22, 3, 3, 0x40, 0]), Buffer.alloc(0x4000)]);
        // One handshake message header claiming 200 KiB, then filler records.
        const head = Buffer.concat([Buffer.from([22, 3, 3, 0, 4, 2, 3, 0x20, 0])]);
        s.write(head);
        for (let i = 0; i < 20; i++) s.write(rec);
      }, { maxBytes: 64 * 1024 });
      expect(res.info.error).toMatchObject({ kind: 'protocol' });
      expect(res.info.error?.message).toMatch(/more than 65536 bytes|exceeds/);
    });

    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('our bug during a real handshake: kind internal, and the engine hands back the exception for the debug log', async () => {
      const bug = new RangeError('injected bug');
      vi.spyOn(ClientHandshake.prototype, 'parseCertificate').mockImplementation(() => {
        throw bug;
      });
      const f = loadFlights().find((x) => x.name === 'tls12-ecdhe-rsa-ocsp-openssl')!;
      const res = await run((s) => s.write(flightBytes(f)), { profile: 'compat' });
      expect(res.info.error).toMatchObject({ kind: 'internal', message: 'internal error: RangeError: injected bug' });
      expect(res.internalError).toBe(bug);
      expect(res.stream).toBeUndefined();
    });

    it('an aborted probe ends as a timeout', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const res = await run(() => {}, { signal: ac.signal });
      expect(res.info.error?.kind).toBe('timeout');
      expect(res.ms).toBeLessThan(250);
    });
  });
});
