// `k=v` words and job references as the user types them.
import { describe, expect, it } from 'vitest';
import { parseJobRef } from './job-ref';
import { labelUpdate, parseLabels } from './labels';
import { UsageError } from './usage-error';

describe('labels', () => {
  it('sets with k=v and removes with k= through labels.<k> field paths', () => {
    expect(labelUpdate(['a=1', 'b=x=y', 'c='], 'label')).toEqual({ labels: { a: '1', b: 'x=y' }, fieldpaths: ['labels.a', 'labels.b', 'labels.c'] });
    expect(labelUpdate(['a=1', 'a='], 'label')).toEqual({ labels: {}, fieldpaths: ['labels.a'] });
    expect(parseLabels(['k=v', 'k=w'], 'prepare')).toEqual({ k: 'w' });
    expect(parseLabels([], 'prepare')).toBeUndefined();
    expect(() => labelUpdate(['novalue'], 'label')).toThrow(UsageError);
    expect(() => labelUpdate(['=v'], 'label')).toThrow(UsageError);
  });
});

describe('job references', () => {
  it('are a bare id, or the Location (path or URL) naming the host', () => {
    expect(parseJobRef('op-1', 'jobs get')).toEqual({ host: undefined, jobId: 'op-1' });
    expect(parseJobRef('/v1/jobs/h1/idem-a%7Eb', 'jobs get')).toEqual({ host: 'h1', jobId: 'idem-a~b' });
    expect(parseJobRef('http://api:8080/v1/jobs/h2/op-2', 'jobs get')).toEqual({ host: 'h2', jobId: 'op-2' });
  });
});
