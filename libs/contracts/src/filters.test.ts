// Pins the filter language to containerd's: the cases of its filters/filter_test.go and
// scanner_test.go, snapshot filters as clients send them, and Go RE2 regexp behaviour. The
// expected results here were checked against containerd's Go code, not derived from ours.
import { describe, expect, it } from 'vitest';
import { SnapfleetError } from './errors';
import {
  type Adaptor,
  type Filter,
  describeFilter,
  equalityConstraints,
  matchAll,
  parseFilter,
  parseFilters,
  REGEXP_STEP_BUDGET,
  snapshotAdaptor,
} from './filters';
import { compileGoRegexp } from './go-regexp';

type SnapshotInfo = Parameters<typeof snapshotAdaptor>[0];

/** The selectors of a one-string filter. */
function selectors(input: string) {
  const ast = describeFilter(parseFilter(input));
  if (ast?.type !== 'all') throw new Error(`unexpected ${JSON.stringify(ast)}`);
  return ast.selectors;
}

function parseError(run: () => unknown): SnapfleetError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SnapfleetError);
    expect((err as SnapfleetError).code).toBe('invalid_argument');
    return err as SnapfleetError;
  }
  throw new Error('expected the filter to be rejected');
}

describe("containerd's filter_test.go corpus", () => {
  interface Entry {
    name: string;
    other?: string;
    labels?: Record<string, string>;
  }
  const corpus: Entry[] = [
    { name: 'foo', labels: { foo: 'true' } },
    { name: 'bar' },
    { name: 'foo', labels: { foo: 'present', 'more complex label': 'present' } },
    { name: 'bar', labels: { bar: 'true' } },
    { name: 'fooer', labels: { 'more complex label with \\ and "': 'present' } },
    { name: 'fooer', labels: { 'more complex label with \\ and ".post': 'present' } },
    { name: 'baz', other: 'too complex, yo' },
    { name: 'bazo', other: 'abc' },
    { name: 'compound', labels: { foo: 'omg_asdf.asdf-qwer' } },
  ];
  // The adaptor of the Go test: name and other are present only when non-empty.
  const adapt = (e: Entry): Adaptor => ({
    field(fieldpath) {
      switch (fieldpath[0]) {
        case 'name':
          return { value: e.name, present: e.name.length > 0 };
        case 'other':
          return { value: e.other ?? '', present: (e.other ?? '').length > 0 };
        case 'labels': {
          const key = fieldpath.slice(1).join('.');
          const labels = e.labels ?? {};
          return Object.hasOwn(labels, key) ? { value: labels[key]!, present: true } : { value: '', present: false };
        }
        default:
          return { value: '', present: false };
      }
    },
  });
  const matching = (filter: Filter) => corpus.flatMap((e, i) => (filter.match(adapt(e)) ? [i] : []));
  const all = corpus.map((_, i) => i);

  it.each([
    ['Empty', '', all],
    ['Present', 'name', all],
    ['LabelPresent', 'labels.foo', [0, 2, 8]],
    ['NameAndLabelPresent', 'labels.foo,name', [0, 2, 8]],
    ['LabelValue', 'labels.foo==true', [0]],
    ['LabelValuePunctuated', 'labels.foo==omg_asdf.asdf-qwer', [8]],
    ['Name', 'name==bar', [1, 3]],
    ['NameNotEqual', 'name!=bar', [0, 2, 4, 5, 6, 7, 8]],
    ['NameAndLabelPresent', 'name==bar,labels.bar', [3]],
    ['QuotedValue', 'other=="too complex, yo"', [6]],
    ['RegexpValue', 'other~=[abc]+,name!=foo', [6, 7]],
    ['RegexpQuotedValue', 'other~=/[abc]+/,name!=foo', [6, 7]],
    ['RegexpQuotedValue', 'other~=/[abc]{1,2}/,name!=foo', [6, 7]],
    ['RegexpQuotedValueGarbage', 'other~=/[abc]{0,1}"\\//,name!=foo', []],
    ['NameAndLabelValue', 'name==bar,labels.bar==true', [3]],
    ['NameAndLabelValueNoMatch', 'name==bar,labels.bar==wrong', []],
    ['LabelQuotedFieldPathPresent', 'name==foo,labels."more complex label"', [2]],
    ['LabelQuotedFieldPathPresentWithQuoted', 'labels."more complex label with \\\\ and \\""==present', [4]],
    ['LabelQuotedFieldPathPresentWithQuotedEmbed', 'labels."more complex label with \\\\ and \\"".post==present', [5]],
  ])('%s: %s', (_name, input, expected) => {
    expect(matching(parseFilter(input))).toEqual(expected);
  });

  it.each([
    ['LabelValueNoAltQuoting', 'labels.|foo|==omg_asdf.asdf-qwer', 'filters: parse error: [labels. >|||< foo|==omg_asdf.asdf-qwer]: invalid quote encountered'],
    [
      'LabelQuotedFieldPathPresentWithQuotedEmbedInvalid',
      'labels.?"more complex label with \\\\ and \\"".post==present',
      'filters: parse error: [labels. >|?|< "more complex label with \\\\ and \\"".post==present]: expected field or quoted',
    ],
    ['TrailingComma', 'name==foo,', 'filters: parse error: [name==foo,]: expected field or quoted'],
    ['TrailingFieldSeparator', 'labels.', 'filters: parse error: [labels.]: expected field or quoted'],
    ['MissingValue', 'image~=,id?=?fbaq', 'filters: parse error: [image~= >|,|< id?=?fbaq]: expected value or quoted'],
    ['FieldQuotedLiteralNotTerminated', 'labels.ns/key==value', 'filters: parse error: [labels.ns >|/|< key==value]: quoted literal not terminated'],
    ['ValueQuotedLiteralNotTerminated', 'labels.key==/value', 'filters: parse error: [labels.key== >|/|< value]: quoted literal not terminated'],
  ])('%s: %s is rejected', (_name, input, message) => {
    expect(parseError(() => parseFilter(input)).message).toBe(message);
  });
});

