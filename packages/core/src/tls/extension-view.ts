import type { Extension } from './server-messages.js';

/**
 * An extension of a hello read with plain offsets: its id, and a view of its bytes made when asked
 * for (most are never read: a view per extension was a good part of following a handshake's CPU).
 */
export class ExtensionView implements Extension {
  /** `at`, `end`: where the extension's bytes are in `body` (the hello). */
  constructor(readonly id: number, private readonly body: Buffer, readonly at: number, readonly end: number) {}

  get data(): Buffer {
    return this.body.subarray(this.at, this.end);
  }
}

/** Extension ids of the block being read (bit per id), cleared after each (reading is synchronous). */
const blockIds = new Uint32Array(65536 / 32);

/**
 * The extension block (2-byte length, then id, 2-byte length and bytes of each) at `p` in `b`,
 * which must end exactly at b's end, read with plain offsets; undefined when it does not read
 * whole so (a length past its bounds, trailing bytes, a repeated id): the caller then reads the
 * message with the checked reader (parseExtensions), which fails it with its error.
 */
export function readExtensionBlock(b: Buffer, p: number): ExtensionView[] | undefined {
  const n = b.length;
  if (p + 2 > n || p + 2 + ((b[p]! << 8) | b[p + 1]!) !== n) return undefined;
  const extensions: ExtensionView[] = [];
  let q = p + 2;
  while (q + 4 <= n) {
    const id = (b[q]! << 8) | b[q + 1]!;
    const dataEnd = q + 4 + ((b[q + 2]! << 8) | b[q + 3]!);
    if (dataEnd > n) break;
    const word = id >>> 5;
    const bit = 1 << (id & 31);
    if (blockIds[word]! & bit) break; // a repeat
    blockIds[word] = blockIds[word]! | bit;
    extensions.push(new ExtensionView(id, b, q + 4, dataEnd));
    q = dataEnd;
  }
  for (const e of extensions) blockIds[e.id >>> 5] = 0;
  return q === n ? extensions : undefined;
}
