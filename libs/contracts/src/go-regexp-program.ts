// The parsed form of a Go regexp (built by go-regexp.ts) and its compilation to a small NFA
// program, as Go's regexp/syntax compiles one: character tests, zero-width assertions, jumps
// and splits. go-regexp-vm.ts runs the program over all paths at once, so matching time is
// linear in the input whatever the pattern. Repeat counts are expanded into copies, which is
// why the program's size is capped.

/** Zero-width assertions, evaluated between two characters. */
export const Assertion = {
  /** `\A`, and `^` without (?m). */
  TextStart: 0,
  /** `\z`, and `$` without (?m). */
  TextEnd: 1,
  /** `^` under (?m): start of text or after `\n`. */
  LineStart: 2,
  /** `$` under (?m): end of text or before `\n`. */
  LineEnd: 3,
  /** `\b`, with Go's ASCII word characters. */
  WordBoundary: 4,
  /** `\B`. */
  NotWordBoundary: 5,
} as const;
export type Assertion = (typeof Assertion)[keyof typeof Assertion];

export type Node =
  /** One code point, compared exactly. */
  | { readonly kind: 'literal'; readonly c: number }
  /**
   * One code point matched by a JS pattern (a class, or a literal under case folding), with
   * the `v` flag and `i` when folding: the translation keeps the runtime's Unicode tables.
   */
  | { readonly kind: 'class'; readonly js: string; readonly fold: boolean }
  /** `.`: any code point, `\n` only under (?s). */
  | { readonly kind: 'any'; readonly newline: boolean }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'concat'; readonly items: readonly Node[] }
  | { readonly kind: 'alternate'; readonly alternatives: readonly Node[] }
  /** max -1: unbounded. */
  | { readonly kind: 'repeat'; readonly sub: Node; readonly min: number; readonly max: number };

// Instructions. A character test or an assertion that holds continues at the next one.
export const Op = {
  /** arg: the code point. */
  Char: 0,
  /** arg: index in Program.classes. */
  Class: 1,
  AnyNotNewline: 2,
  Any: 3,
  /** arg: an Assertion. */
  Assert: 4,
  /** Continue at arg and at alt. */
  Split: 5,
  /** Continue at arg. */
  Jump: 6,
  Match: 7,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** A one-code-point test; ASCII answers are remembered, the rest asks the RegExp. */
export class CharClass {
  private readonly ascii = new Uint8Array(128); // 0: not asked yet, 1: in, 2: out

  constructor(private readonly re: RegExp) {}

  has(c: number): boolean {
    if (c >= 128) return this.re.test(String.fromCodePoint(c));
    let known = this.ascii[c]!;
    if (known === 0) {
      known = this.re.test(String.fromCharCode(c)) ? 1 : 2;
      this.ascii[c] = known;
    }
    return known === 1;
  }
}

export interface Program {
  readonly op: Uint8Array;
  readonly arg: Int32Array;
  /** The second target of a Split. */
  readonly alt: Int32Array;
  readonly classes: readonly CharClass[];
  /** Every match starts at the start of the text, so no thread needs to start later. */
  readonly anchored: boolean;
}

class TooLarge extends Error {}

/**
 * The program for `node`, starting at instruction 0; undefined if it would hold more than
 * `maxSize` instructions. Throws what RegExp throws for a class the runtime cannot compile.
 */
export function compileProgram(node: Node, maxSize: number): Program | undefined {
  const op: number[] = [];
  const arg: number[] = [];
  const alt: number[] = [];
  const classes: CharClass[] = [];
  const classIndex = new Map<string, number>();

  const emit = (o: Op, a = 0): number => {
    if (op.length >= maxSize) throw new TooLarge();
    op.push(o);
    arg.push(a);
    alt.push(0);
    return op.length - 1;
  };
  const charClass = (js: string, fold: boolean): number => {
    const key = `${fold ? 'i' : '-'}${js}`;
    let index = classIndex.get(key);
    if (index === undefined) {
      index = classes.length;
      classes.push(new CharClass(new RegExp(`^(?:${js})$`, fold ? 'iv' : 'v')));
      classIndex.set(key, index);
    }
    return index;
  };

  // Recursion depth follows the nesting of groups, which the parser limits.
  const compile = (n: Node): void => {
    switch (n.kind) {
      case 'literal':
        emit(Op.Char, n.c);
        return;
      case 'class':
        emit(Op.Class, charClass(n.js, n.fold));
        return;
      case 'any':
        emit(n.newline ? Op.Any : Op.AnyNotNewline);
        return;
      case 'assert':
        emit(Op.Assert, n.assertion);
        return;
      case 'concat':
        for (const item of n.items) compile(item);
        return;
      case 'alternate': {
        const jumps: number[] = [];
        n.alternatives.forEach((a, i) => {
          const last = i === n.alternatives.length - 1;
          const split = last ? -1 : emit(Op.Split);
          if (split >= 0) arg[split] = split + 1;
          compile(a);
          if (!last) {
            jumps.push(emit(Op.Jump));
            alt[split] = op.length;
          }
        });
        for (const j of jumps) arg[j] = op.length;
        return;
      }
      case 'repeat': {
        const { sub, min, max } = n;
        if (max < 0) {
          // x{n,} is n-1 copies and x+, x* is x{0,}: a loop either way.
          for (let i = 1; i < min; i++) compile(sub);
          if (min > 0) {
            const loop = op.length;
            compile(sub);
            const split = emit(Op.Split, loop);
            alt[split] = op.length;
          } else {
            const split = emit(Op.Split, op.length + 1);
            compile(sub);
            emit(Op.Jump, split);
            alt[split] = op.length;
          }
          return;
        }
        // x{n,m} is n copies, then m-n optional ones that each may end the repetition.
        for (let i = 0; i < min; i++) compile(sub);
        const splits: number[] = [];
        for (let i = min; i < max; i++) {
          const split = emit(Op.Split, op.length + 1);
          splits.push(split);
          compile(sub);
        }
        for (const s of splits) alt[s] = op.length;
        return;
      }
    }
  };

  try {
    compile(node);
    emit(Op.Match);
  } catch (err) {
    if (err instanceof TooLarge) return undefined;
    throw err;
  }
  return {
    op: Uint8Array.from(op),
    arg: Int32Array.from(arg),
    alt: Int32Array.from(alt),
    classes,
    anchored: startsAtTextStart(node),
  };
}

/** Whether every match of `n` must begin at the start of the text (conservatively). */
function startsAtTextStart(n: Node): boolean {
  switch (n.kind) {
    case 'assert':
      return n.assertion === Assertion.TextStart;
    case 'concat':
      return n.items.length > 0 && startsAtTextStart(n.items[0]!);
    case 'alternate':
      return n.alternatives.every(startsAtTextStart);
    case 'repeat':
      return n.min > 0 && startsAtTextStart(n.sub);
    default:
      return false;
  }
}
