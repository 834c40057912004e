// How a failure is shown: `snapctl: <code>: <message>` on stderr, or with --json one JSON
// document `{"error": {code, message, details}}` (the contracts' SnapfleetError.toJSON()).
import type { SnapfleetError } from '@snapfleet/contracts';
import { escapeUnsafe } from './output/printable';

export function formatError(err: SnapfleetError, json: boolean): string {
  if (json) return JSON.stringify({ error: err.toJSON() });
  // Messages quote keys, which may hold anything: keep them from driving the terminal.
  return `snapctl: ${err.code}: ${escapeUnsafe(err.message)}`;
}

export function formatUsageError(message: string, json: boolean): string {
  return json ? JSON.stringify({ error: { code: 'usage', message } }) : `snapctl: usage: ${escapeUnsafe(message)}`;
}
