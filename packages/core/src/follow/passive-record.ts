import { sanitize } from '../dialog/read-reply.js';
import { recordCapabilities } from '../dialog/capability-lists.js';
import type { DialogRecord } from '../probe/dialog-context.js';
import type { PassiveInfo } from '../record/passive-schema.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeErrorReason, ProbeStatus } from '../record/status.js';
import { setRecordLine } from '../record/record-line.js';
import type { FollowResult } from './flow-follower.js';
import { isoTime } from './iso-time.js';
import { putHello } from './passive-hello.js';
import { tlsParts } from './passive-tls.js';

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
  if (r.gaps.client || r.gaps.server) passive.gaps = { client: r.gaps.client, server: r.gaps.server };
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
  const hello = r.tlsStarted ? addTls(record, passive, r, view !== undefined) : undefined;
  record.status = statusOf(record, r);
  const reason = reasonOf(record, r);
  if (reason) record.error = reason;
  if (hello) setRecordLine(record, lineOf(record, passive, hello));
  record.passive = passive;
  return record;
}

/** The JSON text of a record's ClientHello part, and of what comes before it when a dialog made that part of the record. */
interface HelloText {
  /** `"clientHello":{...},"ja3":...,"ja3Full":...,"ja4":...`, in pieces */
  json: string[];
  /** With a dialog: `passive` as JSON when it had its keys before clientHello only. */
  passiveHead?: string;
}

const q = JSON.stringify;
/** A number as JSON.stringify writes it. */
const num = (n: number): string => (Number.isFinite(n) ? `${n}` : 'null');
/** JSON texts of the words a record repeats (service, protocol, mode, status, source, end reason; bounded). */
const words = new Map<string, string>();
function word(s: string): string {
  let t = words.get(s);
  if (t === undefined) {
    if (words.size >= 256) words.clear();
    words.set(s, (t = q(s)));
  }
  return t;
}

/** A string's JSON text, the last one remembered (a client address and capture times repeat from one record to the next). */
class LastText {
  private s: string | undefined;
  private t = '';
  of(s: string): string {
    if (s !== this.s) {
      this.t = q(s);
      this.s = s;
    }
    return this.t;
  }
}
const serverText = new LastText();
const clientText = new LastText();
const startText = new LastText();
const endText = new LastText();

/**
 * The record's JSON line, JSON.stringify(record) exactly, made before `passive` is put on it (its last
 * key). Without a dialog the record's keys are the ones passiveRecord sets, in its order, and the text
 * of the envelope and of passive's head is written here; with one, it is what addTls took of them. Then
 * the ClientHello's text (mostly its shape's, remembered), and the keys that follow it.
 */
function lineOf(record: ProbeRecord, passive: PassiveInfo, hello: HelloText): string {
  // The pieces joined once (one flat string; a chain of concatenations would make a string object per piece, flattened again when written).
  const parts: string[] = [];
  if (hello.passiveHead !== undefined) {
    parts.push(q(record).slice(0, -1), ',"passive":', hello.passiveHead.slice(0, -1), ',');
  } else {
    const c = passive.client;
    const started = startText.of(record.startedAt);
    parts.push(
      '{"ip":', serverText.of(record.ip), ',"port":', num(record.port), ',"service":', word(record.service), ',"protocol":', word(record.protocol),
      ',"mode":', word(record.mode), ',"status":', word(record.status), ',"startedAt":', started, ',"durationMs":', num(record.durationMs),
      ',"bytesReceived":', num(record.bytesReceived!), ',"source":', word(record.source!), ',"tls":',
    );
    tlsParts(record.tls!, parts);
    if (record.error) parts.push(',"error":', q(record.error));
    parts.push(
      ',"passive":{"client":{"ip":', clientText.of(c.ip), ',"port":', num(c.port), '},"captureStart":', passive.captureStart === record.startedAt ? started : q(passive.captureStart),
      ',"captureEnd":', endText.of(passive.captureEnd), ',"midStream":', `${passive.midStream}`, ',"endReason":', word(passive.endReason),
    );
    if (passive.gaps) parts.push(',"gaps":{"client":', num(passive.gaps.client), ',"server":', num(passive.gaps.server), '}');
    parts.push(',');
  }
  for (let i = 0; i < hello.json.length; i++) parts.push(hello.json[i]!);
  if (passive.resumed !== undefined) parts.push(',"resumed":', `${passive.resumed}`);
  if (passive.chainHidden !== undefined) parts.push(',"chainHidden":', `${passive.chainHidden}`);
  if (passive.alertFrom !== undefined) parts.push(',"alertFrom":', q(passive.alertFrom));
  if (passive.applicationData !== undefined) parts.push(',"applicationData":', `${passive.applicationData}`);
  parts.push('}}');
  return parts.join('');
}

function addTls(record: ProbeRecord, passive: PassiveInfo, r: FollowResult, dialog: boolean): HelloText | undefined {
  const f = r.tls;
  record.tls = f.finish();
  const ch = f.clientHello;
  let hello: HelloText | undefined;
  if (ch) {
    // With a dialog, `passive` has every key that comes before clientHello now: its text is the line's.
    const passiveHead = dialog ? q(passive) : undefined;
    hello = { json: putHello(passive, ch) };
    if (passiveHead !== undefined) hello.passiveHead = passiveHead;
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
