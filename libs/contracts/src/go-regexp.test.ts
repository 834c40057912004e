// The matcher behind `~=` (go-regexp*.ts): linear time whatever the pattern, Go's answers for
// what used to need backtracking, and the same answers whether steps come from the cache (the
// lazy DFA) or are computed afresh (the plain Pike VM). filters.test.ts holds the Go table.
import { describe, expect, it } from 'vitest';
import { compileGoRegexp, type GoRegexp, MAX_PROGRAM, type MatchStats, RegexpSyntaxError } from './go-regexp';

/** The three ways to run a pattern: cached steps, no cache at all, a cache that keeps overflowing. */
const engines = (pattern: string): [string, GoRegexp][] => [
  ['cached', compileGoRegexp(pattern)],
  ['uncached', compileGoRegexp(pattern, { cacheBudget: 0 })],
  ['tiny cache', compileGoRegexp(pattern, { cacheBudget: 2000 })],
];

/** Checks the answer of every engine, and that each did at most its bounded work. */
function expectMatch(pattern: string, input: string, expected: boolean): void {
  const codePoints = [...input].length;
  for (const [name, re] of engines(pattern)) {
    const stats: MatchStats = { steps: 0 };
    expect([pattern, input.slice(0, 40), name, re.test(input, stats)]).toEqual([pattern, input.slice(0, 40), name, expected]);
    expect(stats.steps).toBeGreaterThan(0);
    expect(stats.steps).toBeLessThanOrEqual((codePoints + 1) * (2 * re.size + 1));
  }
}

function syntaxError(pattern: string): string {
  try {
    compileGoRegexp(pattern);
  } catch (err) {
    expect(err).toBeInstanceOf(RegexpSyntaxError);
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
}

describe('patterns that backtrack exponentially in JavaScript', () => {
  // Each input is about 5,000 characters; JS RegExp needs seconds for 30 of them on most.
  const long = 'a'.repeat(5000);
  it.each<[string, string, boolean]>([
    ['(a|aa)+$', `${long}!`, false],
    ['(a|aa)+$', long, true],
    ['(a?a)+$', `${long}!`, false],
    ['^(a?a)+$', long, true],
    ['(a+)+$', `${long}!`, false],
    ['^(a+)+$', long, true],
    ['(a|a)*b', `${long}!`, false],
    ['(a|a)*b', `${long}b`, true],
    ['^(\\d*,?)*$', `${'1'.repeat(5000)}!`, false],
    ['^(\\d*,?)*$', '12,'.repeat(1700), true],
    ['(x+x+)+y', 'x'.repeat(5000), false],
    ['(x+x+)+y', `${'x'.repeat(5000)}y`, true],
    ['^((ab)*c)+$', `${'ab'.repeat(2500)}`, false],
    ['(.*a){20}', 'a'.repeat(19) + 'b'.repeat(5000), false],
    ['^(\\w+\\s?)*$', `${'word '.repeat(1000)}!`, false],
  ])('%j on %# answers %s', (pattern, input, expected) => {
    expectMatch(pattern, input, expected);
  });

  it('does work proportional to the input, not more', () => {
    const re = compileGoRegexp('(a|aa)+$', { cacheBudget: 0 });
    const steps = (n: number) => {
      const stats: MatchStats = { steps: 0 };
      expect(re.test(`${'a'.repeat(n)}!`, stats)).toBe(false);
      return stats.steps;
    };
    // Twice the input, twice the work (give or take the ends), where backtracking squares it.
    expect(steps(4000)).toBeLessThanOrEqual(2 * steps(2000) + 2 * re.size);
    expect(steps(4000)).toBeLessThanOrEqual(4001 * (2 * re.size + 1));
  });

  it('keeps remembered steps within the budget, answering the same once it overflows', () => {
    // (a|b)*a(a|b){12} needs a DFA state per distinct 13-character suffix: thousands.
    const pattern = '(a|b)*a(a|b){12}$';
    let x = 12345;
    const input = Array.from({ length: 3000 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) & 0x100 ? 'a' : 'b')).join('');
    for (const tail of ['a' + 'b'.repeat(12), 'b'.repeat(13)]) expectMatch(pattern, input + tail, tail[0] === 'a');
  });
});

