import type { ProbeRecord } from '@wildtls/core';
export const VARIABLE_FIELDS: readonly string[];
export class RuleError extends Error {}
export interface Variation {
  ip?: string;
  port?: number;
  domain?: string;
  startedAt?: string;
  chain?: readonly string[];
  sasl?: { beforeTls?: string[]; afterTls?: string[] };
  capabilities?: { beforeTls?: string[]; afterTls?: string[] };
}
export function fixtureLibrary(): { byName: Map<string, ProbeRecord>; what: Map<string, string>; names: string[] };
export function fixtureRecord(name: string): ProbeRecord;
export function synthesize(fixture: ProbeRecord, variation: Variation): ProbeRecord;
export function leafKeyType(b64: string): string;
