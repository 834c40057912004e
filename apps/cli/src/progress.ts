// The indicator shown while snapctl waits for a job: on a terminal, one line redrawn in place
// (spinner, state, a bar once the job reports progress); otherwise (a pipe, a CI log) one
// plain line per change of state or progress, so logs stay readable. Always on stderr, so
// stdout carries only the result.
import type { JobView } from '@snapfleet/contracts';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** A new view of the job (called on every change of state or progress). */
  update(job: JobView): void;
  /** Clears the indicator; later output starts on a clean line. */
  done(): void;
}

const SPINNER = ['|', '/', '-', '\\'];
const FRAME_MS = 120;
const BAR_WIDTH = 20;

export const NO_PROGRESS: Progress = { update: () => undefined, done: () => undefined };

export function createProgress(stream: ProgressStream, label: string, enabled = true): Progress {
  if (!enabled) return NO_PROGRESS;
  return stream.isTTY ? new TtyProgress(stream, label) : new LineProgress(stream, label);
}

/** "active 40%" or "waiting". */
export function describeState(job: JobView): string {
  return job.progress === undefined || job.state !== 'active' ? job.state : `${job.state} ${Math.round(job.progress)}%`;
}

export function progressBar(percent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

class LineProgress implements Progress {
  private last = '';
  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
  ) {}

  update(job: JobView): void {
    const line = `${this.label}: ${describeState(job)}`;
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`${line}\n`);
  }

  done(): void {}
}

class TtyProgress implements Progress {
  private frame = 0;
  private job: JobView | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
  ) {}

  update(job: JobView): void {
    this.job = job;
    // Nothing is drawn until there is a job to show: an answer that comes back at once
    // (most of them) leaves no trace on the terminal. From then on the spinner turns between
    // polls (they back off to 2 s) so a wait never looks hung; unref'd, it never keeps the
    // process alive.
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), FRAME_MS);
      this.timer.unref();
    }
    this.draw();
  }

  done(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(): void {
    if (!this.job) return;
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const bar = this.job.progress !== undefined && this.job.state === 'active' ? ` ${progressBar(this.job.progress)}` : '';
    let line = `${spin} ${this.label}: ${describeState(this.job)}${bar}`;
    const cols = this.stream.columns ?? 80;
    if (line.length >= cols) line = `${line.slice(0, Math.max(0, cols - 2))}…`;
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
