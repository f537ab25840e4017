import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Connection } from '../net/connection.js';
import { readReply } from './read-reply.js';

function pair(readTimeoutMs = 300) {
  const stream = new PassThrough();
  const conn = new Connection(stream, { readTimeoutMs, maxLineBytes: 64, maxTotalBytes: 4096 });
  return { stream, conn };
}

const dash = (line: string) => line[3] !== '-';

describe('readReply', () => {
  it('takes a reply that came whole, and one split inside its lines, with the lines so far given to isLast', async () => {
    const { stream, conn } = pair();
    const seen: string[][] = [];
    stream.write('250-a\r\n250-b\r\n250 c\r\n220 next\r\n');
    expect(await readReply(conn, (l, i, lines) => (seen.push([...lines]), i === lines.length - 1 && dash(l)))).toEqual(['250-a', '250-b', '250 c']);
    expect(seen).toEqual([['250-a'], ['250-a', '250-b'], ['250-a', '250-b', '250 c']]);
    // The next reply was buffered with it: taken at once.
    expect(await readReply(conn, dash)).toEqual(['220 next']);
    setTimeout(() => stream.write('250-x\r\n25'), 20);
    setTimeout(() => stream.write('0-y\r\n250'), 40);
    setTimeout(() => stream.write(' z\r\n'), 60);
    expect(await readReply(conn, dash)).toEqual(['250-x', '250-y', '250 z']);
    conn.close();
  });

  it('gives each line that waits a whole deadline of its own (a reply slower than one deadline, line by line, is read)', async () => {
    const { stream, conn } = pair(400);
    // Four lines, each written 150 ms after the one before: 600 ms for the reply, each line well within its own 400 ms.
    const lines = ['250-a\r\n', '250-b\r\n', '250-c\r\n', '250 d\r\n'];
    const next = (i: number) => {
      stream.write(lines[i]!);
      if (i + 1 < lines.length) setTimeout(() => next(i + 1), 150);
    };
    setTimeout(() => next(0), 150);
    expect(await readReply(conn, dash)).toEqual(['250-a', '250-b', '250-c', '250 d']);
    // A line that never ends its reply: the wait for the next fails on its deadline.
    setTimeout(() => stream.write('250-e\r\n'), 50);
    await expect(readReply(conn, dash)).rejects.toMatchObject({ status: 'timeout', reason: 'read-timeout' });
    conn.close();
  });

  it('caps the lines of a reply and the bytes of each line', async () => {
    const a = pair();
    a.stream.write('250-a\r\n'.repeat(5));
    await expect(readReply(a.conn, dash, { maxLines: 5 })).rejects.toMatchObject({ reason: 'reply-too-large', message: 'reply longer than 5 lines' });
    const b = pair();
    b.stream.write('250-a\r\n250-' + 'x'.repeat(100));
    await expect(readReply(b.conn, dash)).rejects.toMatchObject({ reason: 'line-too-long' });
    // A throw from isLast rejects the read.
    const c = pair();
    c.stream.write('bad\r\n');
    await expect(
      readReply(c.conn, () => {
        throw new Error('not a reply line');
      }),
    ).rejects.toThrow('not a reply line');
    // The server's end in the middle of a reply.
    const d = pair();
    d.stream.end('250-a\r\n');
    await expect(readReply(d.conn, dash)).rejects.toMatchObject({ reason: 'connection-closed' });
  });
});
