// containerd's filter language (github.com/containerd/containerd/filters), as snapshots.Walk and
// List receive it: `labels."containerd.io/snapshot.ref"==sha256:abc,kind==committed`. Clients
// written against containerd send these strings unchanged, so what parses, what is rejected and
// what matches must be what containerd does, quirks included; the tests pin those quirks down.
// `~=` values are Go RE2 expressions: they are parsed with Go's rules and matched in linear time
// (go-regexp.ts) rather than handed to RegExp, because the two dialects read many patterns
// differently and RegExp backtracks, which a hostile pattern can make exponential.
import { SnapfleetError } from './errors';
import { compileGoRegexp, type GoRegexp, type MatchStats, RegexpSyntaxError } from './go-regexp';

/** Maps a field path to a value, as containerd's filters.Adaptor does. */
export interface Adaptor {
  field(fieldpath: string[]): { value: string; present: boolean };
}

export interface Filter {
  match(a: Adaptor): boolean;
}

export type Operator = '==' | '!=' | '~=';

/** One `fieldpath[op value]` term; without an operator it tests that the field is present. */
export interface Selector {
  readonly fieldpath: readonly string[];
  readonly operator?: Operator;
  readonly value?: string;
}

/** The structure of a parsed filter, for callers that want to push parts of it elsewhere. */
export type FilterAst =
  | { readonly type: 'always' }
  | { readonly type: 'all'; readonly selectors: readonly Selector[] }
  | { readonly type: 'any'; readonly alternatives: readonly FilterAst[] };

// ---------------------------------------------------------------------------------------------
// Filters

class AlwaysFilter implements Filter {
  match(): boolean {
    return true;
  }
}

/** Matches everything: what an empty filter string or an empty filter list means. */
export const matchAll: Filter = Object.freeze(new AlwaysFilter());

/**
 * Regexp work (matcher steps, see MatchStats) one `~=` selector may do over the life of one
 * parsed filter, i.e. one walk request. Matching is linear in the value, but a large program
 * over thousands of long values still adds up to seconds; past this the request fails rather
 * than hold an API process. Ordinary patterns spend tens of steps per value.
 */
export const REGEXP_STEP_BUDGET = 20_000_000;

class SelectorMatcher {
  private readonly fieldpath: string[];
  private readonly stats: MatchStats = { steps: 0 };
  private spent = 0;

  constructor(
    readonly selector: Selector,
    private readonly regexp: GoRegexp | undefined,
  ) {
    this.fieldpath = [...selector.fieldpath];
  }

  match(a: Adaptor): boolean {
    const { value, present } = a.field(this.fieldpath);
    switch (this.selector.operator) {
      case undefined:
        return present;
      case '==':
        return present && value === this.selector.value;
      // containerd does not look at presence for these two: an absent field reads as "", so
      // `labels.x!=y` matches objects without the label and `labels.x~=^$` does too.
      case '!=':
        return value !== this.selector.value;
      case '~=': {
        const matched = this.regexp!.test(value, this.stats);
        this.spent += this.stats.steps;
        if (this.spent > REGEXP_STEP_BUDGET) {
          throw new SnapfleetError(
            'invalid_argument',
            `filter too costly: the pattern of ${JSON.stringify(this.selector.fieldpath.join('.'))} took over ${REGEXP_STEP_BUDGET.toLocaleString('en')} matcher steps in this request; use a simpler pattern or narrow the walk with == selectors`,
          );
        }
        return matched;
      }
    }
  }
}

class AllFilter implements Filter {
  constructor(readonly matchers: readonly SelectorMatcher[]) {}

  match(a: Adaptor): boolean {
    return this.matchers.every((m) => m.match(a));
  }
}

class AnyFilter implements Filter {
  constructor(readonly alternatives: readonly Filter[]) {}

  match(a: Adaptor): boolean {
    return this.alternatives.some((f) => f.match(a));
  }
}

/** Parses one filter string: comma-separated selectors that must all match. "" matches all. */
export function parseFilter(s: string): Filter {
  if (s === '') return matchAll;
  return new Parser(s).parse();
}

/**
 * containerd's ParseAll: an object matches when any of the filters matches it; no filters
 * match everything (and so does a list holding "").
 */
