import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** A recorded exchange: what the server sent, what the client sent, where TLS began. */
export type TranscriptStep = { server: string } | { client: string } | { tls: true };

export interface Transcript {
  source: string;
  steps: TranscriptStep[];
}

/**
 * Record one STARTTLS SMTP exchange with a real server, as the plugin runs it
 * (banner, EHLO, STARTTLS, EHLO after TLS, QUIT), for replay in unit tests.
 * Server replies are kept byte for byte (CRLF included).
 */
export async function recordSmtpTranscript(host: string, port: number, ehloName: string, source: string): Promise<Transcript> {
  const steps: TranscriptStep[] = [];
  let sock: Socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
  let reader = replyReader(sock);
  const reply = async () => steps.push({ server: await reader.next() });
  const send = (line: string) => {
    steps.push({ client: line });
    sock.write(`${line}\r\n`);
  };
  try {
    await reply();
    send(`EHLO ${ehloName}`);
    await reply();
    send('STARTTLS');
    await reply();
    steps.push({ tls: true });
    reader.stop();
    sock = await new Promise<Socket>((resolve, reject) => {
      const t = tlsConnect({ socket: sock, rejectUnauthorized: false }, () => resolve(t));
      t.once('error', reject);
    });
    reader = replyReader(sock);
    send(`EHLO ${ehloName}`);
    await reply();
    send('QUIT');
    await reply();
  } finally {
    sock.destroy();
  }
  return { source, steps };
}

function replyReader(sock: Socket) {
  let buf = '';
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    wake?.();
  };
  const onEnd = () => {
    failed = new Error('server closed the connection');
    wake?.();
  };
  sock.on('data', onData);
  sock.on('end', onEnd);
  return {
    async next(): Promise<string> {
      const deadline = Date.now() + 5000;
      for (;;) {
        // A reply is complete at the first line whose fourth byte is not '-'.
        const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(buf);
        if (m) {
          buf = buf.slice(m[0].length);
          return m[0];
        }
        if (failed) throw failed;
        if (Date.now() > deadline) throw new Error(`no complete reply in 5 s; got ${JSON.stringify(buf)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 100);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
    },
    stop() {
      sock.off('data', onData);
      sock.off('end', onEnd);
    },
  };
}
