/**
 * Preloaded into the CLI (`node --expose-gc --import`) for the memory figure
 * only: on SIGUSR2 it runs a full GC and writes process.memoryUsage() (the
 * main thread's heap and external memory, the process's RSS) to the file
 * named by WILDTLS_BENCH_MEM. Nothing else changes in the scan.
 */
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.WILDTLS_BENCH_MEM;
if (file) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    // Written aside and renamed into place, so the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