export function parseFilters(filters: readonly string[]): Filter {
  if (filters.length === 0) return matchAll;
  return new AnyFilter(
    filters.map((f, index) => {
      try {
        return parseFilter(f);
      } catch (err) {
        if (err instanceof SnapfleetError && filters.length > 1) {
          throw new SnapfleetError(err.code, err.message, { ...err.details, index }, { cause: err });
        }
        throw err;
      }
    }),
  );
}

/** The structure of a filter built by this module; undefined for any other Filter. */
export function describeFilter(filter: Filter): FilterAst | undefined {
  if (filter instanceof AlwaysFilter) return { type: 'always' };
  if (filter instanceof AllFilter) return { type: 'all', selectors: filter.matchers.map((m) => m.selector) };
  if (filter instanceof AnyFilter) {
    const alternatives: FilterAst[] = [];
    for (const f of filter.alternatives) {
      const ast = describeFilter(f);
      if (ast === undefined) return undefined;
      alternatives.push(ast);
    }
    return { type: 'any', alternatives };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

const SNAPSHOT_KINDS: readonly string[] = ['active', 'view', 'committed'];

/** The fields containerd's snapshot stores expose to filters. */
export function snapshotAdaptor(info: {
  name: string;
  parent?: string;
  kind: string;
  labels: Record<string, string>;
}): Adaptor {
  return {
    field(fieldpath) {
      switch (fieldpath[0]) {
        // containerd looks only at the first element for these, so `name.x` reads the name too.
        case 'name':
          return { value: info.name, present: true };
        // A snapshot without a parent still has the field, holding "": `parent==""` finds roots.
        case 'parent':
          return { value: info.parent ?? '', present: true };
        case 'kind':
          return SNAPSHOT_KINDS.includes(info.kind) ? { value: info.kind, present: true } : ABSENT;
        case 'labels': {
          // Label keys contain dots (containerd.io/snapshot.ref), which the parser split.
          const key = fieldpath.slice(1).join('.');
          return Object.hasOwn(info.labels, key) ? { value: info.labels[key]!, present: true } : ABSENT;
        }
        default:
          return ABSENT;
      }
    },
  };
}

const ABSENT = Object.freeze({ value: '', present: false });

/**
 * Equality tests on snapshot columns that every snapshot matched by `filter` passes, for a
 * store to narrow its query with. `exact` says the filter is nothing but those tests; when it
 * is false the caller must still run filter.match on what the query returns. `parent: ""`
 * stands for "no parent". Undefined when the filter is an OR of several filters, or was not
 * built here; an empty object with exact true means the filter matches everything.
 */
export function equalityConstraints(
  filter: Filter,
): { kind?: string; name?: string; parent?: string; exact: boolean } | undefined {
  let ast = describeFilter(filter);
  while (ast?.type === 'any') {
    if (ast.alternatives.some((a) => a.type === 'always')) return { exact: true };
    if (ast.alternatives.length !== 1) return undefined;
    ast = ast.alternatives[0];
  }
  if (ast === undefined) return undefined;
  if (ast.type === 'always') return { exact: true };

  const found: { kind?: string; name?: string; parent?: string } = {};
  let exact = true;
  for (const sel of ast.selectors) {
    const field = sel.fieldpath[0];
    const column = field === 'name' || field === 'parent' || field === 'kind';
    if (sel.operator !== '==' || sel.fieldpath.length !== 1 || !column) {
      exact = false;
      continue;
    }
    const value = sel.value!;
    // A kind outside the known three never matches (the adaptor reports it absent) while a
    // column test would match a row holding it; keep the test, but make the caller check.
    if (field === 'kind' && !SNAPSHOT_KINDS.includes(value)) exact = false;
    const seen = found[field];
    if (seen === undefined) found[field] = value;
    // `name==a,name==b` matches nothing; keeping the first test is still a true necessary
    // condition, and the caller's own match then returns the empty result.
    else if (seen !== value) exact = false;
  }
  return { ...found, exact };
}

// ---------------------------------------------------------------------------------------------
// Scanner. Positions are UTF-16 offsets into the filter string.

const EOF = -1;
const ILLEGAL = -2;

type TokenKind = 'eof' | 'illegal' | 'quoted' | 'separator' | 'operator' | 'value' | 'field' | 'other';

interface Token {
  kind: TokenKind;
  pos: number;
  text: string;
}

const SPACE = /^\p{White_Space}$/u; // Go's unicode.IsSpace is exactly White_Space
// Go's IsLetter/IsDigit/IsNumber/IsGraphic/IsPunct, less the space separators IsSpace excludes.
const GRAPHIC = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const isSpace = (c: number) => c >= 0 && SPACE.test(String.fromCodePoint(c));
const isFieldChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isOperatorChar = (c: number) => c === 0x3d || c === 0x21 || c === 0x7e; // = ! ~
const isValueChar = (c: number) => c >= 0 && c !== 0x2c && !isSpace(c) && GRAPHIC.test(String.fromCodePoint(c));
// `/` and `|` quote regular expressions so that `"` can appear in them unescaped.
const isQuoteChar = (c: number) => c === 0x22 || c === 0x2f || c === 0x7c;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 16;
}

class Scanner {
  private next = 0;
  /** After an operator the next word is a value, whose alphabet is much wider than a field's. */
  private valueMode = false;
  /**
   * containerd keeps the first problem the scanner met and reports it with whichever illegal
   * token the parser trips on, which can be a later one (`"\g` ends in "illegal escape
   * sequence", not "quoted literal not terminated"). Peeking records problems too.
   */
  problem: string | undefined;

  constructor(private readonly input: string) {}

  /** The offset just past what has been consumed. */
  get offset(): number {
    return this.next;
  }

  private note(problem: string): void {
    this.problem ??= problem;
  }

  private decode(at: number): [char: number, width: number] {
    if (at >= this.input.length) return [EOF, 0];
    const c = this.input.codePointAt(at)!;
    const width = c > 0xffff ? 2 : 1;
    // Go reads UTF-8 and calls both a bad byte and a literal U+FFFD a "rune error"; in a JS
    // string the bad bytes have become U+FFFD or lone surrogates on the way in.
    if (c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) {
      this.note('rune error');
      return [ILLEGAL, width];
    }
    if (c === 0) {
      this.note('unexpected null');
      return [ILLEGAL, width];
    }
    return [c, width];
  }

  /** The next raw character, whitespace included: the parser relies on seeing it. */
  peek(): number {
    return this.decode(this.next)[0];
  }

  private read(): number {
    const [c, width] = this.decode(this.next);
    this.next += width;
    return c;
  }

  scan(): Token {
    let start: number;
    let c: number;
    do {
      start = this.next;
      c = this.read();
    } while (isSpace(c));

    const token = (kind: TokenKind): Token => ({ kind, pos: start, text: this.input.slice(start, this.next) });
    if (c === EOF) return { kind: 'eof', pos: start, text: '' };
    if (c === ILLEGAL) return { kind: 'illegal', pos: start, text: '' };
    if (isQuoteChar(c)) return token(this.scanQuoted(c) ? 'quoted' : 'illegal');
    if (c === 0x2c || c === 0x2e) {
      this.valueMode = false;
      return token('separator');
    }
    if (isOperatorChar(c)) {
      while (isOperatorChar(this.peek())) this.read();
      this.valueMode = true;
      return token('operator');
    }
    if (this.valueMode) {
      // The first character of a value is not checked against the value alphabet.
      while (isValueChar(this.peek())) this.read();
      this.valueMode = false;
      return token('value');
    }
    if (isFieldChar(c)) {
      while (isFieldChar(this.peek())) this.read();
      return token('field');
    }
    return token('other');
  }

  /** Consumes a quoted literal; false when it is malformed (the reason is in `problem`). */
  private scanQuoted(quote: number): boolean {
    let legal = true;
    let c = this.read();
    while (c !== quote) {
      if (c === 0x0a || c < 0) {
        this.note('quoted literal not terminated');
        return false;
      }
      if (c === 0x5c) {
        let ok: boolean;
        [c, ok] = this.scanEscape(quote);
        legal &&= ok;
      } else {
        c = this.read();
      }
    }
    return legal;
  }

  /** Returns the character after the escape, which the quoted loop examines next. */
  private scanEscape(quote: number): [number, boolean] {
    const c = this.read();
    switch (c) {
      case quote:
      case 0x61: // a
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
      case 0x76: // v
      case 0x5c: // backslash
        return [this.read(), true];
      case 0x78: // x
        return this.scanDigits(this.read(), 16, 2);
      case 0x75: // u
        return this.scanDigits(this.read(), 16, 4);
      case 0x55: // U
        return this.scanDigits(this.read(), 16, 8);
      default:
        if (c >= 0x30 && c <= 0x37) return this.scanDigits(c, 8, 3);
        this.note('illegal escape sequence');
        return [c, false];
    }
  }

  private scanDigits(c: number, base: number, count: number): [number, boolean] {
    while (count > 0 && hexValue(c) < base) {
      c = this.read();
      count--;
    }
    if (count > 0) {
      this.note('illegal numeric escape sequence');
      return [c, false];
    }
    return [c, true];
  }
}

// ---------------------------------------------------------------------------------------------
// Quoted literals: Go string syntax, with `/` and `|` as further quote characters.

/** Go builds unquoted strings from bytes (`\xff` is one byte); this turns them back into text. */
function pushUtf8(bytes: number[], c: number): void {
  if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // what Go's utf8.EncodeRune writes for them
  if (c < 0x80) bytes.push(c);
  else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
  else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
}

/**
 * Decodes UTF-8, keeping each byte that is not part of a valid sequence as the lone surrogate
 * U+DC00+byte. A Go string holding such bytes equals no well-formed string, and neither does
 * a JS string holding a lone surrogate, so equality keeps its meaning.
 */
function decodeUtf8(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const cont = (k: number, lo = 0x80, hi = 0xbf) => {
      const x = bytes[i + k];
      return x !== undefined && x >= lo && x <= hi;
    };
    let width = 0;
    if (b < 0x80) width = 1;
    else if (b >= 0xc2 && b <= 0xdf) width = cont(1) ? 2 : 0;
    else if (b === 0xe0) width = cont(1, 0xa0) && cont(2) ? 3 : 0;
    else if (b === 0xed) width = cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
    else if (b >= 0xe1 && b <= 0xef) width = cont(1) && cont(2) ? 3 : 0;
    else if (b === 0xf0) width = cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    else if (b === 0xf4) width = cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
    else if (b >= 0xf1 && b <= 0xf3) width = cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (width === 0) {
      out += String.fromCharCode(0xdc00 + b);
      i += 1;
      continue;
    }
    let c = width === 1 ? b : b & (0xff >> (width + 1));
    for (let k = 1; k < width; k++) c = (c << 6) | (bytes[i + k]! & 0x3f);
    out += String.fromCodePoint(c);
    i += width;
  }
  return out;
}

