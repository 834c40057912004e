// Running btrfs-progs: never through a shell (arguments are an array, paths follow `--`),
// under LC_ALL=C so error texts are the English strerror ones we classify, and failures
// turned into BtrfsError with an errno recovered from stderr.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BtrfsError } from './errors';
import { ERRNO_TEXTS } from './errno';

export interface CommandContext {
  op: string;
  /** The caller's path the command is about. */
  path: string;
  subject?: string;
}

export interface ProgsOptions {
  /** btrfs executable; default `btrfs` from PATH. */
  binary?: string;
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const MAX_STDERR_BYTES = 64 * 1024;

// Phrases btrfs-progs prints instead of (or before) a strerror text; checked first so that
// e.g. "Not a Btrfs filesystem: Invalid argument" means ENOTTY like the ioctl would say.
const PHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/not a (valid )?btrfs filesystem/i, 'ENOTTY'],
  [/not a (btrfs )?subvolume/i, 'EINVAL'],
  [/target path already exists/i, 'EEXIST'],
];

/** Error code that btrfs-progs stderr names, undefined when it names none we know. */
export function classifyStderr(stderr: string): string | undefined {
  for (const [pattern, code] of PHRASES) if (pattern.test(stderr)) return code;
  const lower = stderr.toLowerCase();
  for (const [code, text] of Object.entries(ERRNO_TEXTS)) {
    if (lower.includes(text.toLowerCase())) return code;
  }
  return undefined;
}

export function progsError(
  ctx: CommandContext,
  binary: string,
  args: readonly string[],
  stderr: string,
  cause?: unknown,
): BtrfsError {
  const text = stderr.trim();
  const code = classifyStderr(text);
  // "btrfs subvolume create": the command, without options or paths.
  const words = args.filter((a) => /^[a-z][a-z-]*$/.test(a)).slice(0, 2);
  const syscall = [binary, ...words].join(' ');
  return new BtrfsError({
    ...ctx,
    code: code ?? 'EIO',
    syscall,
    detail: code ? undefined : text || 'btrfs-progs failed without a message',
    cause,
  });
}

function commandEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C' };
}

function missingBinary(binary: string, cause: unknown): Error {
  return new Error(`cannot run \`${binary}\`: is btrfs-progs (or util-linux) installed and in PATH?`, { cause });
}

/** Runs `binary` (btrfs) and returns stdout; rejects with a BtrfsError on a non-zero exit. */
export function runCommand(binary: string, args: readonly string[], ctx: CommandContext): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { env: commandEnv(), maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      // A string code means btrfs never ran (or its output overflowed); a number is its exit status.
      const code = (err as NodeJS.ErrnoException).code as unknown;
      if (code === 'ENOENT' || code === 'EACCES') return reject(missingBinary(binary, err));
      if (typeof code === 'string') return reject(err);
      reject(progsError(ctx, binary, args, stderr, err));
    });
  });
}

/** What a line handler of streamCommand may return: 'stop' ends the command early. */
export type LineVerdict = 'stop' | void;

/**
 * Runs `binary` (btrfs) and feeds stdout to `onLine` line by line (dump-tree output grows with the
 * tree, so it is never buffered whole); rejects with a BtrfsError on a non-zero exit. When
 * `onLine` returns 'stop' the command is killed and the promise resolves: it has read enough.
 */
export function streamCommand(
  binary: string,
  args: readonly string[],
  ctx: CommandContext,
  onLine: (line: string) => LineVerdict,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: commandEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    let lineError: unknown;
    let stopped = false;
    lines.on('line', (line) => {
      if (lineError !== undefined || stopped) return;
      try {
        if (onLine(line) === 'stop') {
          stopped = true;
          child.kill();
        }
      } catch (err) {
        // Output we cannot trust: stop reading it.
        lineError = err;
        child.kill();
      }
    });
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      if (spawnError) return reject(missingBinary(binary, spawnError));
      if (lineError !== undefined) return reject(lineError);
      if (code === 0 || stopped) return resolve();
      reject(progsError(ctx, binary, args, stderr));
    });
  });
}
