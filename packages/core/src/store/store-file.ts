import { open } from 'node:fs/promises';

/** DuckDB's main header: 8 bytes of checksum, then the magic "DUCK". */
const MAGIC = Buffer.from('DUCK');

/** Whether the file is a DuckDB database (by its magic bytes, whatever its name). False for a file that cannot be read. */
export async function isStoreFile(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(12), 0, 12, 0);
    return bytesRead === 12 && buffer.subarray(8, 12).equals(MAGIC);
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}