class QuoteSyntaxError extends Error {}

/** Unquotes a literal the scanner accepted; fails on what only the decoder checks (`\777`). */
function unquote(raw: string): string {
  const quote = raw[0];
  if (raw.length < 2 || raw[raw.length - 1] !== quote) throw new QuoteSyntaxError();
  const inner = raw.slice(1, -1);
  if (inner.includes('\n')) throw new QuoteSyntaxError();
  if (!inner.includes('\\') && !inner.includes(quote!)) return inner;

  const bytes: number[] = [];
  for (let i = 0; i < inner.length; ) {
    const c = inner.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    if (String.fromCodePoint(c) === quote) throw new QuoteSyntaxError();
    if (c !== 0x5c) {
      pushUtf8(bytes, c);
      continue;
    }
    const e = inner[i++];
    switch (e) {
      case 'a':
        bytes.push(0x07);
        break;
      case 'b':
        bytes.push(0x08);
        break;
      case 'f':
        bytes.push(0x0c);
        break;
      case 'n':
        bytes.push(0x0a);
        break;
      case 'r':
        bytes.push(0x0d);
        break;
      case 't':
        bytes.push(0x09);
        break;
      case 'v':
        bytes.push(0x0b);
        break;
      case '\\':
        bytes.push(0x5c);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const digits = inner.slice(i, i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw new QuoteSyntaxError();
        i += n;
        const v = parseInt(digits, 16);
        if (e === 'x') bytes.push(v);
        else if (v > 0x10ffff) throw new QuoteSyntaxError();
        else pushUtf8(bytes, v);
        break;
      }
      case '"':
      case "'":
      case '/':
      case '|':
        if (e !== quote) throw new QuoteSyntaxError();
        bytes.push(e.charCodeAt(0));
        break;
      default: {
        const digits = (e ?? '') + inner.slice(i, i + 2);
        if (!/^[0-7]{3}$/.test(digits)) throw new QuoteSyntaxError();
        i += 2;
        const v = parseInt(digits, 8);
        if (v > 255) throw new QuoteSyntaxError();
        bytes.push(v);
      }
    }
  }
  return decodeUtf8(bytes);
}

