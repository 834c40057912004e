// The progress indicator: redrawn in place on a terminal, plain lines elsewhere, nothing when off.
import { describe, expect, it } from 'vitest';
import type { JobView } from '@snapfleet/contracts';
import { createProgress, progressBar } from './progress';

const job = (state: JobView['state'], progress?: number): JobView => ({
  id: 'op-1',
  host: 'h1',
  op: 'prepare',
  state,
  attempts: 0,
  createdAt: '2025-01-01T00:00:00Z',
  ...(progress === undefined ? {} : { progress }),
});

function stream(isTTY: boolean) {
  let text = '';
  return { s: { isTTY, columns: 60, write: (c: string) => (text += c) }, text: () => text };
}

describe('progress', () => {
  it('writes one line per change when stderr is not a terminal', () => {
    const out = stream(false);
    const p = createProgress(out.s, 'prepare job op-1');
    p.update(job('waiting'));
    p.update(job('waiting'));
    p.update(job('active', 40));
    p.update(job('completed', 100));
    p.done();
    expect(out.text()).toBe('prepare job op-1: waiting\nprepare job op-1: active 40%\nprepare job op-1: completed\n');
  });

  it('redraws one line with a bar on a terminal and clears it when done', () => {
    const out = stream(true);
    const p = createProgress(out.s, 'job op-1');
    expect(out.text()).toBe(''); // nothing until there is a job to show
    p.update(job('active', 50));
    p.done();
    expect(out.text()).toBe(`\r\x1b[2K| job op-1: active 50% ${progressBar(50)}\r\x1b[2K`);
    expect(progressBar(50, 10)).toBe('[#####.....]');
  });

  it('is silent when disabled (-q)', () => {
    const out = stream(true);
    const p = createProgress(out.s, 'x', false);
    p.update(job('active', 1));
    p.done();
    expect(out.text()).toBe('');
  });
});
