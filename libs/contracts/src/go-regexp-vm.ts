// Runs a program of go-regexp-program.ts the way RE2 does: a Pike VM (without captures, since
// only "does it match" is asked) whose steps are remembered, which makes it a lazily built DFA.
// The set of live instructions advances one code point at a time and each instruction enters
// the set at most once per position, so a test costs at most two passes over the program per
// code point, whatever the pattern: nothing backtracks. A step already taken from the same set
// on the same character is looked up instead of redone, which is what brings common patterns
// to a few nanoseconds per character. The memory this takes is capped per pattern: the cache
// starts over when full, and sets too large for it, or a text on which it keeps missing, are
// run as the plain Pike VM, so the bound above holds either way.
import { Assertion, type CharClass, Op, type Program } from './go-regexp-program';

/** Filled in by GoRegexp.test: the work done, at most (code points + 1) × (2 × size + 1). */
export interface MatchStats {
  steps: number;
}

export interface GoRegexpOptions {
  /**
   * Memory for remembered steps, in array slots (a state costs its instructions plus 130, and
   * only states up to an eighth of this are kept); 0 runs the plain Pike VM, every step
   * computed afresh.
   */
  cacheBudget?: number;
}

const DEFAULT_CACHE_BUDGET = 1 << 14;
/** For follow(): the characters around the position are not known yet. */
const UNDECIDED = -2;

const isWordChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

/**
 * The code point at UTF-16 index i. A lone surrogate (a byte that was not UTF-8 on the way in)
 * reads as U+FFFD, as Go reads such a byte.
 */
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return c;
  if (c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return 0xfffd;
}

/** Whether an assertion holds between `prev` and `next` (-1: the start or end of the text). */
function holds(a: number, prev: number, next: number): boolean {
  switch (a) {
    case Assertion.TextStart:
      return prev < 0;
    case Assertion.TextEnd:
      return next < 0;
    case Assertion.LineStart:
      return prev < 0 || prev === 0x0a;
    case Assertion.LineEnd:
      return next < 0 || next === 0x0a;
    case Assertion.WordBoundary:
      return isWordChar(prev) !== isWordChar(next);
    default:
      return isWordChar(prev) === isWordChar(next);
  }
}

/**
 * The threads alive at one position: character tests, assertions not yet evaluated (they
 * need the next character) and, in `prev`, what assertions need of the previous character.
 */
class State {
  /** Where each ASCII character leads, once computed. */
  ascii: (State | undefined)[] | undefined;
  /** Where other characters lead. */
  other: Map<number, State> | undefined;
  /** Whether the text may end here: 0 not known yet, 1 matches, 2 does not. */
  end = 0;

  constructor(
    readonly pcs: Int32Array,
    readonly prev: number,
    /** Whether the state is in the cache, so that steps to and from it may be remembered. */
    public cached: boolean,
  ) {}
}

/**
 * Scratch space for building sets of instructions, shared by all patterns since a test runs
 * to its end before another starts: `marks[pc] === gen` says pc is in the set being built.
 */
class Scratch {
  readonly marks: Uint32Array;
  readonly stack: Int32Array;
  readonly list: Int32Array;
  readonly set: Int32Array;
  gen = 0;

  constructor(n: number) {
    this.marks = new Uint32Array(n);
    this.stack = new Int32Array(n);
    this.list = new Int32Array(n);
    this.set = new Int32Array(n);
  }

  newGeneration(): void {
    if (++this.gen === 0xffffffff) {
      this.marks.fill(0);
      this.gen = 1;
    }
  }
}

let scratch = new Scratch(256);

/** Reached a Match instruction: the test is true, whatever follows. */
const MATCHED = new State(new Int32Array(0), 0, true);
/** No thread is alive and none can start: the test is false. */
const DEAD = new State(new Int32Array(0), 0, true);

