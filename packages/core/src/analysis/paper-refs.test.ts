import { describe, expect, it } from 'vitest';
import { compareRefs, covers, parseRef } from './paper-refs.js';

describe('paper refs', () => {
  it('parses the study\'s labels, ranges and sub-figures', () => {
    expect(parseRef('Table I')).toEqual({ kind: 'table', from: [1, 0], to: [1, 0] });
    expect(parseRef('Table XIII')).toEqual({ kind: 'table', from: [13, 0], to: [13, 0] });
    expect(parseRef('Tables VIII-XI')).toEqual({ kind: 'table', from: [8, 0], to: [11, 0] });
    expect(parseRef('Tables XII\u2013XIII')).toEqual({ kind: 'table', from: [12, 0], to: [13, 0] });
    expect(parseRef('Fig. 3')).toEqual({ kind: 'figure', from: [3, 0], to: [3, Infinity] });
    expect(parseRef('Fig. 6b')).toEqual({ kind: 'figure', from: [6, 2], to: [6, 2] });
    expect(parseRef('Figs. 6a-c')).toEqual({ kind: 'figure', from: [6, 1], to: [6, 3] });
    expect(parseRef('Figs. 6a-6c')).toEqual({ kind: 'figure', from: [6, 1], to: [6, 3] });
    expect(parseRef('Figs. 4-5')).toEqual({ kind: 'figure', from: [4, 0], to: [5, Infinity] });
    expect(parseRef('Text: certificate chains').kind).toBe('text');
  });

  it('calls anything else other: not Roman, reversed ranges, dangling dashes, prose', () => {
    for (const ref of ['Table IIII', 'Table VX', 'Tables XI-VIII', 'Figs. 6c-a', 'Fig. 6-', 'Sec. IV-B', 'table i', '', 'x'.repeat(300)]) {
      expect(parseRef(ref).kind, ref).toBe('other');
    }
  });

  it('a ref covers the labels inside its range only', () => {
    const label = (s: string) => parseRef(s);
    expect(covers(parseRef('Tables VIII-XI'), label('Table IX'))).toBe(true);
    expect(covers(parseRef('Tables VIII-XI'), label('Table XII'))).toBe(false);
    expect(covers(parseRef('Fig. 6'), label('Fig. 6c'))).toBe(true);
    expect(covers(parseRef('Figs. 6a-b'), label('Fig. 6c'))).toBe(false);
    expect(covers(parseRef('Fig. 6a'), label('Fig. 6a'))).toBe(true);
    expect(covers(parseRef('Table VI'), label('Fig. 6a'))).toBe(false);
    expect(covers(parseRef('Text: Table I'), label('Table I'))).toBe(false);
  });

  it('orders tables, then figures, then text statistics, then anything else alphabetically', () => {
    const shuffled = ['Zeta', 'Fig. 7', 'Text: b', 'Table XIII', 'Fig. 6a', 'Tables VIII-XI', 'Fig. 6', 'Text: a', 'Table IV', 'Alpha', 'Fig. 10', 'Table I', 'Table VIII'];
    expect([...shuffled].sort(compareRefs)).toEqual(['Table I', 'Table IV', 'Table VIII', 'Tables VIII-XI', 'Table XIII', 'Fig. 6', 'Fig. 6a', 'Fig. 7', 'Fig. 10', 'Text: a', 'Text: b', 'Alpha', 'Zeta']);
  });
});
