// snapctl's exit statuses: the one table mapping every typed error code of the contracts to
// a shell-friendly number. `Record<ErrorCode, …>` makes a new error code a compile error here
// until it has a status, so scripts never see a code fall through to a generic failure.
import { SnapfleetError, type ErrorCode } from '@snapfleet/contracts';

export const EXIT_OK = 0;
/** Bad command line: unknown command or option, missing argument, malformed value. */
export const EXIT_USAGE = 1;
/** `fsck` found differences between a host's metadata, disk and queue. */
export const EXIT_FSCK_ISSUES = 11;
/** Interrupted by Ctrl-C (128 + SIGINT), the shells' convention. */
export const EXIT_INTERRUPTED = 130;

export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  not_found: 2,
  already_exists: 3,
  failed_precondition: 4,
  invalid_argument: 5,
  unavailable: 6,
  aborted: 7,
  unauthenticated: 8,
  permission_denied: 8,
  resource_exhausted: 9,
  internal: 10,
};

/** The exit status of anything thrown by a command (untyped errors are bugs: internal). */
export function exitCodeFor(err: unknown): number {
  return err instanceof SnapfleetError ? EXIT_CODES[err.code] : EXIT_CODES.internal;
}

/** Rows of the exit status table, in ascending order, for --help. */
export function exitCodeRows(): [string, string][] {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(EXIT_CODES)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const rows: [string, string][] = [
    [String(EXIT_OK), 'success'],
    [String(EXIT_USAGE), 'usage error (help is printed on stderr)'],
  ];
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) rows.push([String(status), byStatus.get(status)!.join(', ')]);
  rows.push([String(EXIT_FSCK_ISSUES), 'fsck found differences (listed on stdout)']);
  rows.push([String(EXIT_INTERRUPTED), 'interrupted (a job already queued keeps running)']);
  return rows;
}