/** A compiled Go regexp; reusable for any number of tests (not re-entered: it is synchronous). */
export class GoRegexp {
  private readonly op: Uint8Array;
  private readonly arg: Int32Array;
  private readonly alt: Int32Array;
  private readonly classes: readonly CharClass[];
  private readonly anchored: boolean;
  /** Whether an assertion looks at the character before (^ under (?m), \b, \B). */
  private readonly prevMatters: boolean;
  private readonly cacheBudget: number;
  private steps = 0;
  // Remembered states, by prev and instructions; cacheUsed counts their slots.
  private states = new Map<string, State>();
  private cacheUsed = 0;
  private start: State | undefined;
  /** Set during a test whose steps are mostly new: building keys for them would cost more. */
  private bypass = false;

  constructor(
    program: Program,
    /** The Go pattern, for messages. */
    readonly source: string,
    options: GoRegexpOptions = {},
  ) {
    ({ op: this.op, arg: this.arg, alt: this.alt, classes: this.classes, anchored: this.anchored } = program);
    this.prevMatters = this.op.some(
      (o, pc) => o === Op.Assert && program.arg[pc] !== Assertion.TextStart && program.arg[pc] !== Assertion.TextEnd,
    );
    this.cacheBudget = options.cacheBudget ?? DEFAULT_CACHE_BUDGET;
  }

  /** Instructions in the program. */
  get size(): number {
    return this.op.length;
  }

  /** Whether the pattern matches anywhere in `s` (Go's MatchString). */
  test(s: string, stats?: MatchStats): boolean {
    if (scratch.marks.length < this.op.length) scratch = new Scratch(Math.max(this.op.length, 2 * scratch.marks.length));
    this.steps = 0;
    this.bypass = false;
    let state = this.start ?? this.startState();
    let remembered = 0;
    let computed = 0;
    for (let i = 0; i < s.length && state !== MATCHED && state !== DEAD; ) {
      const c = codePointAt(s, i);
      let next = c < 128 ? state.ascii?.[c] : state.other?.get(c);
      if (next === undefined) {
        next = this.step(state, c);
        // Like RE2, give up on the cache for this text when it keeps missing.
        if (++computed > 64 && computed > remembered) this.bypass = true;
      } else {
        remembered++;
      }
      state = next;
      i += c > 0xffff ? 2 : 1;
    }
    const matched = state === MATCHED || (state !== DEAD && this.endMatches(state));
    if (stats !== undefined) stats.steps = this.steps + remembered;
    return matched;
  }

  private startState(): State {
    scratch.newGeneration();
    const size = this.close(0, scratch.set, 0);
    const start = size < 0 ? MATCHED : this.intern(size, -1);
    if (start.cached) this.start = start;
    return start;
  }

  /** The state after reading `c` in `from`: one step of the Pike VM. */
  private step(from: State, c: number): State {
    const { op, arg, classes } = this;
    const { list, set } = scratch;
    // The threads at this position, now that the character after it is known.
    scratch.newGeneration();
    let count = 0;
    for (const pc of from.pcs) {
      count = this.follow(pc, from.prev, c, list, count);
      if (count < 0) return this.remember(from, c, MATCHED);
    }
    // Those that read `c`, and (unless anchored) a new one starting after it.
    scratch.newGeneration();
    let size = 0;
    for (let i = 0; i < count; i++) {
      const pc = list[i]!;
      let ok: boolean;
      switch (op[pc]) {
        case Op.Char:
          ok = arg[pc] === c;
          break;
        case Op.Class:
          ok = classes[arg[pc]!]!.has(c);
          break;
        case Op.AnyNotNewline:
          ok = c !== 0x0a;
          break;
        default:
          ok = true;
      }
      if (ok) {
        size = this.close(pc + 1, set, size);
        if (size < 0) return this.remember(from, c, MATCHED);
      }
    }
    if (!this.anchored) {
      size = this.close(0, set, size);
      if (size < 0) return this.remember(from, c, MATCHED);
    }
    const prev = !this.prevMatters ? 0x20 : c === 0x0a ? 0x0a : isWordChar(c) ? 0x61 : 0x20;
    return this.remember(from, c, size === 0 ? DEAD : this.intern(size, prev));
  }

