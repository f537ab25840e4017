import type { ByteStream } from './byte-stream.js';
import { LeanEmitter, type StreamSink } from './lean-emitter.js';

/** A sink's handlers as listeners, for a stream that takes no sink (node:net, node:tls, any other ByteStream). */
export interface SinkListeners {
  data: (chunk: Buffer) => void;
  end: () => void;
  close: () => void;
  error: (err: Error) => void;
}

/**
 * Hear `stream` as `sink`: by its sink slot when it is a core LeanEmitter whose slot is free (nothing
 * is made, nothing added; undefined is returned), else by listeners, returned for stopHearing(). A
 * caller that hears one stream after another may hand back the listeners it was given, to make them
 * once. 'data' is added last: a stream's first 'data' listener may resume it, and what it holds may
 * fail it at once (an 'error' then, which must have its listener).
 */
export function hearStream(stream: ByteStream, sink: StreamSink, made?: SinkListeners): SinkListeners | undefined {
  if (stream instanceof LeanEmitter && stream.takeSink(sink)) return undefined;
  const l = made ?? sinkListeners(sink);
  stream.on('end', l.end);
  stream.on('close', l.close);
  stream.on('error', l.error);
  stream.on('data', l.data);
  return l;
}

/**
 * Stop hearing `stream` as hearStream() began: free its sink slot, or remove the listeners. With
 * `keepError`, the 'error' listener stays (a stream closing in the background may still emit one,
 * which with no listener would crash the scanner).
 */
export function stopHearing(stream: ByteStream, sink: StreamSink, listeners: SinkListeners | undefined, keepError = false): void {
  if (listeners === undefined) {
    if (stream instanceof LeanEmitter) stream.releaseSink(sink);
    return;
  }
  stream.off('data', listeners.data);
  stream.off('end', listeners.end);
  stream.off('close', listeners.close);
  if (!keepError) stream.off('error', listeners.error);
}

function sinkListeners(sink: StreamSink): SinkListeners {
  return {
    data: (chunk: Buffer) => sink.onStreamData(chunk),
    end: () => sink.onStreamEnd(),
    close: () => sink.onStreamClose(),
    error: (err: Error) => sink.onStreamError(err),
  };
}
