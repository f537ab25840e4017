import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClientHandshake } from '../../src/tls/client-handshake.js';
import { fixedKeyShare, type KeyShare } from '../../src/tls/key-exchange.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import type { TlsInfo } from '../../src/record/tls-schema.js';

export interface Flight {
  name: string;
  profile: string;
  /** The profile as it was when the flight was recorded (built-ins change; the recorded ClientHello must not). */
  profileDefinition?: Record<string, unknown>;
  profileOverrides?: Record<string, unknown>;
  serverName: string;
  clientRandom: string;
  sessionId: string;
  keys: Record<string, string>;
  expectedChain: string[];
  expectedOcsp?: string;
  info: TlsInfo;
  serverChunks: string[];
}

const dir = join(import.meta.dirname, 'fixtures');

export function loadFlights(): Flight[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Flight);
}

export function flightBytes(f: Flight): Buffer {
  return Buffer.concat(f.serverChunks.map((c) => Buffer.from(c, 'hex')));
}

// Importing a fixed private key costs about 1 ms; a share is pure, so reuse it per flight and group.
const shareCache = new Map<string, KeyShare>();

/** A state machine set up exactly as when the flight was recorded (same ClientHello bytes). */
export function replayMachine(f: Flight, observeOnly = false): ClientHandshake {
  const profile = f.profileDefinition
    ? resolveProfile('recorded', { recorded: { ...f.profileDefinition, ...f.profileOverrides } })
    : f.profileOverrides ? resolveProfile('x', { x: { extends: f.profile, ...f.profileOverrides } }) : resolveProfile(f.profile, {});
  const hs = new ClientHandshake(profile, {
    serverName: f.serverName,
    observeOnly,
    replay: {
      clientRandom: Buffer.from(f.clientRandom, 'hex'),
      sessionId: Buffer.from(f.sessionId, 'hex'),
      share: (g) => {
        const key = `${f.name}/${g}`;
        let share = shareCache.get(key);
        if (!share) shareCache.set(key, (share = fixedKeyShare(g, Buffer.from(f.keys[g]!, 'hex'))));
        return share;
      },
    },
  });
  hs.start();
  hs.drain();
  return hs;
}

/** Feed the bytes in pieces; returns the application data the machine decrypted. */
export function feedAll(hs: ClientHandshake, pieces: Buffer[]): string {
  for (const p of pieces) {
    hs.feed(p);
    hs.drain();
  }
  return Buffer.concat(hs.appData).toString('latin1');
}

/** Split a buffer into pieces of `size` bytes (1 = byte by byte). */
export function split(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}
