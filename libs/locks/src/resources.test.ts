// Resource naming and slot rules, without Redis: hashing of arbitrary keys, hash-tag parsing
// as Redis Cluster does it, and the one-tag-per-acquisition check.
import { describe, expect, it } from 'vitest';
import { describeResources, hashTagOf, lockResource, planResources } from './resources';

describe('lockResource', () => {
  it('hashes a 4096-byte key with spaces, colons, braces and unicode into a short, tagged name', () => {
    const unit = 'extract-171234 sha256:ab {x} é 日本 🦀 ';
    let key = '';
    while (Buffer.byteLength(key + unit, 'utf8') <= 4096) key += unit;
    key += 'a'.repeat(4096 - Buffer.byteLength(key, 'utf8'));
    expect(Buffer.byteLength(key, 'utf8')).toBe(4096);

    const r = lockResource('host-1', 'default', key);
    expect(r).toMatch(/^\{snapfleet:host-1\}:lock:default:[0-9a-f]{64}$/);
    expect(hashTagOf(r)).toBe('snapfleet:host-1');
    expect(lockResource('host-1', 'default', key)).toBe(r);
    expect(lockResource('host-1', 'default', `${key.slice(0, -1)}b`)).not.toBe(r);
    expect(lockResource('host-1', 'other', key)).not.toBe(r);
    expect(lockResource('host-2', 'default', key)).not.toBe(r);
  });

  it('rejects host ids and namespaces that could change the slot or the name shape', () => {
    expect(() => lockResource('Host}', 'default', 'k')).toThrow(TypeError);
    expect(() => lockResource('h1', 'a:b', 'k')).toThrow(TypeError);
    expect(() => lockResource('h1', '', 'k')).toThrow(TypeError);
  });
});

describe('hashTagOf', () => {
  it('follows the cluster spec: first { to the next }, empty tags do not count', () => {
    expect(hashTagOf('{a}b')).toBe('a');
    expect(hashTagOf('x{a}{b}')).toBe('a');
    expect(hashTagOf('{}a{b}')).toBeUndefined();
    expect(hashTagOf('a{b')).toBeUndefined();
    expect(hashTagOf('plain')).toBeUndefined();
  });
});

describe('planResources', () => {
  it('maps resources to prefixed keys and a fence counter in the same slot, deduplicated', () => {
    const a = lockResource('h1', 'default', 'a');
    const b = lockResource('h1', 'default', 'b');
    const plan = planResources([a, b, a], 'p:');
    expect(plan.resources).toEqual([a, b]);
    expect(plan.keys).toEqual([`p:${a}`, `p:${b}`]);
    expect(plan.fenceKey).toBe('p:{snapfleet:h1}:fence');
    expect(plan.keys.map(hashTagOf)).toEqual(['snapfleet:h1', 'snapfleet:h1']);
  });

  it('throws TypeError for mixed hash tags, untagged or empty resources', () => {
    expect(() => planResources([lockResource('h1', 'default', 'a'), lockResource('h2', 'default', 'a')], '')).toThrow(/one hash tag/);
    expect(() => planResources(['plain'], '')).toThrow(TypeError);
    expect(() => planResources([], '')).toThrow(TypeError);
    expect(() => planResources([''], '')).toThrow(TypeError);
  });
});

describe('describeResources', () => {
  it('shortens the hash and counts what it leaves out', () => {
    const rs = ['a', 'b', 'c', 'd'].map((k) => lockResource('h1', 'default', k));
    const text = describeResources(rs);
    expect(text).toMatch(/^\{snapfleet:h1\}:lock:default:[0-9a-f]{12}…, /);
    expect(text).toMatch(/and 1 more$/);
    expect(text.length).toBeLessThan(200);
  });
});
