import { Readable } from 'node:stream';
import { readCaptureFlows, type FlowDirection, type FlowEndReason, type FlowHandler, type FlowStart, type ReadCaptureOptions } from '@wildtls/core';

/** What a test handler saw of one flow: each direction's bytes with gaps as their sizes, and the end. */
export interface SeenFlow {
  start: FlowStart;
  client: Buffer;
  server: Buffer;
  events: string[];
  end?: FlowEndReason;
  calls: number;
}

export class RecordingHandler implements FlowHandler {
  private chunks: Record<FlowDirection, Buffer[]> = { client: [], server: [] };
  constructor(readonly seen: SeenFlow) {}
  data(dir: FlowDirection, bytes: Uint8Array): void {
    if (this.seen.end) throw new Error('data after end');
    this.chunks[dir].push(Buffer.from(bytes)); // copy: the bytes are only valid during the call
    this.seen[dir] = Buffer.concat(this.chunks[dir]);
    this.seen.events.push(`${dir}:${bytes.length}`);
    this.seen.calls++;
  }
  gap(dir: FlowDirection, missing: number): void {
    if (this.seen.end) throw new Error('gap after end');
    this.seen.events.push(`${dir}:gap${missing}`);
    this.seen.calls++;
  }
  end(reason: FlowEndReason): void {
    if (this.seen.end) throw new Error('end twice');
    this.seen.end = reason;
  }
}

/** Read captures (buffers or paths) with recording handlers; the flows in order of their start. */
export async function recordFlows(inputs: Array<Buffer | string>, opts: ReadCaptureOptions = {}): Promise<{ flows: SeenFlow[]; stats: Awaited<ReturnType<typeof readCaptureFlows>> }> {
  const flows: SeenFlow[] = [];
  const list = inputs.map((b, i) => (typeof b === 'string' ? b : { name: `capture${i}`, stream: Readable.from([b]) }));
  const stats = await readCaptureFlows(list, (start) => {
    const seen: SeenFlow = { start, client: Buffer.alloc(0), server: Buffer.alloc(0), events: [], calls: 0 };
    flows.push(seen);
    return new RecordingHandler(seen);
  }, { onHandlerError: (err) => { throw err; }, ...opts });
  return { flows, stats };
}
