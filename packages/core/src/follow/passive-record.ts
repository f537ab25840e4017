import { sanitize } from '../dialog/read-reply.js';
import { recordCapabilities } from '../dialog/capability-lists.js';
import type { DialogRecord } from '../probe/dialog-context.js';
import type { PassiveInfo } from '../record/passive-schema.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeErrorReason, ProbeStatus } from '../record/status.js';
import { setRecordLine } from '../record/record-line.js';
import type { FollowResult } from './flow-follower.js';
import { isoTime } from './iso-time.js';
import { helloForRecord } from './passive-hello.js';

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
  const hello = r.tlsStarted ? addTls(record, passive, r) : undefined;
  record.status = statusOf(record, r);
  const reason = reasonOf(record, r);
  if (reason) record.error = reason;
  if (hello) setRecordLine(record, lineOf(record, passive, hello));
  record.passive = passive;
  return record;
}

/**
 * The record's JSON line, JSON.stringify(record) exactly, made before `passive` is put on it (its
 * last key): the record without it as JSON, then `passive`'s head (its keys before `clientHello`,
 * kept aside by addTls), the ClientHello's text (mostly its shape's, remembered), and the keys after it.
 */
function lineOf(record: ProbeRecord, passive: PassiveInfo, hello: TlsHello): string {
  let tail = '';
  if (passive.resumed !== undefined) tail += `,"resumed":${passive.resumed}`;
  if (passive.chainHidden !== undefined) tail += `,"chainHidden":${passive.chainHidden}`;
  if (passive.alertFrom !== undefined) tail += `,"alertFrom":${JSON.stringify(passive.alertFrom)}`;
  if (passive.applicationData !== undefined) tail += `,"applicationData":${passive.applicationData}`;
  const head = JSON.stringify(record);
  return `${head.slice(0, -1)},"passive":${hello.passiveHead.slice(0, -1)},"clientHello":${hello.json}${tail}}}`;
}

/** The ClientHello's part of the record's line: `passive` before it, and its text with the fingerprints. */
interface TlsHello {
  passiveHead: string;
  json: string;
}

function addTls(record: ProbeRecord, passive: PassiveInfo, r: FollowResult): TlsHello | undefined {
  const f = r.tls;
  record.tls = f.finish();
  const ch = f.clientHello;
  let hello: TlsHello | undefined;
  if (ch) {
    // `passive` has every key that comes before clientHello now: its text is the line's.
    const passiveHead = JSON.stringify(passive);
    const h = helloForRecord(ch);
    passive.clientHello = h.clientHello;
    passive.ja3 = h.ja3;
    passive.ja3Full = h.ja3Full;
    passive.ja4 = h.ja4;
    hello = { passiveHead, json: h.json };
  }
  if (record.tls.version) passive.resumed = f.resumed;
  if (f.tls13) passive.chainHidden = true;
  if (f.alertFrom) passive.alertFrom = f.alertFrom;
  if (record.tls.completed) passive.applicationData = f.applicationData;
  return hello;
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
