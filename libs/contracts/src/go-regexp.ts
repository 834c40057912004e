// Go RE2 syntax → JavaScript, for the `~=` operator of containerd filters (filters.ts).
// Patterns are parsed with Go's rules and re-emitted for the `v` flag (the successor of `u`):
// classes nest there, so Go's negated groups inside a class (`[\W\d]`, `[[:^alpha:]]`) can be
// written as they are, and case-insensitive complements fold the way Go's do. What the
// translation fixes, compared with handing Go syntax to RegExp:
//   - `.` and `\s` mean Go's ASCII sets (JS adds \r, U+2028, Unicode spaces); `$` and `^` are
//     text anchors unless (?m); (?s) (?m) (?U) work per group, as in Go;
//   - Go-only syntax works: \A \z \Q..\E \pL \p{Greek} [[:alpha:]] (?P<n>) \x{263a} octal
//     escapes, any escaped ASCII punctuation, and a `{`, `}` or `]` that is simply a literal;
//   - JS-only syntax Go rejects is rejected: backreferences, lookaround, \k \c \u, and
//     repeat counts over 1000.
// Limits, rejected rather than mistranslated: (?i) must cover every case-sensitive part of
// the pattern, since JS has no per-group case folding. Not reproduced: Go's size and nesting
// limits for enormous patterns, and under (?i) JS counts U+017F and U+212A as word characters
// for \b. Unicode tables are the runtime's, which may be a newer version than Go's.
// JS matching backtracks where RE2 cannot, so a hostile pattern costs CPU here. Nested
// repetition — a repeated part that itself repeats, `(a+)+`, `(\d*,?)*` — is what makes that
// cost exponential in the input, so it is refused (Go accepts it); overlapping alternatives
// under one repetition, `(a|aa)+`, are still accepted.

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
  js: string;
  repeats: readonly CountedRepeat[];
  /** Holds a repetition of variable length over more than one copy (`*`, `+`, `{n,}`, `{n,m}` with 1 < m > n). */
  grows?: boolean;
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

export function compileGoRegexp(p: string): RegExp {
  // Lone surrogates stand for bytes that were not UTF-8 (see decodeUtf8 in filters.ts).
  if (/\p{Cs}/u.test(p)) throw new RegexpSyntaxError('invalid UTF-8');
  const bad = (what: string, expr: string): never => {
    throw new RegexpSyntaxError(`${what}: \`${expr}\``);
  };

  let flags: RegexpFlags = { fold: false, multiLine: false, dotAll: false };
  const groups: Group[] = [{ restore: flags, alternatives: [[]] }];
  const top = () => groups[groups.length - 1]!;
  const branch = () => top().alternatives[top().alternatives.length - 1]!;
  // Case folding is a flag of the whole JS pattern, so the fold state of every part whose
  // meaning depends on it is collected and must agree.
  const folds = new Set<boolean>();
  const push = (js: string, foldMatters: boolean, repeats: readonly CountedRepeat[] = []) => {
    branch().push({ js, repeats });
    if (foldMatters) folds.add(flags.fold);
  };
  const pushChar = (c: number) => push(charJs(c), c >= 0x80 || foldSensitive([[c, c]]));
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
    push(`[${negated ? '^' : ''}${items.join('')}]`, foldMatters);
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
      const multiplies = hi < 0 || hi > 1;
      if (multiplies && atom.grows === true) bad('nested repetition is not supported (its matching time can grow exponentially)', p.slice(0, i));
      const op = c !== '{' ? c : max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
      const repeats = counted ? [{ min, max, inner: atom.repeats }] : atom.repeats;
      if (counted && (min >= 2 || max >= 2) && !repeatFits(repeats[0]!, 1000)) {
        bad('invalid repeat count', p.slice(at, i));
      }
      // Wrapping lets anything repeat as in Go, anchors and repeated repeats included.
      const variable = hi < 0 || (hi > 1 && hi > lo);
      atoms.push({ js: `(?:${atom.js})${op}`, repeats, grows: variable || atom.grows === true });
      repeatAt = at;
    } else if (c === '(') {
      if (p[i + 1] !== '?') {
        groups.push({ restore: flags, alternatives: [[]] });
        i++;
      } else if ((p.startsWith('(?P<', i) && p.length - i > 4) || (p.startsWith('(?<', i) && p.length - i > 3)) {
        // (?<name>) is Go 1.22's spelling; containerd 2 is built with it.
        const named = /^\(\?P?<([^>]*)>/.exec(p.slice(i));
        if (named === null) return bad('invalid named capture', p.slice(i));
        if (!/^[A-Za-z0-9_]+$/.test(named[1]!)) bad('invalid named capture', named[0]);
        groups.push({ restore: flags, alternatives: [[]] });
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
            if (f === ':') groups.push({ restore: flags, alternatives: [[]] });
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
      const all = group.alternatives.flat();
      branch().push({
        js: `(?:${group.alternatives.map((alt) => alt.map((a) => a.js).join('')).join('|')})`,
        repeats: all.flatMap((a) => a.repeats),
        grows: all.some((a) => a.grows === true),
      });
      i++;
    } else if (c === '|') {
      top().alternatives.push([]);
      i++;
    } else if (c === '^') {
      push(flags.multiLine ? '(?<![^\\u{a}])' : '^', false);
      i++;
    } else if (c === '$') {
      push(flags.multiLine ? '(?![^\\u{a}])' : '$', false);
      i++;
    } else if (c === '.') {
      push(flags.dotAll ? '[\\u{0}-\\u{10ffff}]' : '[^\\u{a}]', false);
      i++;
    } else if (c === '[') {
      i = charClass(i);
    } else if (c === '\\') {
      const e = p[i + 1];
      const perl = perlGroup(e);
      if (e === 'A' || e === 'z') {
        push(e === 'A' ? '^' : '$', false);
        i += 2;
      } else if (e === 'b' || e === 'B') {
        push(`\\${e}`, false);
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
        push(js, true);
        i = next;
      } else if (perl !== undefined) {
        push(groupJs(perl.ranges, perl.negated), foldSensitive(perl.ranges));
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
  if (folds.size > 1) {
    throw new RegexpSyntaxError('(?i) must apply to the whole pattern: mixed case-sensitivity is not supported');
  }

  const source = top()
    .alternatives.map((alt) => alt.map((a) => a.js).join(''))
    .join('|');
  try {
    return new RegExp(source, folds.has(true) ? 'iv' : 'v');
  } catch (err) {
    throw new RegexpSyntaxError(`not supported: ${(err as Error).message}`);
  }
}
