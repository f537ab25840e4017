import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes gathered before one write. */
const BUFFER_BYTES = 1 << 20;

/**
 * Lists of strings kept on disk instead of on the heap, for state an analysis
 * keeps per distinct chain or certificate but reads back rarely: ca-practice's
 * validator keeps, for every chain that found no issuer, the chain as sent
 * (base64, one to two kilobytes), to recheck it once the scan is in (under an
 * unknown root nearly every distinct chain of a scan: 1.5 GB of strings at 10M
 * records); reuse keeps each certificate's subject names for the few its
 * rankings show (issue 18). Each list goes to an anonymous temporary file
 * (unlinked as soon as it is open, so nothing is left behind, even after a
 * crash), written a megabyte at a time; get() reads one back. Ids are
 * consecutive; the file offsets sit in a Float64Array (8 bytes a list).
 */
export class StringSpill {
  private fd: number | undefined;
  private buf: Buffer | undefined;
  /** Bytes in buf not yet written; they follow `written` bytes in the file. */
  private used = 0;
  private written = 0;
  /** ends[i]: the offset after chain i (chain i starts at ends[i - 1], or 0). */
  private ends = new Float64Array(1024);
  private n = 0;

  /** @param name in the temporary directory's name (`wildtls-NAME-XXXXXX`, gone once the file is open). */
  constructor(private readonly name = 'spill') {}

  get size(): number {
    return this.n;
  }

  /** Keeps the list; its id for get(). */
  put(list: readonly string[]): number {
    const parts = list.map((c) => Buffer.from(c, 'utf8'));
    let size = 4;
    for (const p of parts) size += 4 + p.length;
    const rec = Buffer.allocUnsafe(size);
    rec.writeUInt32LE(parts.length, 0);
    let o = 4;
    for (const p of parts) {
      rec.writeUInt32LE(p.length, o);
      p.copy(rec, o + 4);
      o += 4 + p.length;
    }
    const start = this.written + this.used;
    this.buf ??= Buffer.allocUnsafe(BUFFER_BYTES);
    if (this.used + size > this.buf.length) this.flush();
    if (size > this.buf.length) this.write(rec);
    else {
      rec.copy(this.buf, this.used);
      this.used += size;
    }
    if (this.n === this.ends.length) {
      const more = new Float64Array(this.ends.length * 2);
      more.set(this.ends);
      this.ends = more;
    }
    this.ends[this.n] = start + size;
    return this.n++;
  }

  /** The list kept under `id`. */
  get(id: number): string[] {
    if (!(id >= 0 && id < this.n && Number.isInteger(id))) throw new RangeError(`string-spill: no chain ${id}`);
    const start = id === 0 ? 0 : this.ends[id - 1]!;
    const end = this.ends[id]!;
    let rec: Buffer;
    if (start >= this.written) rec = this.buf!.subarray(start - this.written, end - this.written);
    else {
      rec = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < rec.length) {
        const n = readSync(this.fd!, rec, got, rec.length - got, start + got);
        if (n === 0) throw new Error('string-spill: temporary file shorter than written');
        got += n;
      }
    }
    const count = rec.readUInt32LE(0);
    const out: string[] = [];
    let o = 4;
    for (let i = 0; i < count; i++) {
      const len = rec.readUInt32LE(o);
      out.push(rec.toString('utf8', o + 4, o + 4 + len));
      o += 4 + len;
    }
    return out;
  }

  /** Closes (and so frees) the temporary file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.buf = undefined;
    this.used = 0;
    this.written = 0;
    this.n = 0;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.write(this.buf!.subarray(0, this.used));
    this.used = 0;
  }

  private write(data: Buffer): void {
    if (this.fd === undefined) {
      const dir = mkdtempSync(join(tmpdir(), `wildtls-${this.name}-`));
      const path = join(dir, 'chains');
      this.fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      rmdirSync(dir);
    }
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.written + done);
    this.written += data.length;
  }
}
