import type { Report, ReportTable } from '@wildtls/core';
import { MAX_GROUPS } from './ip-pairs.js';
import { buildPaperTables } from './paper-tables.js';
import { paperFigures } from './paper-figures.js';
import type { ReuseAggregates } from './reuse-aggregates.js';
import { buildReuseTables } from './reuse-tables.js';
import type { ReuseAnalyzerOptions } from './reuse-analyzer.js';

/** The counts beside the tables: totals and what the notes report. */
export interface ReuseCounts {
  records: number;
  internalErrors: number;
  passive: number;
  servers: number;
  withCertificate: number;
  certificates: number;
  keys: number;
  ticketKeys: number;
  chainsClassified: number;
  unparsable: number;
  classifierErrors: number;
  groupsShared: boolean;
}

/** Table V of passive records and its notes (passive-reuse.ts): built from the record stream only. */
export interface PassiveReuseReport {
  tables: ReportTable[];
  notes: string[];
}

/** The one report layout, whichever path (records streamed, or SQL on a store) counted. */
export function reuseReport(opts: ReuseAnalyzerOptions, aggregates: ReuseAggregates, c: ReuseCounts, passive?: PassiveReuseReport): Report {
  const distribution = opts.distribution ?? 'exact';
  const tables = [...buildPaperTables(aggregates, distribution), ...buildReuseTables(aggregates, distribution), ...(c.passive && passive ? passive.tables : [])];
  const notes = [
    'A certificate is the first one a server sent (its end-host certificate), identified by the SHA-256 of its DER; a key by the SHA-256 of its SubjectPublicKeyInfo.',
    'Counts are distinct IP addresses (not ip:port): per service and port for Fig. 6 and 7 (one line per port, as the study plots them), per service (any port) for Table VI and the tables beyond the study; "all" counts distinct IPs across services and ports. Every record with a certificate chain counts, whether or not its handshake completed.',
    'Fig. 6a-c and 7 are the study\'s "likelihood that a certificate (key) is used on X IPs": for each X, the share of the port\'s certificates (keys) seen on X or more IPs (a complementary CDF); the tables beyond the study give the counts on exactly X IPs and the CDF.',
    'Table VI ranks certificates by distinct IPs per protocol (service) and over all protocols, with the whole subject DN (RFC 4514 order: last RDN first; emailAddress by name as OpenSSL prints it); reused = seen on more than one IP, and the share of those that are valid is the study\'s 78% figure.',
    'A session-ticket key is the key name a ticket starts with (tls.sessionTickets[].keyName: its first 16 bytes, the key_name of RFC 5077\'s format, which OpenSSL uses); one name on several IPs means they share a ticket-encryption key. Servers with other ticket formats show a new name per ticket, so they look unshared.',
    `Validity: ${opts.classifierName}. A certificate seen with several chains takes its best class (valid over self-signed over invalid); each distinct chain is classified once, at ${opts.at ? opts.at.toISOString() : 'the scan time of its first record'}.`,
  ];
  if (c.classifierErrors) notes.push(`${c.classifierErrors} chains could not be classified (the validator failed): their certificates count as invalid unless another chain validated them.`);
  if (c.unparsable) notes.push(`${c.unparsable} certificates could not be parsed (core's strict DER reader): counted as invalid certificates with no key.`);
  if (c.groupsShared) notes.push(`More than ${MAX_GROUPS - 1} service-port pairs: the last ones share one line of Fig. 6 and 7 (service and port of the first of them).`);
  if (c.passive) notes.push(`${c.passive} passive records (source "passive", one per captured connection) are left out of the scan tables and totals.`, ...(passive?.notes ?? []));
  if (c.internalErrors) notes.push(`${c.internalErrors} records with status internal-error (a wildtls bug, not the server's doing) are left out of every count.`);
  return {
    analysis: { id: 'reuse', version: opts.version },
    countingRule: 'per-certificate',
    totals: { records: c.records, internalErrors: c.internalErrors, ...(c.passive ? { passive: c.passive } : {}), servers: c.servers, withCertificate: c.withCertificate, certificates: c.certificates, keys: c.keys, ticketKeys: c.ticketKeys, chainsClassified: c.chainsClassified },
    tables,
    figures: paperFigures(),
    notes,
  };
}
