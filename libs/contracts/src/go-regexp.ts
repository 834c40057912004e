// Go RE2 regular expressions, for the `~=` operator of containerd filters (filters.ts).
// A filter is client input, and JavaScript's RegExp backtracks: even faithfully translated,
// `(a|a)*b` or `(a+)+$` takes seconds on 30 characters (and doubles with each one more), so one
// walk request could hold an API process. Patterns are therefore parsed here with Go's rules and Go's error messages, compiled
// to a small NFA program (go-regexp-program.ts) and run the way RE2 runs them, all paths at
// once and never backtracking (go-regexp-vm.ts): a test costs at most (code points + 1) ×
// (2 × program size + 1) steps, whatever the pattern. Nested repetition and overlapping
// alternatives are accepted, as Go accepts them, at no extra cost.
// Single characters are still tested by JavaScript: each class (and each literal under (?i))
// becomes a RegExp for one code point, with the `v` flag, written to mean what Go means:
//   - `.` and `\s` mean Go's ASCII sets (JS adds \r, U+2028, Unicode spaces); `$` and `^` are
//     text anchors unless (?m); (?i) (?s) (?m) (?U) apply per group, as in Go: case folding
//     is decided per character, so `a(?i)b` and `(?i:b)c` work;
//   - Go-only syntax works: \A \z \Q..\E \pL \p{Greek} [[:alpha:]] (?P<n>) \x{263a} octal
//     escapes, any escaped ASCII punctuation, and a `{`, `}` or `]` that is simply a literal;
//     classes nest under `v`, so Go's negated groups inside a class (`[\W\d]`, `[[:^alpha:]]`)
//     are written as they are, and case-insensitive complements fold the way Go's do;
//   - JS-only syntax Go rejects is rejected: backreferences, lookaround, \k \c \u, and
//     repeat counts over 1000 (alone or multiplied by the counts they are nested in).
// Assertions are the matcher's own, evaluated between two code points: `\b` and `\B` use Go's
// ASCII word characters (under (?i) too), and no position falls inside a surrogate pair. A
// lone surrogate in the input (a byte that was not UTF-8) reads as U+FFFD, as Go reads a bad
// byte. Limits: counted repeats are expanded into copies, so a program over MAX_PROGRAM
// instructions is refused as "expression too large" (Go's own limit is about 3.3 million),
// which bounds memory and the cost per character; groups nested MAX_DEPTH deep are refused as
// "expression nests too deeply" (Go measures the height of its syntax tree, which agrees for
// nested capture groups but lets more non-capturing ones through). Unicode tables are the
// runtime's, which may be a newer version than Go's.
import { Assertion, compileProgram, type Node } from './go-regexp-program';
import { GoRegexp, type GoRegexpOptions } from './go-regexp-vm';

export { GoRegexp, type GoRegexpOptions, type MatchStats } from './go-regexp-vm';

/** The most instructions a compiled pattern may have. */
export const MAX_PROGRAM = 20_000;
/** Groups may nest one level less than this: Go's limit of 1000 on its tree's height. */
const MAX_DEPTH = 1000;

export class RegexpSyntaxError extends Error {}

interface RegexpFlags {
  fold: boolean;
  multiLine: boolean;
  dotAll: boolean;
}

/** Counted repeats nested in an atom, which Go limits to a product of 1000. */
interface CountedRepeat {
  min: number;
  max: number; // -1: unbounded
  inner: readonly CountedRepeat[];
}

interface Atom {
  node: Node;
  repeats: readonly CountedRepeat[];
}

interface Group {
  restore: RegexpFlags;
  alternatives: Atom[][];
}

type Ranges = readonly (readonly [number, number])[];

const DIGITS: Ranges = [[0x30, 0x39]];
const SPACES: Ranges = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const PERL_GROUPS: Record<string, { ranges: Ranges; negated: boolean }> = {
  d: { ranges: DIGITS, negated: false },
  D: { ranges: DIGITS, negated: true },
  s: { ranges: SPACES, negated: false },
  S: { ranges: SPACES, negated: true },
  w: { ranges: WORD, negated: false },
  W: { ranges: WORD, negated: true },
};
/** The Perl class named by the character after a backslash, if it names one. */
const perlGroup = (c: string | undefined) =>
  c !== undefined && Object.hasOwn(PERL_GROUPS, c) ? PERL_GROUPS[c] : undefined;

