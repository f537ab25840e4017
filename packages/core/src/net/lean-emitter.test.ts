import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LeanEmitter } from './lean-emitter.js';

/*
 * LeanEmitter against node's own EventEmitter, the behaviour it claims: the same script of adds,
 * removals (during emits too), once() and emits, run on both, must give the same calls in the same
 * order, the same listener counts and the same emit() results.
 */
type Listener = (...args: unknown[]) => void;
interface Emitter {
  on(event: string, l: Listener): unknown;
  once(event: string, l: Listener): unknown;
  off(event: string, l: Listener): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  removeAllListeners(event?: string): unknown;
}

function script(e: Emitter): string[] {
  const log: string[] = [];
  const l = (name: string) => (...args: unknown[]) => void log.push(`${name}(${args.join(',')})`);
  const a = l('a');
  const b = l('b');
  const c = l('c');
  for (const event of ['data', 'end', 'close', 'error', 'drain', 'custom']) {
    log.push(`-- ${event}`);
    log.push(`emit none ${e.emit(event === 'error' ? 'no-error' : event, 1)}`);
    e.on(event, a);
    e.on(event, b);
    e.on(event, a);
    log.push(`count ${e.listenerCount(event)}`);
    log.push(`emit ${e.emit(event, 1, 'x')}`);
    // off() removes the last-added match only.
    e.off(event, a);
    log.push(`count ${e.listenerCount(event)}`);
    e.emit(event, 2);
    // A listener removed during an emit still runs in that emit; one added does not.
    const remover = () => {
      log.push('remover');
      e.off(event, b);
      e.on(event, c);
    };
    e.on(event, remover);
    e.emit(event, 3);
    e.emit(event, 4);
    e.once(event, b);
    e.emit(event, 5);
    e.emit(event, 6);
    // A once() listener is removed by the function given to once().
    e.once(event, b);
    e.off(event, b);
    e.emit(event, 7);
    e.off(event, c);
    e.off(event, remover);
    e.off(event, a);
    e.off(event, a);
    log.push(`count ${e.listenerCount(event)} emit ${e.emit(event === 'error' ? 'no-error' : event, 8)}`);
    e.removeAllListeners(event);
    // Only one listener, removed by its own call.
    const self = () => {
      log.push('self');
      e.off(event, self);
    };
    e.on(event, self);
    e.emit(event, 9);
    log.push(`count ${e.listenerCount(event)}`);
    // A lone once() listener, removed by its function.
    e.once(event, a);
    e.off(event, a);
    log.push(`count ${e.listenerCount(event)}`);
    e.emit(event === 'error' ? 'no-error' : event, 12);
    // Two listeners, either one removed.
    e.on(event, a);
    e.on(event, b);
    e.off(event, a);
    e.emit(event, 10);
    e.on(event, a);
    e.off(event, a);
    e.emit(event, 11);
    e.on(event, a);
    e.removeAllListeners(event);
    log.push(`count ${e.listenerCount(event)}`);
  }
  // `this` in a listener is the emitter.
  e.on('data', function (this: unknown) {
    log.push(`this ${this === e}`);
  });
  e.emit('data');
  e.removeAllListeners();
  log.push(`count ${e.listenerCount('data')}`);
  return log;
}

describe('LeanEmitter', () => {
  it("runs listeners as node's EventEmitter does (order, removal during emit, once, off, counts)", () => {
    const lean = script(new LeanEmitter());
    const node = script(new EventEmitter());
    expect(lean).toEqual(node);
    // The script is not trivial: every event saw its listeners run.
    expect(lean.filter((s) => s === 'remover')).toHaveLength(30);
  });

  it("throws an 'error' emitted with no listener, as EventEmitter does", () => {
    const err = new Error('boom');
    expect(() => new LeanEmitter().emit('error', err)).toThrow(err);
    expect(() => new EventEmitter().emit('error', err)).toThrow(err);
  });

  it('lists the listeners, once() ones as given', () => {
    const e = new LeanEmitter();
    const a = () => {};
    const b = () => {};
    e.on('close', a).once('close', b);
    expect(e.listeners('close')).toEqual([a, b]);
    expect(e.listeners('other')).toEqual([]);
  });

  it('hands the four stream events to its sink before the listeners, one sink at a time', () => {
    const e = new LeanEmitter();
    const log: string[] = [];
    const sink = {
      onStreamData: (c: Buffer) => void log.push(`sink data ${c.toString()}`),
      onStreamEnd: () => void log.push('sink end'),
      onStreamClose: () => void log.push('sink close'),
      onStreamError: (err: Error) => void log.push(`sink error ${err.message}`),
    };
    const other = { ...sink };
    expect(e.takeSink(sink)).toBe(true);
    expect(e.takeSink(other)).toBe(false);
    e.on('data', (c: Buffer) => void log.push(`listener data ${c.toString()}`));
    // The sink counts as a listener of each stream event (a TcpClient reads only when someone does), not of others.
    expect([e.listenerCount('data'), e.listenerCount('end'), e.listenerCount('error'), e.listenerCount('drain')]).toEqual([2, 1, 1, 0]);
    expect(e.emit('data', Buffer.from('x'))).toBe(true);
    expect(e.emit('end')).toBe(true);
    expect(e.emit('close')).toBe(true);
    // With a sink an 'error' has a taker: no throw.
    expect(e.emit('error', new Error('boom'))).toBe(true);
    expect(e.emit('drain')).toBe(false);
    e.releaseSink(other);
    e.emit('end');
    e.releaseSink(sink);
    e.emit('data', Buffer.from('y'));
    e.emit('end');
    expect(e.listenerCount('end')).toBe(0);
    expect(() => e.emit('error', new Error('unheard'))).toThrow('unheard');
    expect(e.takeSink(other)).toBe(true);
    expect(log).toEqual(['sink data x', 'listener data x', 'sink end', 'sink close', 'sink error boom', 'sink end', 'listener data y']);
  });
});
