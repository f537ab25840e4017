// Throughput of the XMPP stream reader (our XML scanner + element trees + features parsing).
// Bounded: at most 2 s of work or 200000 streams per case. Run after building:
//   node plugins/protocol-xmpp/bench/xml-stream.mjs
import { XmlStream } from '../dist/xml-stream.js';
import { parseFeatures } from '../dist/features.js';

const HEADER = "<?xml version='1.0'?><stream:stream xml:lang='en' version='1.0' id='f0ecca99-125c-4526-85a7-086d00e98c8e' xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' from='xmpp.test'>";
const FEATURES = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms><sm xmlns='urn:xmpp:sm:3'/><register xmlns='http://jabber.org/features/iq-register'/></stream:features>";
const LIMITS = { maxDepth: 16, maxElements: 1024 };

function run(name, chunks) {
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const t0 = performance.now();
  let n = 0;
  while (n < 200_000 && performance.now() - t0 < 2000) {
    const x = new XmlStream(LIMITS);
    for (const c of chunks) for (const ev of x.feed(c)) if (ev.kind === 'element') parseFeatures(ev.element, false);
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${name}: ${Math.round(n / s)} streams/s, ${((n * bytes) / s / 1e6).toFixed(1)} MB/s (${n} streams of ${bytes} bytes in ${chunks.length} chunk(s))`);
}

const whole = Buffer.from(HEADER + FEATURES);
run('header+features, one chunk', [whole]);
run('header+features, 16-byte chunks', Array.from({ length: Math.ceil(whole.length / 16) }, (_, i) => whole.subarray(i * 16, i * 16 + 16)));
