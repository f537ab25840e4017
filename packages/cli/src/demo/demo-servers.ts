import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';

/**
 * Small, well-behaved servers for the demo scan, on 127.0.0.1 only: an SMTP
 * server that offers STARTTLS and AUTH, an IMAPS server (implicit TLS) and an
 * HTTPS server with HSTS. Each answers like a real daemon would, and each
 * connection is bounded (idle timeout, line cap).
 */
export interface DemoServer {
  service: string;
  port: number;
  close(): Promise<void>;
}

interface Tls {
  certPem: string;
  keyPem: string;
}

function listen(server: Server, service: string): Promise<DemoServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const sockets = new Set<Socket>();
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      resolve({
        service,
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}

/** Feed complete lines to `onLine`; bounded and with an idle timeout. */
function lines(sock: Socket, onLine: (line: string) => void): void {
  let buf = '';
  sock.setTimeout(10_000, () => sock.destroy());
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    if (buf.length > 8192) sock.destroy();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      onLine(l);
    }
  });
  sock.on('error', () => sock.destroy());
}

export function startDemoSmtp(tls: Tls): Promise<DemoServer> {
  const server = createServer((raw) => {
    let sock: Socket = raw;
    let secure = false;
    const ehlo = () =>
      secure
        ? '250-demo.wildtls.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n'
        : '250-demo.wildtls.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n';
    const handle = (line: string) => {
      const cmd = line.split(' ')[0]!.toUpperCase();
      if (cmd === 'EHLO') sock.write(ehlo());
      else if (cmd === 'HELO') sock.write('250 demo.wildtls.test\r\n');
      else if (cmd === 'STARTTLS' && !secure) {
        sock.write('220 2.0.0 Ready to start TLS\r\n');
        raw.removeAllListeners('data');
        const t = new TLSSocket(raw, { isServer: true, cert: tls.certPem, key: tls.keyPem });
        t.on('secure', () => {
          secure = true;
          sock = t;
          lines(t, handle);
        });
        t.on('error', () => raw.destroy());
      } else if (cmd === 'QUIT') {
        sock.end('221 2.0.0 Bye\r\n');
      } else sock.write('502 5.5.2 Error: command not recognized\r\n');
    };
    raw.write('220 demo.wildtls.test ESMTP wildtls-demo\r\n');
    lines(raw, handle);
  });
  return listen(server, 'smtp');
}

export function startDemoImaps(tls: Tls): Promise<DemoServer> {
  const server = createTlsServer({ cert: tls.certPem, key: tls.keyPem }, (sock) => {
    sock.write('* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] wildtls demo ready.\r\n');
    lines(sock, (line) => {
      const [tag, cmd] = line.split(' ');
      switch ((cmd ?? '').toUpperCase()) {
        case 'CAPABILITY':
          sock.write(`* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN\r\n${tag} OK Pre-login capabilities listed, post-login capabilities have more.\r\n`);
          break;
        case 'LOGOUT':
          sock.end(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`);
          break;
        default:
          sock.write(`${tag ?? '*'} BAD Error in IMAP command received by server.\r\n`);
      }
    });
  });
  return listen(server as unknown as Server, 'imaps');
}

export function startDemoHttps(tls: Tls): Promise<DemoServer> {
  const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    res.writeHead(200, { Server: 'wildtls-demo', 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains', 'Content-Type': 'text/plain' });
    res.end(req.method === 'HEAD' ? undefined : 'wildtls demo\n');
  });
  server.headersTimeout = 10_000;
  return listen(server as unknown as Server, 'https');
}