describe('Go semantics the JavaScript translation could not give', () => {
  it.each<[string, [string, boolean][]]>([
    // (?i) on part of a pattern.
    ['^a(?i)b$', [['aB', true], ['ab', true], ['AB', false]]],
    ['^(?i:b)c$', [['Bc', true], ['BC', false]]],
    ['^(?i)a(?-i:b)c$', [['AbC', true], ['ABC', false]]],
    ['^x(?i)[k-l]$', [['x\u212a', true], ['XK', false]]],
    ['^(?i:é)é$', [['Éé', true], ['ÉÉ', false]]],
    // \b is ASCII-only even under (?i), where JS would count U+212A as a word character.
    ['(?i)\\bk', [['x\u212a', true], ['xk', false]]],
    // Nested repetition is accepted.
    ['^(a{2,})*$', [['aaaaa', true], ['a', false], ['', true]]],
    ['^a*(?s)*b$', [['aab', true], ['a', false]]],
    ['^((ab)*c)+$', [['abccababc', true], ['abcab', false]]],
    // Node 20's RegExp answers false for these whole patterns under `v` (a negated class in a
    // repeated group); one code point at a time, its classes are right.
    ['(a[^a])+', [['ab', true], ['aa', false]]],
    ['(\\pL[^a]){2}', [['a1A_', true], ['1a1a', false]]],
    // No position inside a surrogate pair, where JS would find a \B.
    ['\\B', [['a😀b', false]]],
  ])('%j', (pattern, cases) => {
    for (const [input, expected] of cases) expectMatch(pattern, input, expected);
  });
});

describe('empty-width loops terminate', () => {
  it.each<[string, [string, boolean][]]>([
    ['(a*)*', [['', true], ['b', true]]],
    ['^(a*)*$', [['aaa', true], ['aab', false], ['', true]]],
    ['^(|a)*$', [['aaa', true], ['ab', false]]],
    ['^(a|)+$', [['aaa', true], ['ab', false]]],
    ['(a*)+$', [['b', true], [`${'a'.repeat(5000)}!`, true]]],
    ['^(a*)+$', [['aaaa', true], ['ba', false]]],
    ['^(a*?)*b$', [['aab', true], ['aa', false]]],
    ['^(?:^)*a$', [['a', true], ['ba', false]]],
    ['^(\\b|a)+$', [['a', true], ['', false]]],
    ['^(?:$|a)*$', [['aa', true], ['', true], ['ab', false]]],
    ['()+x', [['x', true], ['', false]]],
    ['(()*)*x', [['ax', true], ['a', false]]],
  ])('%j', (pattern, cases) => {
    for (const [input, expected] of cases) expectMatch(pattern, input, expected);
  });
});

describe('assertions', () => {
  it.each<[string, [string, boolean][]]>([
    ['^$', [['', true], ['a', false], ['\n', false]]],
    ['\\Aa', [['ab', true], ['ba', false]]],
    ['a\\z', [['ba', true], ['ab', false], ['a\n', false]]],
    ['(?m)^b$', [['a\nb\nc', true], ['ab\nc', false]]],
    ['(?m)^$', [['a\n\nb', true], ['ab', false], ['a\n', true]]],
    ['(?m)\\Ab', [['a\nb', false]]],
    ['(?m:^b)c$|x', [['a\nbc', true], ['bcd', false]]],
    ['\\bfoo\\b', [['a foo.', true], ['foo', true], ['foo_', false], ['éfooé', true]]],
    ['\\Bo\\B', [['fo', false], ['foo', true]]],
    ['\\b', [['', false], ['-', false], ['a', true]]],
    ['\\B', [['', true], ['ab', true], ['a', false]]],
    ['^\\b$', [['', false]]],
    ['a\\b|b', [['a-', true], ['ac', false], ['cb', true]]],
  ])('%j', (pattern, cases) => {
    for (const [input, expected] of cases) expectMatch(pattern, input, expected);
  });
});