const POSIX_GROUPS: Record<string, Ranges> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

const GO_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

// Go's unicode.Scripts keys. JS also accepts aliases (Grek) that Go does not, hence the list.
const GO_SCRIPTS = new Set(
  (
    'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali ' +
    'Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian ' +
    'Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret ' +
    'Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian ' +
    'Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo ' +
    'Hatran Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi Inscriptional_Parthian ' +
    'Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki ' +
    'Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam ' +
    'Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive ' +
    'Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari ' +
    'New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic ' +
    'Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya ' +
    'Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic ' +
    'Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo ' +
    'Sundanese Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut ' +
    'Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi ' +
    'Zanabazar_Square'
  ).split(' '),
);

const isAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isOctal = (s: string | undefined) => s !== undefined && s >= '0' && s <= '7';

/** A code point as a JS pattern character that means itself inside and outside classes. */
const charJs = (c: number) => (isAlnum(c) ? String.fromCharCode(c) : `\\u{${c.toString(16)}}`);

const rangesJs = (ranges: Ranges) =>
  ranges.map(([lo, hi]) => (lo === hi ? charJs(lo) : `${charJs(lo)}-${charJs(hi)}`)).join('');

/** Whether case folding can change what a set matches; only ASCII non-letters are sure not to. */
const foldSensitive = (ranges: Ranges) =>
  ranges.some(([lo, hi]) => hi >= 0x80 || (lo <= 0x5a && hi >= 0x41) || (lo <= 0x7a && hi >= 0x61));

/** `\p{name}` per Go's tables, as JS; undefined when Go does not know the name. */
function unicodeClassJs(name: string, negated: boolean): string | undefined {
  const not = negated ? '^' : '';
  if (name === 'Any') return `[${not}\\u{0}-\\u{10ffff}]`;
  // Go's C is Cc|Cf|Co|Cs; JavaScript's also holds every unassigned code point.
  if (name === 'C') return `[${not}\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]`;
  const p = negated ? 'P' : 'p';
  if (GO_CATEGORIES.has(name)) return `\\${p}{${name}}`;
  if (GO_SCRIPTS.has(name)) return `\\${p}{Script=${name}}`;
  return undefined;
}

/** Whether a counted repeat stays within Go's limit of 1000 copies of what it repeats. */
function repeatFits(r: CountedRepeat, budget: number): boolean {
  if (r.max === 0) return true;
  const m = r.max < 0 ? r.min : r.max;
  if (m > budget) return false;
  if (m > 0) budget = Math.trunc(budget / m);
  return r.inner.every((x) => repeatFits(x, budget));
}

const concat = (atoms: readonly Atom[]): Node =>
  atoms.length === 1 ? atoms[0]!.node : { kind: 'concat', items: atoms.map((a) => a.node) };

/** A group's alternatives as one node; groups capture nothing here, so none is kept. */
const groupNode = (group: Group): Atom => ({
  node:
    group.alternatives.length === 1
      ? concat(group.alternatives[0]!)
      : { kind: 'alternate', alternatives: group.alternatives.map(concat) },
  repeats: group.alternatives.flat().flatMap((a) => a.repeats),
});

