import { describe, expect, it } from 'vitest';
import { entityTag, noneMatchNames } from './entity-tag';

describe('entityTag', () => {
  it('is a strong quoted tag that depends only on the bytes', () => {
    const a = entityTag('{"a":1}');
    expect(a).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entityTag(Buffer.from('{"a":1}'))).toBe(a);
    expect(entityTag('{"a":2}')).not.toBe(a);
    expect(entityTag('é')).toBe(entityTag(Buffer.from('é', 'utf8')));
  });
});

describe('noneMatchNames', () => {
  const tag = '"abc"';
  it('matches the tag alone, in a list, and weak forms of it (weak comparison)', () => {
    expect(noneMatchNames('"abc"', tag)).toBe(true);
    expect(noneMatchNames('W/"abc"', tag)).toBe(true);
    expect(noneMatchNames('"x", "abc"', tag)).toBe(true);
    expect(noneMatchNames('"x",W/"abc" ,"y"', tag)).toBe(true);
    expect(noneMatchNames(' * ', tag)).toBe(true);
  });

  it('does not match other tags, a missing header, or a malformed one', () => {
    expect(noneMatchNames(undefined, tag)).toBe(false);
    expect(noneMatchNames('"abd"', tag)).toBe(false);
    expect(noneMatchNames('abc', tag)).toBe(false);
    expect(noneMatchNames('"abc', tag)).toBe(false);
    expect(noneMatchNames('"x" "abc"', tag)).toBe(false);
    expect(noneMatchNames('"abc", junk', tag)).toBe(false);
    expect(noneMatchNames('', tag)).toBe(false);
  });

  it('keeps commas inside a tag as part of it', () => {
    expect(noneMatchNames('"a,b"', '"a,b"')).toBe(true);
    expect(noneMatchNames('"a,b"', '"a"')).toBe(false);
  });
});