describe('code points', () => {
  it.each<[string, [string, boolean][]]>([
    ['^.$', [['😀', true], ['a', true], ['😀😀', false]]],
    ['^..$', [['😀', false], ['😀a', true]]],
    ['^\\x{1F600}$', [['😀', true], ['\ud83d', false]]],
    ['^[😀-😂]+$', [['😁😂', true], ['😃', false]]],
    ['^[^a]$', [['😀', true]]],
    ['^\\PL$', [['😀', true]]],
    ['(?i)^😀$', [['😀', true]]],
    ['^\\p{Greek}\\p{Han}$', [['α牛', true], ['a牛', false]]],
    // A lone surrogate stands for a byte that was not UTF-8: Go reads it as U+FFFD.
    ['^.$', [['\ud800', true], ['\udc00\ud83d', false]]],
    ['^..$', [['\udc00\ud83d', true]]],
    ['^\\x{fffd}$', [['\ud800', true], ['\ufffd', true]]],
    ['\\p{Cs}', [['\ud800', false]]],
  ])('%j', (pattern, cases) => {
    for (const [input, expected] of cases) expectMatch(pattern, input, expected);
  });
});

describe('compiled patterns', () => {
  it('are reusable across many values, with the cache or without', () => {
    const values = ['v1.2', 'v10.20', 'v1.', 'x1.2', 'v1.2.3', '', 'v99999.0', 'v1.2\n'];
    const expected = [true, true, false, false, false, false, true, false];
    for (const [, re] of engines('^v[0-9]+\\.[0-9]+$')) {
      for (let round = 0; round < 3; round++) expect(values.map((v) => re.test(v))).toEqual(expected);
    }
  });

  it('can be used in turn, sharing scratch space whatever their sizes', () => {
    const small = compileGoRegexp('^a(b|c)$');
    const large = compileGoRegexp('(?:x?x?x?){1000}y$', { cacheBudget: 0 });
    for (let round = 0; round < 3; round++) {
      const answers = [small.test('ab'), large.test('xxy'), small.test('ad'), large.test('xx'), small.test('ac')];
      expect(answers).toEqual([true, true, false, false, true]);
    }
  });

  it('report their size, which bounds the work per character', () => {
    expect(compileGoRegexp('abc').size).toBe(4);
    expect(compileGoRegexp('a{3}').size).toBe(4);
    expect(compileGoRegexp('a{2,4}').size).toBe(7);
  });

  it('are refused as Go refuses them, or when too large to run', () => {
    // Go accepts this (about 36,000 instructions), but it is over the cap here.
    const big = '(?:abcdefghijklmnopqrstuvwxyz0123456789){1000}';
    expect(syntaxError(big)).toBe(`expression too large: \`${big}\``);
    expect(compileGoRegexp('(?:abcdefghijklmnopqrstuvwxyz0123456789){500}').size).toBeLessThanOrEqual(MAX_PROGRAM);
    // Go's product rule comes first.
    expect(syntaxError('((a{1000}){1000})')).toContain('invalid repeat count');
    expect(syntaxError('(a{2}){501}')).toBe('invalid repeat count: `{501}`');
    expect(compileGoRegexp('(a{2}){500}').test('a'.repeat(1000))).toBe(true);
    // Go refuses a tree more than 1000 deep; 999 nested groups around a literal is 1000.
    expect(compileGoRegexp(`${'('.repeat(999)}a${')'.repeat(999)}`).test('a')).toBe(true);
    const deep = `${'('.repeat(1000)}a${')'.repeat(1000)}`;
    expect(syntaxError(deep)).toBe(`expression nests too deeply: \`${deep}\``);
    expect(syntaxError('a{1001}')).toBe('invalid repeat count: `{1001}`');
  });

  it('keep nested group structure without recursion trouble', () => {
    const nested = `^${'(?:a'.repeat(900)}${')'.repeat(900)}`;
    expectMatch(nested, 'a'.repeat(900), true);
    expectMatch(nested, 'a'.repeat(899), false);
  });
});
