// Reading command lines: options anywhere, `--`, groups (`jobs wait`), arity and options that
// do not belong to the command.
import { describe, expect, it } from 'vitest';
import { WalkQuerySchema } from '@snapfleet/contracts';
import { parseArgv } from './parse-argv';
import { UsageError } from './usage-error';

function run(argv: string[]) {
  const p = parseArgv(argv);
  if (p.kind !== 'run') throw new Error('expected a command');
  return p.invocation;
}

describe('parseArgv', () => {
  it('takes global options before or after the command', () => {
    const inv = run(['-H', 'h1', 'prepare', 'k', 'p', '--namespace', 'ns', '--label', 'a=1', '--label', 'b=2', '--json']);
    expect(inv.command.name).toBe('prepare');
    expect(inv.args).toEqual(['k', 'p']);
    expect(inv.string('host')).toBe('h1');
    expect(inv.string('namespace')).toBe('ns');
    expect(inv.list('label')).toEqual(['a=1', 'b=2']);
    expect(inv.flag('json')).toBe(true);
  });

  it('reads keys that look like options after --', () => {
    expect(run(['rm', '--', '-odd', '--also']).args).toEqual(['-odd', '--also']);
  });

  it('knows two-word commands and help forms', () => {
    expect(run(['jobs', 'wait', 'j1']).command.name).toBe('jobs wait');
    expect(parseArgv(['help'])).toEqual({ kind: 'help' });
    expect(parseArgv(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgv(['help', 'jobs', 'get'])).toMatchObject({ kind: 'help', command: { name: 'jobs get' } });
    expect(parseArgv(['ls', '-h'])).toMatchObject({ kind: 'help', command: { name: 'ls' } });
  });

  it('refuses, as usage errors naming the command: arity, foreign options, unknown words', () => {
    const usage = (argv: string[]) => {
      try {
        parseArgv(argv);
      } catch (err) {
        if (err instanceof UsageError) return { message: err.message, command: err.command };
        throw err;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(usage(['info'])).toEqual({ message: 'info: missing KEY', command: 'info' });
    expect(usage(['info', 'a', 'b'])).toEqual({ message: 'info: unexpected argument "b"', command: 'info' });
    expect(usage(['label', 'k'])).toEqual({ message: 'label: missing k=v', command: 'label' });
    expect(usage(['hosts', '--async'])).toEqual({ message: '--async does not apply to hosts', command: 'hosts' });
    expect(usage(['prepare', 'k', '--bogus']).command).toBe('prepare');
    expect(usage(['jobs', 'list']).message).toBe('unknown command "jobs list" (jobs: get, wait)');
    expect(usage(['help', 'nope']).message).toBe('unknown command "nope"');
  });

  it('checks option values against the contract schemas', () => {
    const inv = run(['ls', '--limit', '5000']);
    expect(() => inv.parsed('limit', WalkQuerySchema.shape.limit)).toThrow(/--limit "5000"/);
    expect(run(['ls', '--limit', '7']).parsed('limit', WalkQuerySchema.shape.limit)).toBe(7);
    expect(() => run(['jobs', 'wait', 'j', '--timeout=-3']).seconds('timeout')).toThrow(/positive number of seconds/);
    expect(run(['jobs', 'wait', 'j', '--timeout', '1.5']).seconds('timeout')).toBe(1500);
  });
});
