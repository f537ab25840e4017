import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import ipaddr from 'ipaddr.js';

/** A zone for the test responder: names to A, AAAA and MX data. */
export type Zone = Record<string, { A?: string[]; AAAA?: string[]; MX?: Array<[number, string]> }>;

export interface DnsResponder {
  server: string;
  /** Queries received, as "TYPE name". */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, 'A' | 'AAAA' | 'MX'> = { 1: 'A', 28: 'AAAA', 15: 'MX' };

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}

function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let o = offset;
  while (msg[o]! !== 0) {
    const len = msg[o]!;
    labels.push(msg.subarray(o + 1, o + 1 + len).toString());
    o += 1 + len;
  }
  return [labels.join('.').toLowerCase(), o + 1];
}

/** A tiny authoritative UDP DNS server on loopback for tests (A, AAAA, MX; NXDOMAIN for unknown names). */
export async function startDnsResponder(zone: Zone, host = '127.0.30.53'): Promise<DnsResponder> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    const type = TYPES[qtype];
    queries.push(`${type ?? qtype} ${name}`);
    const entry = zone[name];
    const answers: Buffer[] = [];
    if (entry && type) {
      for (const value of (entry[type] ?? []) as Array<string | [number, string]>) {
        let rdata: Buffer;
        if (type === 'MX') {
          const [pref, exchange] = value as [number, string];
          const p = Buffer.alloc(2);
          p.writeUInt16BE(pref);
          rdata = Buffer.concat([p, encodeName(exchange)]);
        } else {
          rdata = Buffer.from(ipaddr.parse(value as string).toByteArray());
        }
        const rr = Buffer.alloc(12);
        rr.writeUInt16BE(0xc00c, 0);
        rr.writeUInt16BE(qtype, 2);
        rr.writeUInt16BE(1, 4);
        rr.writeUInt32BE(300, 6);
        rr.writeUInt16BE(rdata.length, 10);
        answers.push(rr, rdata);
      }
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(entry ? 0x8580 : 0x8583, 2); // QR AA RD RA; rcode 3 = NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length / 2, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, end + 4), ...answers]), rinfo.port, rinfo.address);
  });
  socket.bind(0, host);
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    server: `${host}:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
