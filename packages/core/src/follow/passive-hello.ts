import { sanitize } from '../dialog/read-reply.js';
import type { PassiveInfo } from '../record/passive-schema.js';
import type { ClientHello } from '../tls/client-hello-parse.js';
import { HelloShapes, isGrease, ja3, ja4 } from '../tls/fingerprints.js';
import { groupName, versionName } from '../tls/names.js';

type RecordHello = NonNullable<PassiveInfo['clientHello']>;

/**
 * What a ClientHello shape gives its records (the same for every hello of the shape): the lists made
 * of it, frozen because every record of the shape holds the same arrays, its JA3 and JA4, and the JSON
 * text of the record's `clientHello` around the fields each connection has of its own.
 */
interface HelloParts {
  version: string;
  supportedVersions: readonly string[];
  groups: readonly string[];
  extensions: readonly number[];
  alpn: readonly string[];
  ja3: string;
  ja3Full: string;
  ja4: string;
  /** `{"version":...,"supportedVersions":[...],"cipherSuites":[...]` */
  head: string;
  /** `,"alpn":[...],"groups":[...],"signatureAlgorithms":[...],"extensions":[...],"sessionIdLength":` */
  middle: string;
  /** `,"ja3":...,"ja3Full":...,"ja4":...` (after the clientHello object) */
  fingerprints: string;
}

const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;

/** A shape's parts, from the shape's fields only (HelloShapes' rule: legacy version, SNI presence, the lists). */
function partsOf(ch: ClientHello): HelloParts {
  const version = hex4(ch.legacyVersion);
  const supportedVersions: string[] = [];
  for (const v of ch.supportedVersions) if (!isGrease(v)) supportedVersions.push(versionName(v) ?? hex4(v));
  const groups: string[] = [];
  for (const g of ch.groups) if (!isGrease(g)) groups.push(groupName(g));
  const extensions = ch.extensions.map((e) => e.id);
  const alpn: string[] = [];
  for (let i = 0; i < ch.alpn.length && i < 16; i++) alpn.push(sanitize(ch.alpn[i]!, 64));
  const j3 = ja3(ch);
  const fp = { ja3: j3.hash, ja3Full: j3.full, ja4: ja4(ch) };
  return {
    version,
    supportedVersions: Object.freeze(supportedVersions),
    groups: Object.freeze(groups),
    extensions: Object.freeze(extensions),
    alpn: Object.freeze(alpn),
    ...fp,
    head: `{"version":${JSON.stringify(version)},"supportedVersions":${JSON.stringify(supportedVersions)},"cipherSuites":${JSON.stringify(ch.suites)}`,
    middle: `,"alpn":${JSON.stringify(alpn)},"groups":${JSON.stringify(groups)},"signatureAlgorithms":${JSON.stringify(ch.signatureAlgorithms)},"extensions":${JSON.stringify(extensions)},"sessionIdLength":`,
    fingerprints: `,"ja3":${JSON.stringify(fp.ja3)},"ja3Full":${JSON.stringify(fp.ja3Full)},"ja4":${JSON.stringify(fp.ja4)}`,
  };
}

const shapes = new HelloShapes<HelloParts>(undefined, undefined, partsOf);

/**
 * The record's view of a ClientHello, put on `passive` (clientHello, ja3, ja3Full, ja4); returns the
 * pieces of their JSON text as they come in `passive`: `"clientHello":{...},"ja3":...,"ja3Full":...,"ja4":...`
 * (JSON.stringify of each; the line joins the pieces once). Its shape's lists (supported versions, ALPN, groups, extension ids)
 * are shared, frozen arrays; the suites and signature algorithms are the hello's own arrays (one per
 * connection); the JSON text is the shape's, remembered, with the connection's own fields put in.
 */
export function putHello(passive: PassiveInfo, ch: ClientHello): string[] {
  const p = shapes.get(ch);
  // Keys in the order of the schema (docs/records.md): the JSON text below follows it.
  const hello = {
    version: p.version,
    supportedVersions: p.supportedVersions as string[],
    cipherSuites: ch.suites,
  } as RecordHello;
  const json = ['"clientHello":', p.head];
  if (ch.serverName !== undefined) {
    hello.serverName = sanitize(ch.serverName, 255);
    json.push(',"serverName":', JSON.stringify(hello.serverName));
  }
  hello.alpn = p.alpn as string[];
  hello.groups = p.groups as string[];
  hello.signatureAlgorithms = ch.signatureAlgorithms;
  hello.extensions = p.extensions as number[];
  hello.sessionIdLength = ch.sessionId.length;
  hello.ticketOffered = ch.ticketOffered;
  hello.pskOffered = ch.pskOffered;
  passive.clientHello = hello;
  passive.ja3 = p.ja3;
  passive.ja3Full = p.ja3Full;
  passive.ja4 = p.ja4;
  json.push(p.middle, `${hello.sessionIdLength}`, hello.ticketOffered ? ',"ticketOffered":true' : ',"ticketOffered":false', hello.pskOffered ? ',"pskOffered":true}' : ',"pskOffered":false}', p.fingerprints);
  return json;
}