describe("containerd's scanner_test.go cases, seen through the parser", () => {
  it('reads operators, values and field paths', () => {
    expect(selectors('name==value,foo!=bar')).toEqual([
      { fieldpath: ['name'], operator: '==', value: 'value' },
      { fieldpath: ['foo'], operator: '!=', value: 'bar' },
    ]);
    expect(selectors('compound.labels==punctuated_value.foo-bar')).toEqual([
      { fieldpath: ['compound', 'labels'], operator: '==', value: 'punctuated_value.foo-bar' },
    ]);
    expect(selectors('"leading quote".postquote==value')).toEqual([
      { fieldpath: ['leading quote', 'postquote'], operator: '==', value: 'value' },
    ]);
  });

  it('keeps regexp values raw unless quoted', () => {
    expect(selectors('name~=[abc]+,foo==test')[0]).toMatchObject({ operator: '~=', value: '[abc]+' });
    expect(selectors('name~=[abc]\\+,foo==test')[0]).toMatchObject({ value: '[abc]\\+' });
    expect(selectors('name~=/[abc]{0,2}/,foo==test')[0]).toMatchObject({ value: '[abc]{0,2}' });
    expect(selectors('name~=牛,labels.moo==true')[0]).toMatchObject({ value: '牛' });
    expect(selectors('name~=|牛|,labels.moo==true')[0]).toMatchObject({ value: '牛' });
    expect(selectors('name~="asdf\\n\\tfooo"')[0]).toMatchObject({ value: 'asdf\n\tfooo' });
    expect(selectors('input~=/foo\\/bar/,id!=ff')[0]).toMatchObject({ value: 'foo/bar' });
    expect(selectors('input~=|foo/bar|,id!=ff')[0]).toMatchObject({ value: 'foo/bar' });
  });

  it.each([
    ['NullInput', 'foo\x00bar', 'filters: parse error: [foo >|\x00|< bar]: unexpected null'],
    // The scanner takes `=` as an operator, which the parser then refuses.
    ['SpacesChomped', 'foo = bar    ', 'filters: parse error: [foo  >|=|<  bar    ]: unsupported operator "="'],
    ['PartialInput', 'interrupted=', 'filters: parse error: [interrupted >|=|< ]: unsupported operator "="'],
    ['DoubleValue', 'doublevalue==value value', 'filters: parse error: [doublevalue==value >| |< value]: unexpected input:  '],
    ['MissingValue', 'input==,id!=ff', 'filters: parse error: [input== >|,|< id!=ff]: expected value or quoted'],
    ['IllegalQuoted', 'labels.containerd.io/key==value', 'filters: parse error: [labels.containerd.io >|/|< key==value]: quoted literal not terminated'],
    ['IllegalQuotedWithNewLine', 'labels."containerd.io\nkey"==value', 'filters: parse error: [labels. >|"|< containerd.io\nkey"==value]: quoted literal not terminated'],
    ['IllegalEscapeSequence', 'labels."\\g"', 'filters: parse error: [labels. >|"|< \\g"]: illegal escape sequence'],
    ['IllegalNumericEscapeSequence', 'labels."\\xaz"', 'filters: parse error: [labels. >|"|< \\xaz"]: illegal numeric escape sequence'],
  ])('%s: %j is rejected', (_name, input, message) => {
    expect(parseError(() => parseFilter(input)).message).toBe(message);
  });
});

