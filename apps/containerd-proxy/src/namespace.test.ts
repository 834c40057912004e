// containerd-namespace metadata → fleet namespace; absent → the proxy's fallback.
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { namespaceOf } from './namespace';

const md = (...values: string[]) => {
  const m = new Metadata();
  for (const v of values) m.add('containerd-namespace', v);
  return m;
};

describe('namespaceOf', () => {
  it('uses the header when present', () => {
    expect(namespaceOf(md('k8s.io'))).toEqual({ namespace: 'k8s.io', fromHeader: true });
  });
  it('takes the first value, as containerd does', () => {
    expect(namespaceOf(md('first', 'second'))).toEqual({ namespace: 'first', fromHeader: true });
  });
  it('falls back to default, or the configured namespace, without a header', () => {
    expect(namespaceOf(new Metadata())).toEqual({ namespace: 'default', fromHeader: false });
    expect(namespaceOf(md(''), 'ctr-h1')).toEqual({ namespace: 'ctr-h1', fromHeader: false });
  });
  it('refuses an invalid namespace with invalid_argument', () => {
    expect(() => namespaceOf(md('no/slashes'))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => namespaceOf(md('a'.repeat(77)))).toThrow(/containerd-namespace/);
  });
});
