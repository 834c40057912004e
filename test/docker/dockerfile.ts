// Reads a Dockerfile into its instructions and build stages, enough to check it without a
// Docker engine: continuation lines joined, comments and parser directives dropped, exec-form
// (JSON array) arguments decoded.

export interface Instruction {
  line: number;
  /** Upper-cased keyword: FROM, RUN, COPY… */
  keyword: string;
  args: string;
}

export interface Stage {
  from: Instruction;
  /** Base image of the stage (`node:20-bookworm`). */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    // A trailing backslash continues the instruction; comment lines inside it are skipped.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      line = line.replace(/\\\s*$/, ' ') + (/^\s*#/.test(next) ? '' : next);
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: not an instruction: ${line}`);
    out.push({ line: start + 1, keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim() });
  }
  return out;
}

export function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ from: ins, image: m[1]!, name: m[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** The JSON array of an exec-form instruction (ENTRYPOINT ["node", "x.js"]), or undefined. */
export function execForm(ins: Instruction): string[] | undefined {
  if (!ins.args.startsWith('[')) return undefined;
  const v: unknown = JSON.parse(ins.args);
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

/** `COPY [--from=x] [--chown=…] SRC… DEST` → its stage, sources and destination. */
export function copyOf(ins: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const words = ins.args.split(' ');
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  const dest = words.pop()!;
  return { from, sources: words, dest };
}
