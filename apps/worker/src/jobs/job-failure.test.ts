import { UnrecoverableError } from 'bullmq';
import { ERROR_CODES, SnapfleetError, decodeJobError, isRetryable } from '@snapfleet/contracts';
import { describe, expect, it } from 'vitest';
import { toJobFailure } from './job-failure';

describe('toJobFailure', () => {
  it.each(ERROR_CODES.map((code) => [code]))('%s: the class says retry or not, the message carries the typed error', (code) => {
    const err = new SnapfleetError(code, `something ${code}`, { host: 'h1', path: '/x' });
    const failure = toJobFailure(err);
    expect(failure instanceof UnrecoverableError).toBe(!isRetryable(code));
    const decoded = decodeJobError(failure.message);
    expect(decoded.code).toBe(code);
    expect(decoded.message).toBe(`something ${code}`);
    expect(decoded.details).toEqual({ host: 'h1', path: '/x' });
  });

  it('retries exactly unavailable, aborted and internal', () => {
    const retried = ERROR_CODES.filter((code) => !(toJobFailure(new SnapfleetError(code, 'x')) instanceof UnrecoverableError));
    expect(retried.sort()).toEqual(['aborted', 'internal', 'unavailable']);
  });

  it('semantic errors are UnrecoverableError, which BullMQ never retries', () => {
    for (const code of ['not_found', 'already_exists', 'failed_precondition', 'invalid_argument'] as const) {
      const failure = toJobFailure(new SnapfleetError(code, 'no'));
      expect(failure).toBeInstanceOf(UnrecoverableError);
      expect(failure.name).toBe('UnrecoverableError');
    }
  });

  it('anything that is not a SnapfleetError is internal, and retried', () => {
    const failure = toJobFailure(new TypeError('cannot read properties of undefined'));
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
    expect(decodeJobError(failure.message).code).toBe('internal');
    expect(decodeJobError(failure.message).message).toContain('cannot read properties of undefined');
    expect(decodeJobError(toJobFailure('a string').message).code).toBe('internal');
  });

  it('keeps what was thrown as the cause', () => {
    const original = new SnapfleetError('not_found', 'gone');
    expect(toJobFailure(original).cause).toBe(original);
  });
});