describe('parser details', () => {
  it('skips whitespace before a field, operator or value but not after a value', () => {
    expect(parseFilter(' name == foo, kind').match(snapshotAdaptor({ name: 'foo', kind: 'view', labels: {} }))).toBe(true);
    // containerd peeks at the raw next character after a value: even a trailing space fails.
    expect(parseError(() => parseFilter('name==foo ')).message).toBe('filters: parse error: [name==foo >| |< ]: unexpected input:  ');
    expect(parseError(() => parseFilter('name==foo ,kind')).message).toContain('unexpected input');
    expect(parseError(() => parseFilter('labels .foo')).message).toContain('expected an operator');
    expect(parseError(() => parseFilter(' ')).message).toBe('filters: parse error: [ ]: expected field or quoted');
  });

  it('lets a value run through punctuation until a comma or whitespace', () => {
    const sel = (s: string) => selectors(s)[0]!.value;
    expect(sel('name==a=b!c~d')).toBe('a=b!c~d');
    expect(sel('name==a"b"')).toBe('a"b"');
    expect(sel('name==a|b/c')).toBe('a|b/c');
    expect(sel('name==sha256:abc')).toBe('sha256:abc');
  });

  it.each([
    ['kind==', 'filters: parse error: [kind==]: expected value or quoted'],
    ['==x', 'filters: parse error: [ >|=|< =x]: expected field or quoted'],
    ['labels.', 'filters: parse error: [labels.]: expected field or quoted'],
    ['name=="abc', 'filters: parse error: [name== >|"|< abc]: quoted literal not terminated'],
    ['name=="abc\\', 'filters: parse error: [name== >|"|< abc\\]: illegal escape sequence'],
    ['name===x', 'filters: parse error: [name >|=|< ==x]: unsupported operator "==="'],
    ['name~x', 'filters: parse error: [name >|~|< x]: unsupported operator "~"'],
    ['name foo', 'filters: parse error: [name  >|f|< oo]: expected an operator ("=="|"!="|"~=")'],
    ['name==.x', 'filters: parse error: [name== >|.|< x]: expected value or quoted'],
    ['name== !x', 'filters: parse error: [name==  >|!|< x]: expected value or quoted'],
    ['name==/x/', 'filters: parse error: [name== >|/|< x/]: invalid quote encountered'],
    ['name=="a"b', 'filters: parse error: [name=="a" >|b|< ]: unexpected input: b'],
    ["'name'==x", "filters: parse error: [ >|'|< name'==x]: expected field or quoted"],
    ['name=="\\777"', 'filters: parse error: [name== >|"|< \\777"]: unquoting failed: quote syntax error'],
    ['name=="\\U00110000"', 'filters: parse error: [name== >|"|< \\U00110000"]: unquoting failed: quote syntax error'],
    ['name==a\x00', 'filters: parse error: [name==a >|\x00|< ]: unexpected input: \ufffd'],
    ['a,,b', 'filters: parse error: [a, >|,|< b]: expected field or quoted'],
  ])('rejects %j', (input, message) => {
    expect(parseError(() => parseFilter(input)).message).toBe(message);
  });

  it('reports where the error is in the details', () => {
    const err = parseError(() => parseFilter('labels.a =='));
    expect(err.message).toBe('filters: parse error: [labels.a ==]: expected value or quoted');
    expect(err.details).toEqual({ filter: 'labels.a ==', position: 11 });
    expect(parseError(() => parseFilter('kind==x,=')).details).toEqual({ filter: 'kind==x,=', position: 8 });
    expect(parseError(() => parseFilters(['kind==view', 'labels.'])).details).toEqual({ filter: 'labels.', position: 7, index: 1 });
  });

  it('treats U+FFFD and lone surrogates as rune errors, as Go does with bad UTF-8', () => {
    expect(parseError(() => parseFilter('name==\ufffd')).message).toContain('rune error');
    expect(parseError(() => parseFilter('labels."\ud800"')).message).toContain('rune error');
  });

  it('decodes Go escapes, bytes included', () => {
    const name = (s: string) => selectors(`name==${s}`)[0]!.value;
    expect(name('"\\x62ase"')).toBe('base');
    expect(name('"\\142ase"')).toBe('base');
    expect(name('"\\u00e9\\U0001F600"')).toBe('é😀');
    expect(name('"\\xc3\\xa9"')).toBe('é');
    expect(name('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""')).toBe('\x07\b\f\n\r\t\v\\"');
    // A byte that is not UTF-8 equals no label value, as in Go.
    const f = parseFilter('name=="\\xff"');
    expect(f.match(snapshotAdaptor({ name: '\ufffd', kind: 'active', labels: {} }))).toBe(false);
    expect(f.match(snapshotAdaptor({ name: '\xff', kind: 'active', labels: {} }))).toBe(false);
  });

  it('describes the filters it built', () => {
    expect(describeFilter(parseFilter(''))).toEqual({ type: 'always' });
    expect(describeFilter(matchAll)).toEqual({ type: 'always' });
    expect(describeFilter(parseFilters(['labels."a.b"==v,name', 'kind~=/^v/']))).toEqual({
      type: 'any',
      alternatives: [
        {
          type: 'all',
          selectors: [{ fieldpath: ['labels', 'a.b'], operator: '==', value: 'v' }, { fieldpath: ['name'] }],
        },
        { type: 'all', selectors: [{ fieldpath: ['kind'], operator: '~=', value: '^v' }] },
      ],
    });
    expect(describeFilter({ match: () => true })).toBeUndefined();
  });
});