/** Compiles a Go regexp; throws RegexpSyntaxError, with Go's message, where Go would fail. */
export function compileGoRegexp(p: string, options?: GoRegexpOptions): GoRegexp {
  // Lone surrogates stand for bytes that were not UTF-8 (see decodeUtf8 in filters.ts).
  if (/\p{Cs}/u.test(p)) throw new RegexpSyntaxError('invalid UTF-8');
  const bad = (what: string, expr: string): never => {
    throw new RegexpSyntaxError(`${what}: \`${expr}\``);
  };

  let flags: RegexpFlags = { fold: false, multiLine: false, dotAll: false };
  const groups: Group[] = [{ restore: flags, alternatives: [[]] }];
  const top = () => groups[groups.length - 1]!;
  const branch = () => top().alternatives[top().alternatives.length - 1]!;
  const openGroup = () => {
    if (groups.length >= MAX_DEPTH) bad('expression nests too deeply', p);
    groups.push({ restore: flags, alternatives: [[]] });
  };
  const push = (node: Node) => branch().push({ node, repeats: [] });
  /** A one-character JS pattern, folded under (?i) when folding can change what it matches. */
  const pushClass = (js: string, foldMatters: boolean) =>
    push({ kind: 'class', js, fold: flags.fold && foldMatters });
  const pushChar = (c: number) =>
    flags.fold && foldSensitive([[c, c]]) ? pushClass(charJs(c), true) : push({ kind: 'literal', c });
  const pushAssert = (assertion: Assertion) => push({ kind: 'assert', assertion });
  const groupJs = (ranges: Ranges, negated: boolean) => `[${negated ? '^' : ''}${rangesJs(ranges)}]`;

  /** Go's parseEscape: one escaped character, starting at the backslash. */
  const escape = (at: number): [number, number] => {
    let j = at + 1;
    if (j >= p.length) throw new RegexpSyntaxError('trailing backslash at end of expression: ``');
    const c = p.codePointAt(j)!;
    j += c > 0xffff ? 2 : 1;
    if (c < 0x80 && !isAlnum(c)) return [c, j];
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case 'a':
        return [0x07, j];
      case 'f':
        return [0x0c, j];
      case 'n':
        return [0x0a, j];
      case 'r':
        return [0x0d, j];
      case 't':
        return [0x09, j];
      case 'v':
        return [0x0b, j];
      case 'x': {
        if (j >= p.length) break;
        if (p[j] === '{') {
          const close = p.indexOf('}', j + 1);
          const digits = close < 0 ? '' : p.slice(j + 1, close);
          if (!/^[0-9a-fA-F]+$/.test(digits)) {
            j = close < 0 ? p.length : close + 1;
            break;
          }
          const v = parseInt(digits, 16);
          j = close + 1;
          if (v > 0x10ffff) break;
          return [v, j];
        }
        const digits = p.slice(j, j + 2);
        j += digits.length;
        if (!/^[0-9a-fA-F]{2}$/.test(digits)) break;
        return [parseInt(digits, 16), j];
      }
      default: {
        // \1-\7 alone would be a backreference, which Go does not support; followed by
        // another octal digit, and \0 always, it is an octal escape of up to three digits.
        if (ch === '0' || (ch >= '1' && ch <= '7' && isOctal(p[j]))) {
          let v = c - 0x30;
          for (let k = 0; k < 2 && isOctal(p[j]); k++) v = v * 8 + (p.charCodeAt(j++) - 0x30);
          return [v, j];
        }
      }
    }
    return bad('invalid escape sequence', p.slice(at, j));
  };

  /** Go's parseUnicodeClass, at a `\p` or `\P`. */
  const unicodeClass = (at: number): [string, number] => {
    let negated = p[at + 1] === 'P';
    let name: string;
    let end: number;
    if (p[at + 2] !== '{') {
      const c = p.codePointAt(at + 2);
      end = c === undefined ? at + 2 : at + 2 + (c > 0xffff ? 2 : 1);
      name = p.slice(at + 2, end);
    } else {
      const close = p.indexOf('}', at);
      if (close < 0) return bad('invalid character class range', p.slice(at));
      name = p.slice(at + 3, close);
      end = close + 1;
    }
    const seq = p.slice(at, end);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const js = unicodeClassJs(name, negated);
    if (js === undefined) return bad('invalid character class range', seq);
    return [js, end];
  };

  /** Go's parseClass, at `[`; the class becomes one JS class, nesting the groups it names. */
  const charClass = (at: number): number => {
    let j = at + 1;
    const negated = p[j] === '^';
    if (negated) j++;
    const items: string[] = [];
    let foldMatters = false;
    // `]` first is a literal in Go, and `-` first or last is a literal in both.
    for (let first = true; j >= p.length || p[j] !== ']' || first; first = false) {
      if (p.length - j > 2 && p[j] === '[' && p[j + 1] === ':') {
        const close = p.indexOf(':]', j + 2);
        if (close >= 0) {
          const name = p.slice(j, close + 2);
          const inner = name.slice(2, -2);
          const neg = inner.startsWith('^');
          const ranges = Object.hasOwn(POSIX_GROUPS, neg ? inner.slice(1) : inner)
            ? POSIX_GROUPS[neg ? inner.slice(1) : inner]
            : undefined;
          if (ranges === undefined) return bad('invalid character class range', name);
          items.push(groupJs(ranges, neg));
          foldMatters ||= foldSensitive(ranges);
          j = close + 2;
          continue;
        }
      }
      if (p[j] === '\\' && (p[j + 1] === 'p' || p[j + 1] === 'P')) {
        const [js, next] = unicodeClass(j);
        items.push(js);
        foldMatters = true;
        j = next;
        continue;
      }
      const perl = p[j] === '\\' ? perlGroup(p[j + 1]) : undefined;
      if (perl !== undefined) {
        items.push(groupJs(perl.ranges, perl.negated));
        foldMatters ||= foldSensitive(perl.ranges);
        j += 2;
        continue;
      }
      const rangeStart = j;
      const classChar = (k: number): [number, number] => {
        if (k >= p.length) return bad('missing closing ]', p.slice(at));
        if (p[k] === '\\') return escape(k);
        const c = p.codePointAt(k)!;
        return [c, k + (c > 0xffff ? 2 : 1)];
      };
      let lo: number;
      [lo, j] = classChar(j);
      let hi = lo;
      if (p.length - j >= 2 && p[j] === '-' && p[j + 1] !== ']') {
        [hi, j] = classChar(j + 1);
        if (hi < lo) return bad('invalid character class range', p.slice(rangeStart, j));
      }
      items.push(rangesJs([[lo, hi]]));
      foldMatters ||= foldSensitive([[lo, hi]]);
    }
    pushClass(`[${negated ? '^' : ''}${items.join('')}]`, foldMatters);
    return j + 1;
  };

  /** Go's parseRepeat: `{n}`, `{n,}` or `{n,m}` at `at`, or undefined if `{` is a literal. */
  const countedRepeat = (at: number): { min: number; max: number; end: number } | undefined => {
    const m = /^\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/.exec(p.slice(at));
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? -1 : Number(m[3]);
    return { min, max, end: at + m[0].length };
  };

  let lastRepeatAt = -1; // where the previous item began, when it was a repetition operator
  let i = 0;
  while (i < p.length) {
    const at = i;
    let repeatAt = -1;
    const c = p[i]!;
    if (c === '*' || c === '+' || c === '?' || (c === '{' && countedRepeat(i) !== undefined)) {
      let min = 0;
      let max = -1;
      let counted = false;
      if (c === '{') {
        const r = countedRepeat(i)!;
        ({ min, max } = r);
        if (min > 1000 || max > 1000 || (max >= 0 && min > max)) bad('invalid repeat count', p.slice(i, r.end));
        counted = true;
        i = r.end;
      } else {
        i++;
      }
      if (p[i] === '?') i++; // non-greedy: cannot change whether a pattern matches
      if (lastRepeatAt >= 0) bad('invalid nested repetition operator', p.slice(lastRepeatAt, i));
      const atoms = branch();
      const atom = atoms.pop();
      if (atom === undefined) return bad('missing argument to repetition operator', p.slice(at, i));
      // The operator's own bounds (`*`, `+` and `?` leave min/max at their defaults above).
      const [lo, hi] = c === '?' ? [0, 1] : c === '+' ? [1, -1] : c === '*' ? [0, -1] : [min, max];
      const repeats = counted ? [{ min, max, inner: atom.repeats }] : atom.repeats;
      if (counted && (min >= 2 || max >= 2) && !repeatFits(repeats[0]!, 1000)) {
        bad('invalid repeat count', p.slice(at, i));
      }
      // Anything may repeat, as in Go: anchors, empty groups, repetitions.
      atoms.push({ node: { kind: 'repeat', sub: atom.node, min: lo, max: hi }, repeats });
      repeatAt = at;
    } else if (c === '(') {
      if (p[i + 1] !== '?') {
        openGroup();
        i++;
      } else if ((p.startsWith('(?P<', i) && p.length - i > 4) || (p.startsWith('(?<', i) && p.length - i > 3)) {
        // (?<name>) is Go 1.22's spelling; containerd 2 is built with it.
        const named = /^\(\?P?<([^>]*)>/.exec(p.slice(i));
        if (named === null) return bad('invalid named capture', p.slice(i));
        if (!/^[A-Za-z0-9_]+$/.test(named[1]!)) bad('invalid named capture', named[0]);
        openGroup();
        i += named[0].length;
      } else {
        let j = i + 2;
        const next = { ...flags };
        let negate = false;
        let sawFlag = false;
        for (;;) {
          const f = p[j++];
          if (f === 'i') next.fold = !negate;
          else if (f === 'm') next.multiLine = !negate;
          else if (f === 's') next.dotAll = !negate;
          else if (f === 'U') {
            // non-greedy by default: no effect on whether a pattern matches
          } else if (f === '-' && !negate) {
            negate = true;
            sawFlag = false;
            continue;
          } else if ((f === ':' || f === ')') && !(negate && !sawFlag)) {
            if (f === ':') openGroup();
            flags = next;
            break;
          } else {
            return bad('invalid or unsupported Perl syntax', p.slice(i, Math.min(j, p.length)));
          }
          sawFlag = true;
        }
        i = j;
      }
    } else if (c === ')') {
      if (groups.length === 1) bad('unexpected )', p);
      const group = groups.pop()!;
      flags = group.restore;
      branch().push(groupNode(group));
      i++;
    } else if (c === '|') {
      top().alternatives.push([]);
      i++;
    } else if (c === '^') {
      pushAssert(flags.multiLine ? Assertion.LineStart : Assertion.TextStart);
      i++;
    } else if (c === '$') {
      pushAssert(flags.multiLine ? Assertion.LineEnd : Assertion.TextEnd);
      i++;
    } else if (c === '.') {
      push({ kind: 'any', newline: flags.dotAll });
      i++;
    } else if (c === '[') {
      i = charClass(i);
    } else if (c === '\\') {
      const e = p[i + 1];
      const perl = perlGroup(e);
      if (e === 'A' || e === 'z') {
        pushAssert(e === 'A' ? Assertion.TextStart : Assertion.TextEnd);
        i += 2;
      } else if (e === 'b' || e === 'B') {
        pushAssert(e === 'b' ? Assertion.WordBoundary : Assertion.NotWordBoundary);
        i += 2;
      } else if (e === 'C') {
        bad('invalid escape sequence', '\\C');
      } else if (e === 'Q') {
        const close = p.indexOf('\\E', i + 2);
        const literal = close < 0 ? p.slice(i + 2) : p.slice(i + 2, close);
        for (const ch of literal) pushChar(ch.codePointAt(0)!);
        i = close < 0 ? p.length : close + 2;
      } else if (e === 'p' || e === 'P') {
        const [js, next] = unicodeClass(i);
        pushClass(js, true);
        i = next;
      } else if (perl !== undefined) {
        pushClass(groupJs(perl.ranges, perl.negated), foldSensitive(perl.ranges));
        i += 2;
      } else {
        const [ch, next] = escape(i);
        pushChar(ch);
        i = next;
      }
    } else {
      const cp = p.codePointAt(i)!;
      pushChar(cp); // includes a `{` that starts no repeat count, and a lone `]` or `}`
      i += cp > 0xffff ? 2 : 1;
    }
    lastRepeatAt = repeatAt;
  }
  if (groups.length > 1) bad('missing closing )', p);

  let program;
  try {
    program = compileProgram(groupNode(top()).node, MAX_PROGRAM);
  } catch (err) {
    // A class the runtime's RegExp cannot compile, such as a script newer than its tables.
    if (err instanceof SyntaxError) throw new RegexpSyntaxError(`not supported: ${err.message}`);
    throw err;
  }
  if (program === undefined) return bad('expression too large', p);
  return new GoRegexp(program, p, options);
}
