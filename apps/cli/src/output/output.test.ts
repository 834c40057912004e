// Human output: aligned tables, the ASCII snapshot tree, sizes and ages, and keys that must not
// drive the terminal.
import { describe, expect, it } from 'vitest';
import type { SnapshotInfo } from '@snapfleet/contracts';
import { buildForest, renderForest } from './forest';
import { escapeUnsafe, printable } from './printable';
import { renderFields, renderTable } from './table';
import { formatAge, formatBytes } from './units';

const snap = (name: string, kind: SnapshotInfo['kind'], parent?: string): SnapshotInfo => ({
  name,
  kind,
  ...(parent === undefined ? {} : { parent }),
  labels: {},
  created: '2025-01-01T00:00:00Z',
  updated: '2025-01-01T00:00:00Z',
});

describe('tables', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(renderTable(['KEY', 'KIND'], [['a-long-key', 'active'], ['b', 'view']])).toBe('KEY          KIND\na-long-key   active\nb            view\n');
    expect(renderFields([['name', 'x'], ['label', 'a=1'], ['label', 'b=2']])).toBe('name    x\nlabel   a=1\nlabel   b=2\n');
  });
});

describe('tree', () => {
  it('draws parents above their children, sorted, with ASCII connectors', () => {
    const forest = buildForest([
      snap('w2', 'active', 'l1'),
      snap('base', 'committed'),
      snap('l1', 'committed', 'base'),
      snap('w1', 'active', 'l1'),
      snap('v', 'view', 'base'),
      snap('other', 'active'),
      snap('stray', 'active', 'not-listed'),
    ]);
    expect(renderForest(forest)).toBe(
      ['base (committed)', '|-- l1 (committed)', '|   |-- w1 (active)', '|   `-- w2 (active)', '`-- v (view)', 'other (active)', 'stray (active)', ''].join('\n'),
    );
    expect(renderForest([])).toBe('');
  });
});

describe('units', () => {
  it('formats sizes in IEC units and ages relative to now', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
    expect(formatBytes(200 * 1024 ** 2)).toBe('200 MiB');
    const now = Date.parse('2025-01-01T00:10:00Z');
    expect(formatAge('2025-01-01T00:09:58.500Z', now)).toBe('1.5s ago');
    expect(formatAge('2025-01-01T00:05:00Z', now)).toBe('5m ago');
    expect(formatAge(null, now)).toBe('never');
  });
});

describe('printable', () => {
  it('leaves ordinary keys alone, quotes and escapes the ones with control or bidi characters', () => {
    expect(printable('extract-1 sha256:ab')).toBe('extract-1 sha256:ab');
    expect(printable('日本語')).toBe('日本語');
    expect(printable('a\x1b[31mred')).toBe('"a\\u001b[31mred"');
    expect(printable('line\nbreak "q"')).toBe('"line\\nbreak \\"q\\""');
    expect(printable('evil\u202egnp.exe')).toBe('"evil\\u202egnp.exe"');
    expect(escapeUnsafe('snapshot "a\x07" not found')).toBe('snapshot "a\\u0007" not found');
  });
});
