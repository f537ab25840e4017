import { ipv4ToInt } from '../targets/ipv4.js';
import { ServerMap } from './server-set.js';

/**
 * Counting helpers every analysis needs, in one place so that "a server"
 * means the same thing in every report: an ip:port (within a group such as a
 * service and port).
 */

/**
 * Compact key for "distinct server" sets: an IPv4 address and a port of
 * 0-65535 packed into one number (a million servers cost a few MB instead of a
 * few hundred), anything else as a string. One key per (ip, port) pair: a port
 * out of range (a hostile record) is not packed, so it cannot share a number
 * with another address's port, and SQL's DISTINCT ip, port counts the same.
 */
export function serverKey(ip: string, port: number): number | string {
  const v4 = ipv4ToInt(ip);
  return v4 === undefined || !(port >= 0 && port <= 65535 && Number.isInteger(port)) ? `${ip}|${port}` : v4 * 65536 + port;
}

/** numerator / denominator, or null when nothing was counted. */
export function share(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/**
 * Distinct servers overall and per group (a service and port) in one map:
 * a server is almost always in one group only, so it costs one entry, not
 * one per set (a typed-array slot: server-set.ts). Group -1 means "seen, in
 * no group".
 */
export class ServerTally {
  private readonly first = new ServerMap();
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
