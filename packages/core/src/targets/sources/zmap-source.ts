import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { parseCidr } from '../address-set.js';
import type { Exclusions } from '../blocklist.js';
import { fingerprintOf, readLines } from '../source-context.js';
import type { TargetInput, TargetSource, TargetSourceStats, TargetStreamOptions } from '../target-source.js';

export interface ZmapSourceOptions {
  /** File to read ("-" or unset = stdin). */
  input?: string;
  stdin?: Readable;
  shards: number;
  shard: number;
  exclusions: Exclusions;
  logger: Logger;
}

const ADDRESS_COLUMNS = ['saddr', 'ip', 'address', 'addr'];
const PORT_COLUMNS = ['sport', 'port'];

/**
 * zmap's output, streamed: one address per line, or CSV with a header
 * (`zmap -O csv -f saddr,sport,success`); the port comes from the sport column
 * when present and rows with success=0 are dropped. zmap has already permuted
 * the addresses, so lines are taken in order; line k goes to shard k mod N.
 * Position: the data line's index.
 */
export class ZmapTargetSource implements TargetSource {
  private excluded = 0;
  private invalid = 0;

  constructor(private readonly opts: ZmapSourceOptions) {}

  stats(): TargetSourceStats {
    return { excluded: this.excluded, invalid: this.invalid };
  }

  fingerprint(): string {
    return fingerprintOf({ source: 'zmap', input: this.opts.input ?? '-', shards: this.opts.shards, shard: this.opts.shard });
  }

  async *targets(options: TargetStreamOptions = {}): AsyncGenerator<TargetInput> {
    const from = options.from ?? 0;
    let header: { ip: number; port: number; success: number } | undefined;
    let first = true;
    let index = -1;
    for await (const line of readLines(this.opts.input ?? '-', this.opts.stdin)) {
      if (first) {
        first = false;
        const cols = line.split(',').map((c) => c.trim().toLowerCase());
        if (!parseCidr(cols[0]!) && cols.some((c) => ADDRESS_COLUMNS.includes(c))) {
          header = {
            ip: cols.findIndex((c) => ADDRESS_COLUMNS.includes(c)),
            port: cols.findIndex((c) => PORT_COLUMNS.includes(c)),
            success: cols.indexOf('success'),
          };
          continue;
        }
      }
      index++;
      if (index % this.opts.shards !== this.opts.shard) continue;
      const position = Math.floor(index / this.opts.shards);
      if (position < from) continue;
      const fields = header ? line.split(',') : [line];
      const ip = fields[header?.ip ?? 0]?.trim() ?? '';
      if (header && header.success >= 0 && /^(0|false)$/i.test(fields[header.success]?.trim() ?? '')) continue;
      const parsed = parseCidr(ip);
      if (!parsed || ip.includes('/')) {
        this.invalid++;
        this.opts.logger.warn({ line: index + 1, text: line.slice(0, 100) }, 'zmap input: not an address; skipped');
        continue;
      }
      let port: number | undefined;
      if (header && header.port >= 0) {
        port = Number(fields[header.port]);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          this.invalid++;
          this.opts.logger.warn({ line: index + 1, text: line.slice(0, 100) }, 'zmap input: bad port; skipped');
          continue;
        }
      }
      const canonical = parsed[0].toString();
      if (this.opts.exclusions.excludes(canonical)) this.excluded++;
      else yield port ? { ip: canonical, port, position } : { ip: canonical, position };
    }
  }
}
