/**
 * The slow server of the memory figure (a child of bench/scan-vs-go.mjs):
 * listens on every host and port given, and holds each connection open and
 * silent, so probes stay in flight until their read deadline. On the banner
 * ports it first sends an SMTP banner (the probe then waits for the reply to
 * EHLO); on the others it sends nothing (a TLS probe waits for the
 * ServerHello). Bounded: every connection is closed after 120 s, at most
 * 20,000 are held. Answers the parent's "count" with the connections open.
 *
 *   node hold-server.mjs <hosts,...> <banner ports,...> <silent ports,...>
 */
import { createServer } from 'node:net';

const [hosts, bannerPorts, silentPorts] = process.argv.slice(2).map((a) => (a ? a.split(',') : []));
const open = new Set();
for (const [ports, banner] of [[bannerPorts, true], [silentPorts, false]]) {
  for (const port of ports) {
    for (const host of hosts) {
      createServer((s) => {
        if (open.size >= 20000) return s.destroy();
        open.add(s);
        s.on('error', () => {});
        s.on('close', () => open.delete(s));
        s.resume(); // read and drop what the client sends
        s.setTimeout(120000, () => s.destroy());
        if (banner) s.write('220 hold.wildtls.test ESMTP\r\n');
      }).listen(Number(port), host);
    }
  }
}
process.on('message', () => process.send({ open: open.size }));
process.on('SIGTERM', () => process.exit(0));