// ---------------------------------------------------------------------------------------------
// Parser

function invalid(input: string, pos: number, msg: string): SnapfleetError {
  // containerd's own wording, so messages read the same whichever snapshotter answered.
  let where: string;
  if (pos < input.length) {
    const width = input.codePointAt(pos)! > 0xffff ? 2 : 1;
    where = `[${input.slice(0, pos)} >|${input.slice(pos, pos + width)}|< ${input.slice(pos + width)}]`;
  } else {
    where = `[${input}]`;
  }
  return new SnapfleetError('invalid_argument', `filters: parse error: ${where}: ${msg}`, {
    filter: input,
    position: pos,
  });
}

class Parser {
  private readonly scanner: Scanner;

  constructor(private readonly input: string) {
    this.scanner = new Scanner(input);
  }

  private fail(pos: number, msg: string): never {
    throw invalid(this.input, pos, msg);
  }

  parse(): Filter {
    const matchers = [this.selector()];
    for (;;) {
      // A raw peek, so whitespace after a value is an error: containerd rejects `a==b ,c`
      // and even a trailing space, though it skips spaces before a field, operator or value.
      const c = this.scanner.peek();
      if (c === EOF) break;
      if (c !== 0x2c) {
        const shown = c === ILLEGAL ? '\ufffd' : String.fromCodePoint(c);
        this.fail(this.scanner.offset, `unexpected input: ${shown}`);
      }
      this.scanner.scan();
      matchers.push(this.selector());
    }
    return new AllFilter(matchers);
  }

