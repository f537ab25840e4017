// What a bundle of @wildtls/core was made from (see bundle.mjs): every .js
// file under dist/ by path, size and modification time. Stat only, no reads:
// this runs at each start from a checkout (about 150 files, 1-2 ms), and tsc
// gives every file it writes a new time, so any change of dist/ changes it.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
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

/** sha256 over (path, size, mtime) of each .js file under distDir; '' when there is none. */
export function distFingerprint(distDir) {
  const files = jsFiles(distDir);
  if (files.length === 0) return '';
  const hash = createHash('sha256');
  for (const rel of files) {
    const st = statSync(join(distDir, rel));
    hash.update(`${rel}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest('hex');
}
