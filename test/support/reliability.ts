// What each fault test saw, as one JSON file per fault class under
// test-results/reliability/; `npm run reliability` turns them into docs/reliability.md, so
// the numbers there come from a run and are never typed by hand. A test clears its file
// first, so a run that stops before recording leaves no stale numbers behind.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { REPO_ROOT } from './dist';

export const RELIABILITY_DIR = join(REPO_ROOT, 'test-results', 'reliability');

export interface ReliabilityEntry {
  id: string;
  /** The fault or bad-input class, for people. */
  fault: string;
  injected: number;
  /** What `injected` counts: "SIGKILLs", "requests", "restarts"… */
  unit: string;
  /** Ops the API acknowledged during the fault. */
  acknowledged?: number;
  lost: number;
  duplicated: number;
  inconsistent: number;
  /** The command that reproduces this entry. */
  command: string;
  /** What the test checks, and any breakdown of the counts. */
  notes?: string;
  at: string;
  /** The vitest run that recorded it (global-setup names each run). */
  run?: string;
}

const fileOf = (id: string) => join(RELIABILITY_DIR, `${id}.json`);

export function clearReliability(id: string): void {
  rmSync(fileOf(id), { force: true });
}

export function recordReliability(entry: Omit<ReliabilityEntry, 'at' | 'run'>): ReliabilityEntry {
  const full: ReliabilityEntry = { ...entry, at: new Date().toISOString(), ...(process.env.SNAPFLEET_TEST_RUN ? { run: process.env.SNAPFLEET_TEST_RUN } : {}) };
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  writeFileSync(fileOf(entry.id), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

/**
 * Compares what the API shows with the model of acknowledged ops, snapshot by snapshot.
 * isDeepStrictEqual is at least as strict as vitest's toEqual, so whenever the test's
 * assertion fails some count here is above zero.
 */
export function compareModel<T>(model: Map<string, T>, seen: Map<string, T>): { missing: number; extra: number; differing: number } {
  let missing = 0;
  let differing = 0;
  for (const [key, want] of model) {
    if (!seen.has(key)) missing++;
    else if (!isDeepStrictEqual(seen.get(key), want)) differing++;
  }
  const extra = [...seen.keys()].filter((k) => !model.has(k)).length;
  return { missing, extra, differing };
}

/** Rows (by id) gone or changed between two reads of a table, and rows that appeared. */
export function compareRows(before: { id: unknown }[], after: { id: unknown }[]): { goneOrChanged: number; added: number } {
  const now = new Map(after.map((r) => [r.id, r]));
  const was = new Set(before.map((r) => r.id));
  return {
    goneOrChanged: before.filter((r) => !isDeepStrictEqual(now.get(r.id), r)).length,
    added: after.filter((r) => !was.has(r.id)).length,
  };
}