  private selector(): SelectorMatcher {
    const fieldpath = [this.field()];
    while (this.scanner.peek() === 0x2e) {
      this.scanner.scan();
      fieldpath.push(this.field());
    }

    const next = this.scanner.peek();
    if (next === 0x2c || next === EOF) return new SelectorMatcher({ fieldpath }, undefined);

    const operator = this.operator();
    const token = this.scanner.scan();
    let value: string;
    switch (token.kind) {
      case 'value':
      case 'field':
        value = token.text;
        break;
      case 'quoted':
        value = this.unquote(token, operator === '~=');
        break;
      case 'illegal':
        return this.fail(token.pos, this.scanner.problem ?? 'illegal input');
      default:
        return this.fail(token.pos, 'expected value or quoted');
    }
    const regexp = operator === '~=' ? this.regexp(value, token.pos) : undefined;
    return new SelectorMatcher({ fieldpath, operator, value }, regexp);
  }

  private field(): string {
    const token = this.scanner.scan();
    switch (token.kind) {
      case 'field':
        return token.text;
      case 'quoted':
        return this.unquote(token, false);
      case 'illegal':
        return this.fail(token.pos, this.scanner.problem ?? 'illegal input');
      default:
        return this.fail(token.pos, 'expected field or quoted');
    }
  }

  private operator(): Operator {
    const token = this.scanner.scan();
    switch (token.kind) {
      case 'operator':
        if (token.text === '==' || token.text === '!=' || token.text === '~=') return token.text;
        return this.fail(token.pos, `unsupported operator ${JSON.stringify(token.text)}`);
      case 'illegal':
        return this.fail(token.pos, this.scanner.problem ?? 'illegal input');
      default:
        return this.fail(token.pos, 'expected an operator ("=="|"!="|"~=")');
    }
  }

  /** `/re/` and `|re|` are accepted only where a regular expression is expected. */
  private unquote(token: Token, allowRegexpQuotes: boolean): string {
    if (!allowRegexpQuotes && token.text[0] !== '"') this.fail(token.pos, 'invalid quote encountered');
    try {
      return unquote(token.text);
    } catch (err) {
      if (err instanceof QuoteSyntaxError) this.fail(token.pos, 'unquoting failed: quote syntax error');
      throw err;
    }
  }

  /**
   * containerd compiles the pattern only when matching and, if Go cannot compile it, logs and
   * lets the selector match nothing. Rejecting it up front tells the client instead.
   */
  private regexp(pattern: string, pos: number): GoRegexp {
    try {
      return compileGoRegexp(pattern);
    } catch (err) {
      if (err instanceof RegexpSyntaxError) this.fail(pos, `invalid regexp ${JSON.stringify(pattern)}: ${err.message}`);
      throw err;
    }
  }
}
