// A parser for the small, plain subset of YAML that docker/compose.yaml is written in, so the
// compose file can be checked on machines without Docker or a YAML library: block mappings and
// sequences, one-line flow sequences of scalars, plain and quoted scalars, comments. Anything
// outside the subset (anchors, tags, block scalars, flow mappings, several documents, tabs)
// is refused with the line number, which keeps the compose file easy to read as well.
// YAML 1.1 booleans (yes/no/on/off) are refused too: Compose and PyYAML read them differently.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  no: number;
  indent: number;
  text: string;
}

export class YamlSubsetError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

export function parseYamlSubset(source: string): YamlValue {
  const lines = toLines(source);
  if (lines.length === 0) return null;
  const p = new Parser(lines);
  const value = p.block(lines[0]!.indent);
  if (p.i < lines.length) throw new YamlSubsetError(lines[p.i]!.no, 'unexpected indentation');
  return value;
}

/** Lines without comments and blank lines; tabs and document markers refused. */
function toLines(source: string): Line[] {
  const out: Line[] = [];
  source.split(/\r?\n/).forEach((raw, idx) => {
    const no = idx + 1;
    const indentText = /^[ \t]*/.exec(raw)![0];
    if (indentText.includes('\t')) throw new YamlSubsetError(no, 'tab in indentation');
    const text = stripComment(raw.slice(indentText.length), no).trimEnd();
    if (text === '') return;
    if (/^(---|\.\.\.)(\s|$)/.test(text) || text.startsWith('%')) throw new YamlSubsetError(no, 'document markers and directives are not in the subset');
    out.push({ no, indent: indentText.length, text });
  });
  return out;
}

function stripComment(s: string, no: number): string {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      // A quote opens a quoted scalar only at the start of a value.
      if (i === 0 || /[\s[,:-]/.test(s[i - 1]!)) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) {
      return s.slice(0, i);
    }
  }
  if (quote) throw new YamlSubsetError(no, 'unterminated quoted string');
  return s;
}

/** Index of the `:` that ends a mapping key (followed by a space or the end), or -1. */
function keyColon(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ')) return i;
  }
  return -1;
}

const isSeqItem = (text: string) => text === '-' || text.startsWith('- ');

class Parser {
  i = 0;
  constructor(private readonly lines: Line[]) {}

  block(indent: number): YamlValue {
    const line = this.lines[this.i]!;
    return isSeqItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlSubsetError(line.no, 'unexpected indentation');
      if (isSeqItem(line.text)) break;
      const colon = keyColon(line.text);
      if (colon <= 0) throw new YamlSubsetError(line.no, `expected "key: value", got ${JSON.stringify(line.text)}`);
      const key = scalar(line.text.slice(0, colon).trim(), line.no);
      if (typeof key !== 'string' && typeof key !== 'number') throw new YamlSubsetError(line.no, 'mapping keys must be strings');
      const k = String(key);
      if (Object.prototype.hasOwnProperty.call(map, k)) throw new YamlSubsetError(line.no, `duplicate key ${JSON.stringify(k)}`);
      const rest = line.text.slice(colon + 1).trim();
      this.i++;
      map[k] = rest === '' ? this.nested(indent) : inline(rest, line.no);
    }
    return map;
  }

  /** The value of `key:` with nothing after it: a deeper block, a same-level sequence, or null. */
  private nested(indent: number): YamlValue {
    const next = this.lines[this.i];
    if (next && next.indent > indent) return this.block(next.indent);
    if (next && next.indent === indent && isSeqItem(next.text)) return this.sequence(indent);
    return null;
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent !== indent || !isSeqItem(line.text)) {
        if (line.indent > indent) throw new YamlSubsetError(line.no, 'unexpected indentation');
        break;
      }
      const content = line.text.slice(1).trimStart();
      if (content === '') {
        this.i++;
        const next = this.lines[this.i];
        items.push(next && next.indent > indent ? this.block(next.indent) : null);
      } else if (keyColon(content) > 0 && !content.startsWith('[')) {
        // `- key: value` opens a mapping whose keys line up with `key`.
        const itemIndent = indent + (line.text.length - content.length);
        this.lines[this.i] = { no: line.no, indent: itemIndent, text: content };
        items.push(this.block(itemIndent));
      } else {
        this.i++;
        items.push(inline(content, line.no));
      }
    }
    return items;
  }
}

function inline(text: string, no: number): YamlValue {
  if (text.startsWith('[')) return flowSequence(text, no);
  if (/^[{&*!|>]/.test(text)) throw new YamlSubsetError(no, `${JSON.stringify(text[0])} (flow mappings, anchors, aliases, tags, block scalars) is not in the subset`);
  return scalar(text, no);
}

function flowSequence(text: string, no: number): YamlValue[] {
  if (!text.endsWith(']')) throw new YamlSubsetError(no, 'a flow sequence must end on its line');
  const body = text.slice(1, -1).trim();
  if (body === '') return [];
  const items: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') throw new YamlSubsetError(no, 'nested flow collections are not in the subset');
    else if (c === ',') {
      items.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(body.slice(start).trim());
  return items.map((item) => scalar(item, no));
}

// PyYAML reads these as booleans (it leaves y/n alone), Compose as strings.
const YAML11_BOOLEANS = /^(yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;

function scalar(text: string, no: number): YamlValue {
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlSubsetError(no, 'text after a quoted string');
    try {
      // Double-quoted YAML escapes used here (\" \\ \n \t \/) are JSON's.
      return JSON.parse(text) as string;
    } catch {
      throw new YamlSubsetError(no, `unsupported escape in ${text}`);
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError(no, 'text after a quoted string');
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (YAML11_BOOLEANS.test(text)) throw new YamlSubsetError(no, `${text} is a boolean in YAML 1.1 and a string in 1.2: quote it`);
  // 8080:8080 is a number in base 60 to YAML 1.1 (PyYAML), a string to Compose: quote it.
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(text)) throw new YamlSubsetError(no, `${text} is a base-60 number in YAML 1.1: quote it`);
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?0[0-9]+$/.test(text)) throw new YamlSubsetError(no, `${text} is octal in YAML 1.1: quote it`);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/^-[^\s]/.test(text)) throw new YamlSubsetError(no, `plain scalar cannot start with ${JSON.stringify(text[0])}`);
  if (/:\s|\s#/.test(text)) throw new YamlSubsetError(no, `plain scalar ${JSON.stringify(text)} needs quotes`);
  return text;
}
