// The HTTP layer's pure parts: which methods a path has, request id hygiene, how errors
// become problems, and the JSON form idempotency compares.
import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { notFound } from '@snapfleet/contracts';
import { canonicalJson } from '../util/canonical-json';
import { problemFor } from './problems';
import { sanitizeRequestId } from './request-id';
import { allowedMethods, nestPath } from './route-table';

const ctx = { method: 'GET', url: '/v1/x?y=1', requestId: 'r1' };

describe('route table', () => {
  it('turns templates into find-my-way paths', () => {
    expect(nestPath({ method: 'GET', path: '/v1/jobs/{host}/{jobId}', summary: '', status: 200 })).toBe('/v1/jobs/:host/:jobId');
  });

  it('lists the methods of a path, HEAD with GET, none for a path no route has', () => {
    expect(allowedMethods('/v1/namespaces/default/hosts/h1/snapshots/k').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
    expect(allowedMethods('/v1/namespaces/default/hosts/h1/snapshots').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods('/v1/hosts/h1/cleanup')).toEqual(['POST']);
    expect(allowedMethods('/v1/namespaces/default/hosts/h1/snapshots//commit')).toEqual([]);
    expect(allowedMethods('/v2/hosts')).toEqual([]);
  });
});

describe('request ids', () => {
  it('keeps safe characters, caps the length, refuses what is left empty', () => {
    expect(sanitizeRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    expect(sanitizeRequestId('a b\r\nc<d>')).toBe('abcd');
    expect(sanitizeRequestId('x'.repeat(500))).toHaveLength(128);
    expect(sanitizeRequestId('<>')).toBeUndefined();
    expect(sanitizeRequestId(['a'])).toBeUndefined();
  });
});

describe('problems', () => {
  it('keeps typed errors as they are, with the request id', () => {
    const { problem, unexpected } = problemFor(notFound('snapshot "k" does not exist', { host: 'h1' }), ctx);
    expect(problem).toMatchObject({ status: 404, code: 'not_found', instance: '/v1/x?y=1', host: 'h1', requestId: 'r1' });
    expect(unexpected).toBe(false);
  });

  it('answers anything unexpected with a 500 that tells nothing of the code', () => {
    const { problem, unexpected } = problemFor(new TypeError('x is undefined at /srv/app.js:1'), ctx);
    expect(problem).toMatchObject({ status: 500, code: 'internal' });
    expect(problem.detail).not.toMatch(/undefined|app\.js/);
    expect(unexpected).toBe(true);
  });

  it('maps Fastify errors Nest wrapped to typed problems', () => {
    const tooLarge = new HttpException('Request body is too large', 413, { cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }) });
    expect(problemFor(tooLarge, ctx).problem).toMatchObject({ status: 413, code: 'invalid_argument' });
    const media = new HttpException('Unsupported Media Type', 415, { cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }) });
    expect(problemFor(media, ctx).problem).toMatchObject({ status: 400, code: 'invalid_argument' });
  });

  it('tells a wrong method (405 + Allow) from an unknown route (404)', () => {
    const r = problemFor(new HttpException('Cannot PUT', 404), { method: 'PUT', url: '/v1/hosts/h1?x' });
    expect(r.problem).toMatchObject({ status: 405, code: 'invalid_argument' });
    expect(r.headers).toEqual({ allow: 'GET, HEAD' });
    expect(problemFor(new HttpException('Cannot GET', 404), { method: 'GET', url: '/nope' }).problem).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('canonical JSON', () => {
  it('ignores key order at every depth, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
