import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { requireBinary } from '../harness/require-binary.js';
import { makePki, type TestPki } from './pki.js';
import { handshakeAndTalk } from './peer.js';

/**
 * A server that asks for a client certificate (`openssl s_server -verify 1`: asked, not required),
 * on 127.0.94.10-11. The engine answers with an empty Certificate, then its Finished over a transcript
 * that includes it: TLS 1.3 hashes the transcript once more for that Finished (the last point it is
 * needed, so the running hash is digested without a copy). The server checks that Finished before it
 * answers, so the application-data round trip is the proof.
 */
const OPENSSL = '/usr/bin/openssl';
const cells = [
  { name: 'TLS 1.3', server: [] as string[], profile: 'modern', version: 'TLSv1.3' },
  { name: 'TLS 1.2', server: ['-no_tls1_3'], profile: 'compat', version: 'TLSv1.2' },
];

describe.runIf(requireBinary(OPENSSL, 'openssl'))('a server asking for a client certificate (openssl s_server -verify 1)', () => {
  let pki: TestPki;
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    pki = makePki(tempDir('tls-client-cert'));
    cells.forEach((c, i) => {
      daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `127.0.94.${10 + i}:4433`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-cert_chain', 'ca.crt', '-www', '-quiet', '-verify', '1', ...c.server], { cwd: pki.dir }));
    });
    await Promise.all(cells.map((_, i) => waitForPort(`127.0.94.${10 + i}`, 4433)));
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (pki) removeDir(pki.dir);
  });

  cells.forEach((c, i) => {
    it(`${c.name}: an empty Certificate and a Finished the server accepts; the request is recorded`, async () => {
      const r = await handshakeAndTalk(`127.0.94.${10 + i}`, 4433, c.profile, 'GET / HTTP/1.0\r\n\r\n', /<\/HTML>/i);
      expect(r.info.error, daemons[i]!.output()).toBeUndefined();
      expect(r.info).toMatchObject({ completed: true, version: c.version, certificateRequested: true });
      expect(r.reply).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      expect(r.reply).toMatch(/<\/HTML>/i);
    });
  });
});
