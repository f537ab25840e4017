import { createReadStream } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import type { Logger } from 'pino';
import type { Exclusions } from './blocklist.js';
import { parseCidr } from './address-set.js';
import type { TargetInput, TargetSource, TargetSourceStats } from './target-source.js';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

export interface InlineTargetOptions {
  targets: string[];
  /** A file of targets, one per line, or "-" for stdin. */
  input?: string;
  stdin?: Readable;
  exclusions: Exclusions;
  logger: Logger;
}

/**
 * Targets named on the command line or in a file: addresses, CIDR ranges
 * (visited in order) and host names (resolved; the name travels with the
 * target). Every excluded address is counted, never yielded.
 */
export class InlineTargetSource implements TargetSource {
  private excluded = 0;
  private invalid = 0;

  constructor(private readonly opts: InlineTargetOptions) {}

  stats(): TargetSourceStats {
    return { excluded: this.excluded, invalid: this.invalid };
  }

  async *targets(): AsyncIterable<TargetInput> {
    for (const t of this.opts.targets) yield* this.expand(t);
    if (this.opts.input) {
      const stream = this.opts.input === '-' ? this.opts.stdin ?? process.stdin : createReadStream(this.opts.input);
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of lines) {
        const t = line.replace(/#.*/, '').trim();
        if (t) yield* this.expand(t);
      }
    }
  }

  private async *expand(text: string): AsyncIterable<TargetInput> {
    const cidr = parseCidr(text);
    if (cidr) {
      for (const ip of addressesOf(cidr)) {
        if (this.opts.exclusions.excludes(ip)) this.excluded++;
        else yield { ip };
      }
      return;
    }
    if (!HOSTNAME.test(text)) {
      this.invalid++;
      this.opts.logger.warn({ target: text }, 'not an address, range or host name; skipped');
      return;
    }
    let addresses: { address: string }[] = [];
    try {
      addresses = await lookup(text, { all: true });
    } catch (err) {
      this.invalid++;
      this.opts.logger.warn({ target: text, err: (err as Error).message }, 'host name did not resolve; skipped');
      return;
    }
    for (const { address } of addresses) {
      if (this.opts.exclusions.excludes(address)) this.excluded++;
      else yield { ip: address, domain: text.replace(/\.$/, '').toLowerCase() };
    }
  }
}

/** Addresses of a range, in order. IPv6 ranges are limited to /112 or smaller here. */
export function* addressesOf([net, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): Generator<string> {
  if (net.kind() === 'ipv4') {
    const base = ipaddr.IPv4.networkAddressFromCIDR(`${net.toString()}/${bits}`).toByteArray();
    const start = ((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) >>> 0;
    const count = 2 ** (32 - bits);
    for (let i = 0; i < count; i++) {
      const n = start + i;
      yield `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    }
    return;
  }
  if (bits < 112) throw new Error(`IPv6 range /${bits} is too large to enumerate; give /112 or smaller`);
  const bytes = ipaddr.IPv6.networkAddressFromCIDR(`${net.toString()}/${bits}`).toByteArray();
  const count = 2 ** (128 - bits);
  const low = (bytes[14]! << 8) | bytes[15]!;
  for (let i = 0; i < count; i++) {
    const v = low + i;
    const b = bytes.slice();
    b[14] = (v >> 8) & 255;
    b[15] = v & 255;
    yield ipaddr.fromByteArray(b).toString();
  }
}