describe('snapshot filters', () => {
  const snapshots: SnapshotInfo[] = [
    { name: 'base', kind: 'committed', labels: { 'containerd.io/snapshot.ref': 'sha256:abc', 'a.b': 'v' } },
    { name: 'abc-active', parent: 'base', kind: 'active', labels: { foo: 'bar' } },
    { name: 'view-1', parent: 'base', kind: 'view', labels: { foo: '', 'with space': 'x y' } },
    { name: 'abd', parent: 'base', kind: 'committed', labels: {} },
  ];
  const names = (filter: Filter) => snapshots.filter((s) => filter.match(snapshotAdaptor(s))).map((s) => s.name);
  const all = snapshots.map((s) => s.name);

  it.each([
    ['kind==committed', ['base', 'abd']],
    ['kind!=committed', ['abc-active', 'view-1']],
    ['parent==base', ['abc-active', 'view-1', 'abd']],
    ['parent==""', ['base']],
    ['parent', all],
    ['labels."a.b"==v', ['base']],
    // The adaptor joins the rest of the path with dots, so quoting is optional here.
    ['labels.a.b==v', ['base']],
    ['labels.foo', ['abc-active', 'view-1']],
    ['labels.foo==""', ['view-1']],
    ['name~=^ab', ['abc-active', 'abd']],
    ['name~=/^ab/', ['abc-active', 'abd']],
    ['kind==committed,name~=^ab', ['abd']],
    ['labels."containerd.io/snapshot.ref"==sha256:abc', ['base']],
    ['labels."with space"=="x y"', ['view-1']],
    ['labels.constructor', []],
    ['labels.__proto__', []],
    ['nosuchfield', []],
    // containerd reads only the first element for name, parent and kind.
    ['name.anything==base', ['base']],
  ])('%s', (input, expected) => {
    expect(names(parseFilter(input))).toEqual(expected);
  });

  it('does not check presence for != and ~=, as containerd does not', () => {
    expect(names(parseFilter('labels.foo!=bar'))).toEqual(['base', 'view-1', 'abd']);
    expect(names(parseFilter('labels.foo~=^$'))).toEqual(['base', 'view-1', 'abd']);
    expect(names(parseFilter('nosuchfield!=x'))).toEqual(all);
    expect(names(parseFilter('nosuchfield!=""'))).toEqual([]);
  });

  it('reports a kind outside the three known ones as absent', () => {
    const odd = snapshotAdaptor({ name: 'x', kind: 'Unknown', labels: {} });
    expect(parseFilter('kind').match(odd)).toBe(false);
    expect(parseFilter('kind==Unknown').match(odd)).toBe(false);
    expect(parseFilter('kind!=committed').match(odd)).toBe(true);
  });

  it('ORs filter strings and ANDs the selectors inside one', () => {
    expect(names(parseFilters(['kind==view', 'name==base']))).toEqual(['base', 'view-1']);
    expect(names(parseFilters(['kind==committed,labels."a.b"', 'labels.foo==bar']))).toEqual(['base', 'abc-active']);
    expect(names(parseFilters([]))).toEqual(all);
    expect(names(parseFilters(['']))).toEqual(all);
    // An empty string in the list matches everything, so the whole OR does.
    expect(names(parseFilters(['name==base', '']))).toEqual(all);
    expect(names(matchAll)).toEqual(all);
  });

  it.each([
    ['kind==', 'expected value or quoted'],
    ['==x', 'expected field or quoted'],
    ['labels.', 'expected field or quoted'],
    ['labels."a', 'quoted literal not terminated'],
    ['labels.containerd.io/snapshot.ref==sha256:abc', 'quoted literal not terminated'],
    ['name==x y', 'unexpected input'],
    ['name~=[', 'invalid regexp "[": missing closing ]: `[`'],
    ['name~=/(?=x)/', 'invalid or unsupported Perl syntax'],
  ])('rejects %j', (input, message) => {
    expect(parseError(() => parseFilter(input)).message).toContain(message);
    expect(parseError(() => parseFilters(['kind==view', input])).message).toContain(message);
  });
});

