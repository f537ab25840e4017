import { sanitize } from '../dialog/read-reply.js';
import { recordCapabilities } from '../dialog/capability-lists.js';
import type { DialogRecord } from '../probe/dialog-context.js';
import type { PassiveInfo } from '../record/passive-schema.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeErrorReason, ProbeStatus } from '../record/status.js';
import { groupName, versionName } from '../tls/names.js';
import { helloFingerprints, isGrease } from '../tls/fingerprints.js';
import type { FollowResult } from './flow-follower.js';
import { isoTime } from './iso-time.js';

export interface PassiveService {
  name: string;
  protocolId: string;
  mode: 'starttls' | 'implicit';
}


/**
 * One record per followed connection, in the scan record's schema: `ip`/`port`
 * are the server's, `source` is "passive", and `passive` holds the client's
 * side. The status says what the connection did (counting rules in docs/records.md).
 */
export function passiveRecord(r: FollowResult, service: PassiveService, clientIp: (ip: string) => string): ProbeRecord {
  const started = isoTime(r.start.ts);
  const record: ProbeRecord = {
    ip: r.start.serverIp,
    port: r.start.serverPort,
    service: service.name,
    protocol: service.protocolId,
    mode: service.mode,
    status: 'success',
    startedAt: started,
    durationMs: Math.max(0, r.endTs - r.start.ts),
    bytesReceived: r.serverBytes,
    source: 'passive',
  };
  const passive: PassiveInfo = {
    client: { ip: clientIp(r.start.clientIp), port: r.start.clientPort },
    captureStart: started,
    captureEnd: isoTime(r.endTs),
    midStream: r.start.midStream,
    endReason: r.endReason,
  };
  if (r.gaps.client || r.gaps.server) passive.gaps = { ...r.gaps };
  const view = r.dialog?.view;
  if (view) {
    if (view.banner !== undefined) record.banner = sanitize(view.banner);
    if (view.capabilities || view.sasl) recordCapabilities(record as DialogRecord, 'beforeTls', { capabilities: view.capabilities ?? [], sasl: view.sasl ?? [] });
    if (view.startTlsOffered !== undefined || view.startTlsRequested) {
      record.starttls = {
        // A client that never asked for the capabilities (s_client -starttls pop3): a server that went ahead supports it.
        offered: view.startTlsOffered ?? view.startTlsAccepted === true,
        upgraded: view.startTlsAccepted === true,
        ...(view.startTlsReply !== undefined ? { reply: sanitize(view.startTlsReply) } : {}),
      };
    }
    passive.starttlsRequested = view.startTlsRequested;
    if (view.clientMechanism) passive.clientMechanism = sanitize(view.clientMechanism.toUpperCase(), 64);
  }
  if (r.tlsStarted) addTls(record, passive, r);
  record.status = statusOf(record, r);
  const reason = reasonOf(record, r);
  if (reason) record.error = reason;
  record.passive = passive;
  return record;
}

function addTls(record: ProbeRecord, passive: PassiveInfo, r: FollowResult): void {
  const f = r.tls;
  record.tls = f.finish();
  const ch = f.clientHello;
  if (ch) {
    passive.clientHello = {
      version: `0x${ch.legacyVersion.toString(16).padStart(4, '0')}`,
      supportedVersions: ch.supportedVersions.filter((v) => !isGrease(v)).map((v) => versionName(v) ?? `0x${v.toString(16).padStart(4, '0')}`),
      cipherSuites: ch.suites,
      ...(ch.serverName !== undefined ? { serverName: sanitize(ch.serverName, 255) } : {}),
      alpn: ch.alpn.slice(0, 16).map((a) => sanitize(a, 64)),
      groups: ch.groups.filter((g) => !isGrease(g)).map(groupName),
      signatureAlgorithms: ch.signatureAlgorithms,
      extensions: ch.extensions.map((e) => e.id),
      sessionIdLength: ch.sessionId.length,
      ticketOffered: ch.ticketOffered,
      pskOffered: ch.pskOffered,
    };
    const fp = helloFingerprints(ch);
    passive.ja3 = fp.ja3;
    passive.ja3Full = fp.ja3Full;
    passive.ja4 = fp.ja4;
  }
  if (record.tls.version) passive.resumed = f.resumed;
  if (f.tls13) passive.chainHidden = true;
  if (f.alertFrom) passive.alertFrom = f.alertFrom;
  if (record.tls.completed) passive.applicationData = f.applicationData;
}

/** What the connection did, in the one status union (see docs/records.md, "Passive records"). */
function statusOf(record: ProbeRecord, r: FollowResult): ProbeStatus {
  const tls = record.tls;
  if (tls?.completed) return 'success';
  if (passiveRefused(record)) return 'starttls-refused';
  if (!r.tlsStarted) return noTlsStatus(record, r);
  if (tls?.error) return 'tls-failed';
  return r.endReason === 'idle' || r.endReason === 'capture-end' || r.endReason === 'gap' || r.endReason === 'buffer-cap' ? 'timeout' : 'tls-failed';
}

/** The client asked for STARTTLS and the server said no (whether or not it had offered it). */
function passiveRefused(record: ProbeRecord): boolean {
  return record.starttls?.reply !== undefined && !record.starttls.upgraded;
}

/** A connection that never reached TLS. On a STARTTLS port: it stayed in the clear (starttls.offered says whether the server offered). */
function noTlsStatus(record: ProbeRecord, r: FollowResult): ProbeStatus {
  if (record.mode === 'starttls') return 'no-starttls';
  return r.endReason === 'fin' || r.endReason === 'rst' ? 'tls-failed' : 'timeout';
}

function reasonOf(record: ProbeRecord, r: FollowResult): { reason: ProbeErrorReason; message: string } | undefined {
  const tls = record.tls;
  if (record.status === 'success' || record.status === 'no-starttls') return undefined;
  if (record.status === 'starttls-refused') return { reason: 'unexpected-reply', message: 'the server refused STARTTLS' };
  if (tls?.error) return { reason: tls.error.kind === 'alert' ? 'tls-alert' : 'tls-protocol', message: tls.error.message };
  if (r.endReason === 'rst') return { reason: 'connection-reset', message: 'the connection was reset before the handshake completed' };
  if (r.endReason === 'fin') return { reason: 'connection-closed', message: 'the connection closed before the handshake completed' };
  return { reason: 'read-timeout', message: `following ended (${r.endReason}) before the handshake completed` };
}
