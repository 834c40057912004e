// snapfleet error codes → gRPC status codes that containerd's errdefs.FromGRPC understands.
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { SnapfleetError, type ErrorCode } from '@snapfleet/contracts';
import { toGrpcError } from './grpc-errors';

describe('toGrpcError', () => {
  const cases: Array<[ErrorCode, number]> = [
    ['not_found', status.NOT_FOUND],
    ['already_exists', status.ALREADY_EXISTS],
    ['failed_precondition', status.FAILED_PRECONDITION],
    ['invalid_argument', status.INVALID_ARGUMENT],
    ['unavailable', status.UNAVAILABLE],
    ['aborted', status.ABORTED],
    ['internal', status.INTERNAL],
  ];
  it.each(cases)('%s → %i, message kept as details', (code, grpcCode) => {
    const e = toGrpcError(new SnapfleetError(code, `snapshot "k": ${code}`));
    expect(e.code).toBe(grpcCode);
    expect(e.details).toBe(`snapshot "k": ${code}`);
    expect(e.metadata?.get('snapfleet-error-code')).toEqual([code]);
  });
  it('turns anything else into INTERNAL with context', () => {
    const e = toGrpcError(new TypeError('boom'), 'Stat failed');
    expect(e.code).toBe(status.INTERNAL);
    expect(e.details).toBe('Stat failed: boom');
  });
});
