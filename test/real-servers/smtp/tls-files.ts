import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateChain, type TestChain } from '@wildtls/core/testing';

export interface TlsFiles {
  chain: TestChain;
  keyFile: string;
  leafFile: string;
  /** Leaf then intermediate, the chain a server sends. */
  chainFile: string;
  /** Private key, leaf, intermediate in one file (Postfix smtpd_tls_chain_files order). */
  bundleFile: string;
}

/** A fresh root → intermediate → leaf, written where unprivileged daemon users can read them. */
export async function writeTlsFiles(dir: string, leafName: string): Promise<TlsFiles> {
  const chain = await certificateChain({ leafName });
  const files: TlsFiles = {
    chain,
    keyFile: join(dir, `${leafName}.key.pem`),
    leafFile: join(dir, `${leafName}.leaf.pem`),
    chainFile: join(dir, `${leafName}.chain.pem`),
    bundleFile: join(dir, `${leafName}.bundle.pem`),
  };
  // OpenSSL rejects concatenated PEM blocks that do not end in a newline.
  const pem = (...blocks: string[]) => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');
  writeFileSync(files.keyFile, pem(chain.leaf.keyPem));
  writeFileSync(files.leafFile, pem(chain.leaf.certPem));
  writeFileSync(files.chainFile, pem(chain.leaf.certPem, chain.intermediate.certPem));
  writeFileSync(files.bundleFile, pem(chain.leaf.keyPem, chain.leaf.certPem, chain.intermediate.certPem));
  // Test keys only: the daemons read them after dropping root.
  for (const f of [files.keyFile, files.leafFile, files.chainFile, files.bundleFile]) chmodSync(f, 0o644);
  return files;
}
