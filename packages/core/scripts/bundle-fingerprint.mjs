// What a bundle of @wildtls/core was made from (see bundle.mjs): every .js
// file under dist/, path and content (not times: a copy of the package, as
// the registry test packs, must stay current). This runs at each start from a
// checkout: about 170 files, 0.55 MB, 2-4 ms of CPU.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .js file under dir, relative paths, sorted (no recursive readdir: Node 20.0 lacks it). */
function jsFiles(dir, prefix = '') {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...jsFiles(dir, rel));
    else if (e.name.endsWith('.js')) out.push(rel);
  }
  return out.sort();
}

/** sha256 over the path and content of each .js file under distDir; '' when there is none. */
export function distFingerprint(distDir) {
  const files = jsFiles(distDir);
  if (files.length === 0) return '';
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(`\0${rel}\0`);
    hash.update(readFileSync(join(distDir, rel)));
  }
  return hash.digest('hex');
}

/**
 * The cheap check before distFingerprint: sha256 over (path, size, mtime) of
 * the same files, stat only. Equal to the one saved at the last build or check
 * means unchanged (tsc gives every file it writes a new time); unequal means
 * "compute the content fingerprint" (a copy of the package has new times but
 * may be current).
 */
export function distStatSignature(distDir) {
  const hash = createHash('sha256');
  for (const rel of jsFiles(distDir)) {
    const st = statSync(join(distDir, rel));
    hash.update(`${rel}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest('hex');
}
