// Both apps write each log line as it is logged (decisions.md, "Log lines are written
// synchronously"): what a process logged before it was SIGKILLed (the OOM killer, a
// watchdog, a node drained too hard) is in its log, not lost in an in-memory buffer.
// Each case runs the app's real logger params in a child process, which logs a burst of
// lines and then kills itself; an asynchronous destination loses most of such a burst.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { distEntry } from '../support/dist';

const LINES = 2000;

function burstThenKill(loggerModule: string, call: string): { lines: string[]; signal: NodeJS.Signals | null } {
  const script = `
    const { loggerParams } = require(${JSON.stringify(distEntry(loggerModule))});
    const params = ${call}.pinoHttp;
    // Plain options (no destination of our own) is the regression this guards: pino's default, asynchronous.
    const [opts, stream] = Array.isArray(params) ? params : [params];
    const log = require('pino')(opts, stream);
    for (let i = 0; i < ${LINES}; i++) log.info({ i }, 'burst line');
    process.kill(process.pid, 'SIGKILL');
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { lines: r.stdout.split('\n').filter((l) => l.includes('burst line')), signal: r.signal };
}

describe('log lines survive a SIGKILL right after they are logged', () => {
  it('worker', () => {
    const r = burstThenKill('apps/worker/src/config/logger-params.js', "loggerParams({ hostId: 'h1', logLevel: 'info' })");
    expect(r.signal).toBe('SIGKILL');
    expect(r.lines).toHaveLength(LINES);
    expect(JSON.parse(r.lines[LINES - 1]!)).toMatchObject({ i: LINES - 1, host: 'h1', level: 'info' });
  });

  it('api', () => {
    const r = burstThenKill('apps/api/src/http/logging.js', "loggerParams('info')");
    expect(r.signal).toBe('SIGKILL');
    expect(r.lines).toHaveLength(LINES);
    expect(JSON.parse(r.lines[LINES - 1]!)).toMatchObject({ i: LINES - 1 });
  });
});
