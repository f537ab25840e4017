import { Flags } from '@oclif/core';
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import { WildtlsError } from '@wildtls/core';
import { scheduleOverrides, selectionFlags } from './schedule-flags.js';

/**
 * Flags shared by `scan` and `targets`. Every scan setting has a config key;
 * a flag, when given, overrides it (see scanOverrides).
 */
export const targetFlags = {
  protocol: Flags.string({ char: 'p', multiple: true, description: 'Service to probe (repeatable): smtp, submission, smtps, imap, imaps, pop3, pop3s, xmpp-client, xmpp-server, xmpps-client, xmpps-server, irc, ircs, https, tls.' }),
  port: Flags.string({
    multiple: true,
    description: "Port to probe (repeatable). SERVICE=PORT: that service's port (--port smtp=2525 --port imap=1143); a plain PORT replaces every service's default. Several plain ports with several services would probe every combination: that is an error pointing to SERVICE=PORT.",
  }),
  input: Flags.string({ char: 'i', description: 'Read more targets from this file, one per line ("-" for stdin).' }),
  allow: Flags.string({ multiple: true, description: 'Allow a range the default blocklist excludes (repeatable; loopback runs need 127.0.0.0/8).' }),
  ...selectionFlags,
};

/** `--set key.path=value` reaches every config key that has no flag of its own. */
export const setFlag = {
  set: Flags.string({ multiple: true, description: 'Override any config key: --set scan.maxBytes=65536 (value parsed as YAML; repeatable).' }),
};

export const tlsFlags = {
  profile: Flags.string({ description: "ClientHello profile: study (default: the study's OpenSSL 1.0.2 offer plus TLS 1.3), modern, compat, ssl3, or one defined in the config." }),
  fallback: Flags.string({ multiple: true, description: 'Profile to fall back to when the server refuses (repeatable, in order; default compat then ssl3). --fallback none: no fallback.' }),
  'observe-only': Flags.boolean({ description: "Stop after the server's first flight (census mode, no key exchange).", allowNo: true }),
  sni: Flags.boolean({ description: 'Send SNI when the target has a host name.', allowNo: true }),
  engine: Flags.string({ description: 'TLS engine: raw (wildtls) or node (stock node:tls, for comparison).', options: ['raw', 'node'] }),
};

type Parsed = Record<string, unknown>;

/** Turn parsed flags and positional targets into a config overlay. */
export function scanOverrides(flags: Parsed, targets: string[]): Record<string, unknown> {
  const scan: Parsed = {};
  if (targets.length) scan.targets = targets;
  if (flags.protocol) scan.protocols = flags.protocol;
  if (flags.port) Object.assign(scan, portOverrides(flags.port as string[], (flags.protocol as string[] | undefined) ?? []));
  if (flags.input) scan.input = flags.input;
  if (flags.allow) scan.allow = flags.allow;
  Object.assign(scan, scheduleOverrides(flags));
  const tls: Parsed = {};
  if (flags.profile) tls.profile = flags.profile;
  if (flags.fallback) tls.fallback = fallbackLadder(flags.fallback as string[]);
  if (flags['observe-only'] !== undefined) tls.observeOnly = flags['observe-only'];
  if (flags.sni !== undefined) tls.sni = flags.sni;
  if (flags.engine) tls.engine = flags.engine;
  const output: Parsed = {};
  if (flags.output) output.path = flags.output;
  if (flags.gzip !== undefined) output.gzip = flags.gzip;
  const out: Parsed = {};
  if (Object.keys(scan).length) out.scan = scan;
  if (Object.keys(tls).length) out.tls = tls;
  if (Object.keys(output).length) out.output = output;
  if (flags.analysis) out.analyses = flags.analysis;
  for (const assignment of (flags.set as string[] | undefined) ?? []) applySet(out, assignment);
  return out;
}

/**
 * `--port N` and `--port SERVICE=N` -> scan.ports and scan.servicePorts.
 * `-p smtp -p imap --port 2525 --port 1143` would probe each port with each
 * service (four probes per address), rarely what is meant: refused, naming
 * the SERVICE=PORT form (the cross product stays possible via --set scan.ports).
 */
export function portOverrides(values: string[], protocols: string[]): { ports?: number[]; servicePorts?: Record<string, number[]> } {
  const ports: number[] = [];
  const servicePorts: Record<string, number[]> = {};
  for (const v of values) {
    const m = /^(?:([a-z0-9][a-z0-9-]*)=)?(\d+)$/i.exec(v.trim());
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port >= 1 && port <= 65535) || /^0/.test(m[2]!)) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `--port ${v}: expected PORT or SERVICE=PORT with a port 1-65535 (e.g. --port 2525 or --port smtp=2525)`);
    }
    if (m[1]) {
      const service = m[1].toLowerCase();
      if (protocols.length && !protocols.includes(service)) {
        throw new WildtlsError('WILDTLS_ERR_USAGE', `--port ${v}: ${service} is not among the scanned protocols (${protocols.join(', ')}); add -p ${service}`);
      }
      (servicePorts[service] ??= []).push(port);
    } else ports.push(port);
  }
  const unpinned = protocols.filter((p) => !servicePorts[p]);
  if (ports.length > 1 && unpinned.length > 1) {
    const pairs = unpinned.slice(0, ports.length).map((p, i) => `--port ${p}=${ports[i]}`).join(' ');
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--port ${ports.join(' --port ')} with ${unpinned.map((p) => `-p ${p}`).join(' ')} would probe every port with every service (${ports.length * unpinned.length} probes per address); for one port per service use ${pairs}; for every combination, --set scan.ports=[${ports.join(',')}]`);
  }
  return { ...(ports.length ? { ports } : {}), ...(Object.keys(servicePorts).length ? { servicePorts } : {}) };
}

/** `--fallback none` switches the ladder off; otherwise the profiles in the order given. */
export function fallbackLadder(values: string[]): string[] {
  if (!values.includes('none')) return values;
  if (values.length > 1) throw new WildtlsError('WILDTLS_ERR_USAGE', '--fallback none switches fallback off and cannot be combined with profiles');
  return [];
}

/** Apply one `key.path=value` assignment onto an overlay object. */
export function applySet(overlay: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new WildtlsError('WILDTLS_ERR_USAGE', `--set ${assignment}: expected key.path=value`);
  const path = assignment.slice(0, eq).split('.');
  let value: unknown;
  try {
    // yaml loads on the first --set, not at every command's start-up.
    value = (createRequire(import.meta.url)('yaml') as typeof YamlModule).parse(assignment.slice(eq + 1));
  } catch {
    value = assignment.slice(eq + 1);
  }
  let node = overlay;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
