import { readFileSync } from 'node:fs';
import type { ScriptStep } from '@wildtls/core/testing';

/** A transcript captured from a real server (see test/real-servers/dovecot/capture-transcripts.mjs). */
export interface Transcript {
  description: string;
  source: string;
  service: string;
  steps: ScriptStep[];
}

export function loadTranscript(name: string): Transcript {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Transcript;
}

/** The lines a replayed client sent: the `expect` steps of a transcript. */
export function expectedCommands(t: Transcript): string[] {
  return t.steps.flatMap((s) => ('expect' in s ? [String(s.expect)] : []));
}
