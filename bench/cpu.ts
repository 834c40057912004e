// CPU time spent by each process of the fleet during a bench case, read from /proc, so the
// report can say where an op's cost goes (API, worker, MariaDB, Redis, the load generator).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process (all its threads), in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Pids of a named daemon of this machine (MariaDB, Redis), for accounting only. */
export function pidsOf(name: string): number[] {
  try {
    return execFileSync('pidof', [name], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export type CpuShare = Record<string, number>;

/** Runs `fn` and returns the CPU ms each named group of processes spent meanwhile. */
export async function measureCpu<T>(groups: Record<string, number[]>, fn: () => Promise<T>): Promise<{ value: T; cpu: CpuShare }> {
  const read = () => Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((a, pid) => a + cpuMs(pid), 0)]));
  const before = read();
  const value = await fn();
  const after = read();
  const cpu: CpuShare = {};
  for (const k of Object.keys(groups)) cpu[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return { value, cpu };
}
