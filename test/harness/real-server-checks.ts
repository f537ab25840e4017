import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { NodeTlsEngine, ProbeRecordSchema, RawTlsEngine, type ProbeRecord, type TlsEngine } from '@wildtls/core';
import type { TestChain } from '@wildtls/core/testing';

/** What every real-server suite shares: both engines, the schema check, the chain check, starting a set of daemons. */

/** Every assertion must hold for both TLS engines (chain and version are what the wire says). */
export const ENGINES: [string, () => TlsEngine][] = [['node:tls', () => new NodeTlsEngine()], ['raw', () => new RawTlsEngine()]];

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(ProbeRecordSchema);

/** The record, after checking it against the record schema. */
export function valid(r: ProbeRecord): ProbeRecord {
  if (!validate(r)) throw new Error(`record does not match the schema: ${ajv.errorsText(validate.errors)}`);
  return r;
}

/** The server sent exactly the leaf and intermediate it was configured with, in that order. */
export function expectChainSent(r: ProbeRecord, chain: TestChain): void {
  const sent = r.tls!.chain.map((c) => Buffer.from(c, 'base64'));
  expect(sent[0]!.equals(chain.leaf.der)).toBe(true);
  expect(sent[1]!.equals(chain.intermediate.der)).toBe(true);
}

/** A leaf and intermediate as one PEM bundle (each block on its own lines, as OpenSSL and GnuTLS need). */
export function chainPem(chain: TestChain): string {
  return [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
}

/** Start every daemon; if one fails, stop the others (by pid) before failing. */
export async function startAll<T extends { stop(): Promise<void> }>(starts: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
