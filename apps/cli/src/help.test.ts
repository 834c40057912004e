// Help comes from the contracts: every route is reachable from some command, each command's
// summary is its route's, and the exit status table covers every error code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ROUTES, type RouteName } from '@snapfleet/contracts';
import { runCli } from './cli';
import { COMMANDS } from './command-table';
import { EXIT_CODES, EXIT_USAGE, exitCodeRows } from './exit-codes';
import { commandHelp, globalHelp, summaryOf } from './help';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} },
    out: () => out,
    err: () => err,
  };
}

describe('help', () => {
  it('every route of ROUTES has a command, whose summary is the route summary', () => {
    const covered = new Set(COMMANDS.map((c) => c.route));
    expect([...covered].sort()).toEqual((Object.keys(ROUTES) as RouteName[]).sort());
    for (const c of COMMANDS) expect(summaryOf(c).startsWith(ROUTES[c.route].summary)).toBe(true);
  });

  it('global help shows each command, its summary and every exit status', () => {
    const text = globalHelp();
    for (const c of COMMANDS) expect(text).toContain(summaryOf(c));
    for (const code of ERROR_CODES) expect(text).toMatch(new RegExp(`^\\s+${EXIT_CODES[code]}\\s+.*\\b${code}\\b`, 'm'));
  });

  it('command help documents arguments from the schemas and names the API route', () => {
    const prepare = commandHelp(COMMANDS.find((c) => c.name === 'prepare')!);
    expect(prepare).toContain(`API: POST ${ROUTES.createSnapshot.path} (runs as a job on the host)`);
    expect(prepare).toMatch(/^\s+KEY\s+Snapshot key/m);
    expect(prepare).toMatch(/^\s+--label k=v\s+label, repeatable\. Labels: key\+value/m);
    expect(prepare).toContain('active = prepare (writable), view = read-only');
    const label = commandHelp(COMMANDS.find((c) => c.name === 'label')!);
    expect(label).toContain('containerd field paths: labels, labels.<key>');
  });

  it('exit statuses are distinct per error code except the two auth codes', () => {
    const rows = exitCodeRows();
    expect(new Set(rows.map(([s]) => s)).size).toBe(rows.length);
    expect(EXIT_CODES.unauthenticated).toBe(EXIT_CODES.permission_denied);
  });

  it('the exit status table of the README is the one in exit-codes.ts', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const [status, meaning] of exitCodeRows()) {
      const row = new RegExp(`^\\| ${status} \\| (.*) \\|$`, 'm').exec(readme);
      expect(row, `README row for status ${status}`).not.toBeNull();
      expect(row![1]).toBe(meaning);
    }
  });

  it('runCli: --help to stdout with status 0; usage errors to stderr with status 1', async () => {
    const ok = capture();
    expect(await runCli(['--help'], ok.io)).toBe(0);
    expect(ok.out()).toBe(globalHelp());
    const bad = capture();
    expect(await runCli(['rm'], bad.io)).toBe(EXIT_USAGE);
    expect(bad.out()).toBe('');
    expect(bad.err()).toContain('snapctl: usage: rm: missing KEY');
    expect(bad.err()).toContain('Usage: snapctl rm KEY...');
    const asJson = capture();
    expect(await runCli(['rm', '--json'], asJson.io)).toBe(EXIT_USAGE);
    expect(JSON.parse(asJson.err())).toEqual({ error: { code: 'usage', message: 'rm: missing KEY' } });
  });
});