  /** Whether a match ends where the text does, in `state`. */
  private endMatches(state: State): boolean {
    if (state.end === 0) {
      scratch.newGeneration();
      let count = 0;
      for (const pc of state.pcs) {
        count = this.follow(pc, state.prev, -1, scratch.list, count);
        if (count < 0) break;
      }
      state.end = count < 0 ? 1 : 2;
    }
    return state.end === 1;
  }

  /**
   * Adds to `list` the character tests reachable from `start` at a position between `prev`
   * and `next`, evaluating assertions (or, with UNDECIDED, keeping them for the next
   * character); returns the new length, or -1 if a match is reached.
   */
  private follow(start: number, prev: number, next: number, list: Int32Array, count: number): number {
    const { op, arg, alt } = this;
    const { marks, stack, gen } = scratch;
    if (marks[start] === gen) return count;
    marks[start] = gen;
    stack[0] = start;
    let sp = 1;
    let steps = 0;
    while (sp > 0) {
      const pc = stack[--sp]!;
      steps++;
      let to = -1;
      let to2 = -1;
      switch (op[pc]) {
        case Op.Match:
          this.steps += steps;
          return -1;
        case Op.Jump:
          to = arg[pc]!;
          break;
        case Op.Split:
          to = arg[pc]!;
          to2 = alt[pc]!;
          break;
        case Op.Assert:
          // Between two known characters an assertion is decided now; otherwise it waits.
          if (next === UNDECIDED) list[count++] = pc;
          else if (holds(arg[pc]!, prev, next)) to = pc + 1;
          break;
        default:
          list[count++] = pc;
      }
      if (to >= 0 && marks[to] !== gen) {
        marks[to] = gen;
        stack[sp++] = to;
      }
      if (to2 >= 0 && marks[to2] !== gen) {
        marks[to2] = gen;
        stack[sp++] = to2;
      }
    }
    this.steps += steps;
    return count;
  }

  /**
   * Adds to `set` what is reachable from `start` through jumps and splits: character tests and
   * assertions, which wait for the next character. Returns the new size, or -1 at a Match.
   */
  private close(start: number, set: Int32Array, size: number): number {
    return this.follow(start, UNDECIDED, UNDECIDED, set, size);
  }

  /**
   * The state holding the first `size` instructions of `set`, from the cache when it is there
   * or fits. One that would take over an eighth of the cache is not worth keeping, nor any
   * while the cache is bypassed: those live as long as the test that needs them, like every
   * state of the plain Pike VM.
   */
  private intern(size: number, prev: number): State {
    const cost = size + 130;
    if (this.bypass || cost * 8 > this.cacheBudget) return new State(scratch.set.slice(0, size), prev, false);
    const pcs = scratch.set.slice(0, size).sort();
    const key = `${prev} ${pcs.join(',')}`;
    let state = this.states.get(key);
    if (state === undefined) {
      if (this.cacheUsed + cost > this.cacheBudget) this.forget();
      state = new State(pcs, prev, true);
      this.states.set(key, state);
      this.cacheUsed += cost;
    }
    return state;
  }

  /** Records that `c` leads from `from` to `to` when both are cached; returns `to`. */
  private remember(from: State, c: number, to: State): State {
    if (!from.cached || !to.cached) return to;
    if (c < 128) {
      (from.ascii ??= new Array<State | undefined>(128).fill(undefined))[c] = to;
    } else {
      if (this.cacheUsed + 4 > this.cacheBudget) return to;
      (from.other ??= new Map()).set(c, to);
      this.cacheUsed += 4;
    }
    return to;
  }

  /** Empties the cache. States still in use by a test go on working, without their steps. */
  private forget(): void {
    for (const state of this.states.values()) {
      state.cached = false;
      state.ascii = undefined;
      state.other = undefined;
    }
    this.states = new Map();
    this.cacheUsed = 0;
    this.start = undefined;
  }
}
