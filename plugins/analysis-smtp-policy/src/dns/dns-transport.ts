import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';

/** A resolver's answer as the analysis needs it: rcode, the AD bit, and the answer section. */
export interface DnsAnswer {
  rcode: string;
  ad: boolean;
  answers: dnsPacket.Answer[];
  authorities: dnsPacket.Answer[];
}

export interface Server {
  host: string;
  port: number;
}

/** Largest UDP answer asked for (RFC 9715's 1232) and largest TCP answer read. */
const UDP_SIZE = 1232;
const MAX_TCP = 65_535 + 2;

/** One query with the DO bit, CD as asked; RD set. */
function queryPacket(id: number, name: string, type: string, cd: boolean): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED | (cd ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ type: type as dnsPacket.RecordType, name }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_SIZE, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer],
  });
}

/** The answer if it is the reply to this query (id and question), else undefined. */
function reply(buf: Buffer, id: number, name: string, type: string): (DnsAnswer & { tc: boolean }) | undefined {
  let p: dnsPacket.DecodedPacket & { rcode?: string };
  try {
    p = dnsPacket.decode(buf) as typeof p;
  } catch {
    return undefined;
  }
  const q = p.questions?.[0];
  if (p.id !== id || p.type !== 'response' || !q || q.type !== type || q.name.toLowerCase() !== name.toLowerCase()) return undefined;
  return { rcode: p.rcode ?? 'NOERROR', ad: p.flag_ad, tc: p.flag_tc, answers: p.answers ?? [], authorities: p.authorities ?? [] };
}

function udp(server: Server, name: string, type: string, cd: boolean, timeoutMs: number): Promise<DnsAnswer & { tc: boolean }> {
  const id = randomInt(0, 65536);
  const family = server.host.includes(':') ? 'udp6' : 'udp4';
  return new Promise((resolve, reject) => {
    const sock = createSocket(family);
    let settled = false;
    const done = (err: Error | undefined, a?: DnsAnswer & { tc: boolean }) => {
      // Once only: a late error or datagram must not close the socket twice.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(a!);
    };
    const timer = setTimeout(() => done(new Error(`DNS timeout after ${timeoutMs} ms (${name} ${type})`)), timeoutMs);
    sock.on('error', (err) => done(err));
    // Anything that is not the reply to this query (stale, spoofed, garbage) is dropped; the timer bounds the wait.
    sock.on('message', (msg) => {
      const a = reply(msg, id, name, type);
      if (a) done(undefined, a);
    });
    sock.send(queryPacket(id, name, type, cd), server.port, server.host, (err) => {
      if (err) done(err);
    });
  });
}

function tcp(server: Server, name: string, type: string, cd: boolean, timeoutMs: number): Promise<DnsAnswer> {
  const id = randomInt(0, 65536);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: Error | undefined, a?: DnsAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(a!);
    };
    const timer = setTimeout(() => done(new Error(`DNS timeout after ${timeoutMs} ms over TCP (${name} ${type})`)), timeoutMs);
    sock.on('error', (err) => done(err));
    sock.on('connect', () => {
      const q = queryPacket(id, name, type, cd);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      sock.write(Buffer.concat([len, q]));
    });
    sock.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_TCP) return done(new Error('DNS answer over TCP too long'));
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length < 2 || all.length < 2 + all.readUInt16BE(0)) return;
      const a = reply(all.subarray(2, 2 + all.readUInt16BE(0)), id, name, type);
      done(a ? undefined : new Error('DNS answer over TCP does not match the query'), a);
    });
    sock.on('end', () => done(new Error('DNS connection closed before the answer')));
  });
}

/** One query over UDP, retried once on timeout, and over TCP when the answer is truncated. */
export async function query(server: Server, name: string, type: string, cd: boolean, timeoutMs: number): Promise<DnsAnswer> {
  let a: DnsAnswer & { tc: boolean };
  try {
    a = await udp(server, name, type, cd, timeoutMs);
  } catch {
    a = await udp(server, name, type, cd, timeoutMs);
  }
  if (!a.tc) return a;
  return tcp(server, name, type, cd, timeoutMs);
}
