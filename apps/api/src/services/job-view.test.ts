import { describe, expect, it } from 'vitest';
import { groupStepJobId, parseGroupStepJobId, type JobView } from '@snapfleet/contracts';
import { groupStepOutcome, groupStepView } from './job-view';

const GROUP = 'op-3f1c2a9e-8d4b-4c7a-9e21-5b6d7f8a9c0d';

const groupView = (over: Partial<JobView>): JobView => ({
  id: GROUP,
  host: 'h1',
  op: 'group',
  state: 'completed',
  attempts: 1,
  createdAt: '2026-12-06T23:00:00.000Z',
  finishedAt: '2026-12-06T23:00:01.000Z',
  ...over,
});

describe('group step job ids', () => {
  it('round-trip the group id and step', () => {
    expect(parseGroupStepJobId(groupStepJobId(GROUP, 7))).toEqual({ groupJobId: GROUP, step: 7 });
  });

  it('are not taken from keyed ids, plain job ids or steps past the largest group', () => {
    for (const id of [GROUP, `idem-${GROUP}.1`, `idem-build.1`, `${GROUP}.100`, `${GROUP}.x`, `${GROUP}.-1`, `${GROUP}#1`]) {
      expect(parseGroupStepJobId(id), id).toBeUndefined();
    }
  });
});

describe('groupStepView', () => {
  const result = { outcomes: [{ result: { removed: true } }, { error: { code: 'not_found', message: 'snapshot "x" does not exist' } }] };

  it('shows a completed group step as its own op with its own result', () => {
    const v = groupStepView(groupView({ result }), `${GROUP}.0`, 'remove', 0);
    expect(v).toEqual({ ...groupView({}), id: `${GROUP}.0`, op: 'remove', result: { removed: true } });
  });

  it('shows a step that failed in a completed group as a failed job with the step error', () => {
    const v = groupStepView(groupView({ result }), `${GROUP}.1`, 'commit', 1);
    expect(v).toMatchObject({ id: `${GROUP}.1`, op: 'commit', state: 'failed', error: { code: 'not_found' } });
    expect(v.result).toBeUndefined();
  });

  it('shows a running group as the step running, without the group progress', () => {
    const v = groupStepView(groupView({ state: 'active', progress: 40, finishedAt: undefined }), `${GROUP}.1`, 'prepare', 1);
    expect(v).toMatchObject({ id: `${GROUP}.1`, op: 'prepare', state: 'active' });
    expect(v.progress).toBeUndefined();
  });

  it('shows a failed group with the group error on every step', () => {
    const error = { code: 'unavailable' as const, message: 'redis is down' };
    expect(groupStepView(groupView({ state: 'failed', error }), `${GROUP}.0`, 'prepare', 0)).toMatchObject({ state: 'failed', error });
  });

  it('refuses a result without the step outcome as an internal error', () => {
    expect(() => groupStepOutcome({ outcomes: [] }, 0)).toThrow(/no outcome for step 0/);
    expect(() => groupStepOutcome(undefined, 0)).toThrow(/no outcome/);
  });
});
