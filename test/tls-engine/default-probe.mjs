// One probe through the kernel's real path (runProbe) with the settings `wildtls scan`
// builds from an empty config: the default profile (study) and the default fallback
// ladder. The dialog sends a GET and reads the status line and the rest of the page,
// so each cell proves an application-data round trip.
// Run as a script (`node [--openssl-legacy-provider] default-probe.mjs IP PORT`) it
// prints the record as JSON: the tests run it in a child Node started with the
// legacy provider to see what such a process completes.
import { RawTlsEngine, probeSettingsFromConfig, resolveProfile, runProbe, silentLogger, validateConfig } from '@wildtls/core';
import { fileURLToPath } from 'node:url';

const getDialog = async (ctx) => {
  await ctx.conn.write('GET / HTTP/1.0\r\n\r\n');
  ctx.record.banner = await ctx.conn.readLine();
  let page = '';
  // The whole page, bounded by the connection's byte cap and read deadline; the server closes after it.
  try {
    for (let i = 0; i < 64; i++) page += (await ctx.conn.readChunk()).toString('latin1');
  } catch {
    // end of stream
  }
  ctx.record.page = page.slice(0, 65536);
  return 'success';
};

const spec = { name: 'https-get', defaultPort: 443, mode: 'implicit', description: 'GET / over implicit TLS', dialog: getDialog };

export async function probeWithDefaults(ip, port) {
  const config = validateConfig({}, []);
  const settings = probeSettingsFromConfig(config, (name, c) => resolveProfile(name, c.tls.profiles));
  return runProbe({ target: { ip, port, service: 'https-get' }, protocolId: 'https-get', spec, options: {} }, new RawTlsEngine(), settings, silentLogger());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [ip, port] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await probeWithDefaults(ip, Number(port))));
}