describe('regular expressions follow Go RE2, not JavaScript', () => {
  const matches = (pattern: string, input: string) =>
    parseFilter(`name~=${JSON.stringify(pattern)}`).match(snapshotAdaptor({ name: input, kind: 'active', labels: {} }));

  // Expected results produced by Go's regexp package.
  const table: [string, [string, boolean][]][] = [
    ['^ab', [['abc', true], ['cab', false]]],
    ['.', [['\n', false], ['\r', true], ['\u2028', true]]],
    ['^.$', [['\r', true], ['\n', false]]],
    ['(?s)^.$', [['\n', true]]],
    ['\\s', [['\v', false], ['\u00a0', false], ['\u3000', false], [' ', true], ['\t', true]]],
    ['^\\S+$', [['\u00a0', true], ['a\v', true]]],
    ['[^\\s]', [['\v', true]]],
    ['a$', [['a\n', false], ['ba', true]]],
    ['(?m)a$', [['a\nb', true], ['a\r\nb', false]]],
    ['(?m)^b', [['a\nb', true], ['a\rb', false]]],
    ['^b', [['a\nb', false]]],
    ['\\Afoo\\z', [['foo', true], ['foo\n', false]]],
    ['\\Qa.b\\E', [['a.b', true], ['axb', false]]],
    ['\\Qa.b', [['a.b', true], ['axb', false]]],
    ['x\\Q\\E*', [['', true], ['xx', true]]],
    ['\\pL+', [['牛', true], ['1', false]]],
    ['^\\p{Greek}+$', [['αβγ', true], ['abc', false]]],
    ['\\p{^Greek}', [['α', false], ['a', true]]],
    ['^\\p{C}$', [['\u0378', false], ['\u0007', true], ['\ue000', true]]],
    ['\\p{Any}', [['', false], ['😀', true]]],
    ['^[[:alpha:]]+$', [['abcXYZ', true], ['é', false]]],
    ['^[[:^alpha:]]+$', [['123', true], ['a1', false]]],
    ['^[\\d[:upper:]]+$', [['A1', true], ['a1', false]]],
    ['[]a]', [[']', true], ['a', true], ['b', false]]],
    ['^[^]a]$', [[']', false], ['b', true]]],
    ['[a-]', [['-', true], ['b', false]]],
    ['^[\\w-]+$', [['a-b_c', true], ['a.b', false]]],
    ['^[\\x41-\\x{5A}]+$', [['ABC', true], ['abc', false]]],
    ['\\x{263a}', [['\u263a', true], ['x', false]]],
    ['\\101\\0', [['A\u0000', true], ['A0', false]]],
    ['a\\-b\\!\\_\\ c', [['a-b!_ c', true]]],
    ['a{2}', [['aa', true], ['a', false]]],
    ['a{,2}', [['a{,2}', true], ['aa', false]]],
    ['a{02}', [['a{02}', true], ['aa', false]]],
    ['^{', [['{', true], ['a', false]]],
    ['x}]', [['x}]', true]]],
    ['(?i)foo', [['FOO', true], ['fOo', true], ['bar', false]]],
    ['(?i)k', [['\u212a', true], ['K', true]]],
    ['(?i)s', [['\u017f', true]]],
    ['(?i)\\W', [['\u017f', false], ['-', true]]],
    ['(?i)[[:^lower:]]', [['A', false], ['\u212a', false], ['1', true]]],
    ['(?i)\\P{Lu}', [['A', false], ['a', false], ['1', true]]],
    ['(?i)[^\\P{Lu}]', [['a', true], ['1', false]]],
    ['(?i)é', [['É', true]]],
    ['(?i)α', [['Α', true]]],
    ['(?P<n>a)b', [['ab', true], ['b', false]]],
    ['^*a', [['a', true]]],
    ['(?U)a+b', [['aab', true]]],
    ['(?s-m:.)', [['\n', true]]],
    ['(?i)\\bfoo\\b', [['a FOO b', true], ['afoob', false]]],
  ];
  it.each(table)('%j', (pattern, cases) => {
    for (const [input, expected] of cases) expect([input, matches(pattern, input)]).toEqual([input, expected]);
    // The same answers from the plain Pike VM, without the matcher's cache of steps.
    const uncached = compileGoRegexp(pattern, { cacheBudget: 0 });
    for (const [input, expected] of cases) expect([input, uncached.test(input)]).toEqual([input, expected]);
  });

  it('accepts named groups in the Go 1.22 spelling too', () => {
    expect(matches('(?<n>a)b', 'ab')).toBe(true);
  });

  // Each of these fails to compile in Go, so containerd's selector could never match.
  it.each([
    ['[', 'missing closing ]'],
    ['(', 'missing closing )'],
    ['a)', 'unexpected )'],
    ['*', 'missing argument to repetition operator'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a{2}{3}', 'invalid nested repetition operator'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['a{2,1}', 'invalid repeat count'],
    ['(a{100}){100}', 'invalid repeat count'],
    ['\\1', 'invalid escape sequence'],
    ['(a)\\1', 'invalid escape sequence'],
    ['\\8', 'invalid escape sequence'],
    ['\\C', 'invalid escape sequence'],
    ['\\Z', 'invalid escape sequence'],
    ['\\e', 'invalid escape sequence'],
    ['\\k<n>', 'invalid escape sequence'],
    ['\\cA', 'invalid escape sequence'],
    ['\\u0041', 'invalid escape sequence'],
    ['(?=a)', 'invalid or unsupported Perl syntax'],
    ['(?!a)', 'invalid or unsupported Perl syntax'],
    ['(?<=a)', 'invalid named capture'],
    ['(?<!a)', 'invalid named capture'],
    ['(?P=n)', 'invalid or unsupported Perl syntax'],
    ['(?P<a-b>x)', 'invalid named capture'],
    ['(?#c)', 'invalid or unsupported Perl syntax'],
    ['(?x)', 'invalid or unsupported Perl syntax'],
    ['(?i-)', 'invalid or unsupported Perl syntax'],
    ['\\p{Grek}', 'invalid character class range'],
    ['\\p{Foo}', 'invalid character class range'],
    ['[[:foo:]]', 'invalid character class range'],
    ['[z-a]', 'invalid character class range'],
    ['[a-\\d]', 'invalid escape sequence'],
    ['[\\b]', 'invalid escape sequence'],
    ['[]', 'missing closing ]'],
    ['[^]', 'missing closing ]'],
    ['\\x{110000}', 'invalid escape sequence'],
    ['\\x{}', 'invalid escape sequence'],
    ['a\\', 'trailing backslash at end of expression'],
  ])('rejects %j', (pattern, message) => {
    const err = parseError(() => parseFilter(`name~=${JSON.stringify(pattern)}`));
    expect(err.message).toContain(`invalid regexp ${JSON.stringify(pattern)}`);
    expect(err.message).toContain(message);
  });

  it('accepts repetition of any kind, nested repetition included, as Go does', () => {
    expect(matches('^(ab)+$', 'abab')).toBe(true);
    expect(matches('^(a|b)*c$', 'abbac')).toBe(true);
    expect(matches('^[ab]+c+$', 'abcc')).toBe(true);
    expect(matches('^(x+)?y$', 'xxy')).toBe(true);
    expect(matches('^(a{3})+$', 'aaaaaa')).toBe(true);
    expect(matches('^(a?b)+$', 'abbab')).toBe(true);
    expect(matches('(a+)+$', 'xaaa')).toBe(true);
    expect(matches('(a+)+$', 'aaa!')).toBe(false);
    expect(matches('^(\\d*,?)*$', '1,22,,333')).toBe(true);
    expect(matches('^(\\d*,?)*$', '1,2;')).toBe(false);
    expect(matches('(x+x+)+y', 'xxxy')).toBe(true);
    expect(matches('(x+x+)+y', 'xy')).toBe(false);
    expect(matches('^((ab)*c)+$', 'abccababc')).toBe(true);
    expect(matches('^((ab)*c)+$', 'abcab')).toBe(false);
    expect(matches('^(a{2,})*$', 'aaaaa')).toBe(true);
    expect(matches('^(a{2,})*$', 'a')).toBe(false);
    // The `*` after the flag group repeats `a*`.
    expect(matches('^a*(?s)*b$', 'aab')).toBe(true);
    expect(matches('^a*(?s)*b$', 'a')).toBe(false);
    // In linear time: backtracking would not finish these.
    expect(matches('(a|aa)+$', `${'a'.repeat(5000)}!`)).toBe(false);
    expect(matches('(a+)+$', `${'a'.repeat(5000)}!`)).toBe(false);
  });

  it('rejects bytes that are not UTF-8, which Go cannot compile', () => {
    expect(parseError(() => parseFilter('name~="\\xff"')).message).toContain('invalid UTF-8');
  });

  it('folds case only where (?i) applies', () => {
    expect(matches('^f(?i)oo$', 'fOO')).toBe(true);
    expect(matches('^f(?i)oo$', 'FOO')).toBe(false);
    expect(matches('^(?i:f)oo$', 'Foo')).toBe(true);
    expect(matches('^(?i:f)oo$', 'FOO')).toBe(false);
    expect(matches('^a(?i)b$', 'aB')).toBe(true);
    expect(matches('^a(?i)b$', 'AB')).toBe(false);
    expect(matches('^(?i)a(?-i)b$', 'Ab')).toBe(true);
    expect(matches('^(?i)a(?-i)b$', 'AB')).toBe(false);
    expect(matches('^(?i:[a-c]+)[a-c]$', 'ABCc')).toBe(true);
    expect(matches('^(?i:[a-c]+)[a-c]$', 'ABCC')).toBe(false);
    expect(matches('^x(?i:k)$', 'x\u212a')).toBe(true);
    expect(matches('^x(?i:k)K$', 'xkk')).toBe(false);
    expect(matches('^1-(?i)foo$', '1-FOO')).toBe(true);
  });

  it('quotes: / and | only for ~=, with their own escapes', () => {
    expect(matches('a"b', 'a"b')).toBe(true);
    expect(parseFilter('name~=/a"b\\/c/').match(snapshotAdaptor({ name: 'a"b/c', kind: 'view', labels: {} }))).toBe(true);
    expect(parseFilter('name~=|a/b|').match(snapshotAdaptor({ name: 'a/b', kind: 'view', labels: {} }))).toBe(true);
    // The quoted forms only know Go string escapes: a regexp \d has to be written \\d.
    expect(parseError(() => parseFilter('name~=/\\d/')).message).toContain('illegal escape sequence');
    expect(parseFilter('name~=/\\\\d/').match(snapshotAdaptor({ name: '7', kind: 'view', labels: {} }))).toBe(true);
    expect(parseFilter('name~=\\d').match(snapshotAdaptor({ name: '7', kind: 'view', labels: {} }))).toBe(true);
  });
});

describe('equalityConstraints', () => {
  it.each([
    ['kind==committed,name==x', { kind: 'committed', name: 'x', exact: true }],
    ['parent==""', { parent: '', exact: true }],
    ['parent==base,kind==view', { parent: 'base', kind: 'view', exact: true }],
    ['kind==committed,labels.foo', { kind: 'committed', exact: false }],
    ['name==a,name==a', { name: 'a', exact: true }],
    ['name==a,name==b', { name: 'a', exact: false }],
    ['kind==bogus', { kind: 'bogus', exact: false }],
    ['name!=a', { exact: false }],
    ['name~=^a$', { exact: false }],
    ['name.x==a', { exact: false }],
    ['labels.name==a', { exact: false }],
    ['', { exact: true }],
  ])('%j', (input, expected) => {
    expect(equalityConstraints(parseFilter(input))).toEqual(expected);
  });

  it('handles lists of filters', () => {
    expect(equalityConstraints(parseFilters([]))).toEqual({ exact: true });
    expect(equalityConstraints(parseFilters(['name==a']))).toEqual({ name: 'a', exact: true });
    expect(equalityConstraints(parseFilters(['name==a', '']))).toEqual({ exact: true });
    expect(equalityConstraints(parseFilters(['name==a', 'name==b']))).toBeUndefined();
    expect(equalityConstraints({ match: () => false })).toBeUndefined();
  });

  it('is a necessary condition, and a sufficient one when exact', () => {
    const rows: SnapshotInfo[] = [
      { name: 'a', kind: 'committed', labels: { foo: 'x' } },
      { name: 'b', parent: 'a', kind: 'active', labels: {} },
      { name: 'c', parent: 'a', kind: 'view', labels: { foo: '' } },
      { name: 'x', parent: 'b', kind: 'committed', labels: {} },
      { name: 'y', kind: 'Unknown', labels: {} },
    ];
    const filters = [
      'kind==committed',
      'kind==view,parent==a',
      'parent==""',
      'parent==a,labels.foo',
      'name==a,name==b',
      'kind==Unknown',
      'name==x,kind==committed,parent==b',
      'labels.foo!=x',
    ];
    for (const input of filters) {
      const filter = parseFilter(input);
      const c = equalityConstraints(filter)!;
      for (const row of rows) {
        const passes =
          (c.kind === undefined || c.kind === row.kind) &&
          (c.name === undefined || c.name === row.name) &&
          (c.parent === undefined || c.parent === (row.parent ?? ''));
        const matched = filter.match(snapshotAdaptor(row));
        if (matched) expect([input, row.name, passes]).toEqual([input, row.name, true]);
        if (c.exact) expect([input, row.name, matched]).toEqual([input, row.name, passes]);
      }
    }
  });
});

// Linear matching still costs program size × value length per value; a walk over thousands
// of long values with a large pattern must fail, not hold the API process.
describe('regexp work per request', () => {
  const long = { name: 'a'.repeat(4096), kind: 'committed' as const, labels: {} };

  it('fails a filter whose pattern has spent the budget, with the selector named', () => {
    const filter = parseFilter('name~=(?:a*a*a*a*a*a*a*a*){60}c');
    let calls = 0;
    const err = parseError(() => {
      for (; calls < 10_000; calls++) filter.match(snapshotAdaptor(long));
    });
    expect(err.message).toMatch(/^filter too costly: the pattern of "name" took over 20,000,000 matcher steps/);
    // It went on while under budget: several values were matched before it gave up.
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10_000);
  });

  it('leaves ordinary patterns far below it over many values', () => {
    const filter = parseFilter('name~=^sha256:[0-9a-f]+$,labels."containerd.io/snapshot.ref"~=^sha256:');
    const info = { name: `sha256:${'ab'.repeat(32)}`, kind: 'committed' as const, labels: { 'containerd.io/snapshot.ref': 'sha256:00' } };
    for (let i = 0; i < 20_000; i++) expect(filter.match(snapshotAdaptor(info))).toBe(true);
    expect(REGEXP_STEP_BUDGET).toBeGreaterThan(20_000 * 100);
  });

  it('is per parsed filter: a new request starts with a full budget', () => {
    const pattern = 'name~=(?:a*a*a*a*a*a*a*a*){60}c';
    const spend = () => {
      const filter = parseFilter(pattern);
      let n = 0;
      try {
        for (; n < 10_000; n++) filter.match(snapshotAdaptor(long));
      } catch {
        return n;
      }
      return n;
    };
    const first = spend();
    expect(spend()).toBe(first);
  });
});
