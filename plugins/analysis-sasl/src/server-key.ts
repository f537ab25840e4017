/**
 * Compact keys for "distinct server" sets: an IPv4 address and port packed
 * into one number (a million servers cost a few MB instead of a few hundred),
 * anything else as a string.
 */
export function serverKey(ip: string, port: number): number | string {
  const v4 = ipv4ToNumber(ip);
  return v4 === undefined ? `${ip}|${port}` : v4 * 65536 + port;
}

export function ipv4ToNumber(ip: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return n * 256 + part;
}

/** numerator / denominator, or null when nothing was counted. */
export function share(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/**
 * Distinct servers overall and per group (a service and port) in one map:
 * a server is almost always in one group only, so it costs one entry, not
 * one per set. Group -1 means "seen, in no group".
 */
export class ServerTally {
  private readonly first = new Map<number | string, number>();
  private readonly more = new Set<string>();

  /** Note the server; true when it is new to the group. */
  add(key: number | string, group = -1): boolean {
    const f = this.first.get(key);
    if (f === undefined) {
      this.first.set(key, group);
      return true;
    }
    if (f === group || group === -1) return false;
    if (f === -1) {
      // First seen in no group: move it into this one.
      this.first.set(key, group);
      return true;
    }
    const k = `${group}|${key}`;
    if (this.more.has(k)) return false;
    this.more.add(k);
    return true;
  }

  /** Distinct servers seen. */
  get size(): number {
    return this.first.size;
  }
}
