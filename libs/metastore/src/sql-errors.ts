// Maps MySQL/MariaDB driver errors to what the snapshotter must do with them: a typed
// snapfleet error, or a retry (deadlock, lock wait timeout).
import { SnapfleetError } from '@snapfleet/contracts';

interface DriverError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}

function driverError(err: unknown, depth = 0): DriverError | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { driverError?: DriverError; cause?: unknown } & DriverError;
  if (e.driverError) return e.driverError;
  if (typeof e.errno === 'number' || (typeof e.code === 'string' && !(err instanceof SnapfleetError))) return e;
  return driverError(e.cause, depth + 1);
}

export const ER_BAD_NULL_ERROR = 1048;
export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_ROW_IS_REFERENCED_2 = 1451;
export const ER_NO_REFERENCED_ROW_2 = 1452;

export function sqlErrno(err: unknown): number | undefined {
  return driverError(err)?.errno;
}

export function isDuplicateKey(err: unknown): boolean {
  return sqlErrno(err) === ER_DUP_ENTRY;
}

/** Conflicts InnoDB resolves by killing a transaction: the whole op may simply run again. */
export function isRetryableConflict(err: unknown): boolean {
  const n = sqlErrno(err);
  return n === ER_LOCK_DEADLOCK || n === ER_LOCK_WAIT_TIMEOUT;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  // MariaDB's connector (the read pool)
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_CONNECTION_TIMEOUT',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_SOCKET_TIMEOUT',
  'ER_SOCKET',
  'ER_CMD_CONNECTION_CLOSED',
  'ER_POOL_ALREADY_CLOSED',
  'ER_CLOSING_POOL',
  'ER_POOL_NO_CONNECTION',
]);

export function isConnectionError(err: unknown): boolean {
  const code = driverError(err)?.code;
  if (code && CONNECTION_CODES.has(code)) return true;
  const msg = err instanceof Error ? err.message : '';
  return /connection (is )?(lost|closed)|Can't add new command when connection is in closed state|Pool is closed/i.test(msg);
}

/** Typed error for a failed metadata statement; semantic cases are mapped by callers first. */
export function metadataError(err: unknown, what: string): SnapfleetError {
  if (err instanceof SnapfleetError) return err;
  if (isConnectionError(err)) {
    return new SnapfleetError('unavailable', `metadata store unreachable while ${what}: ${errText(err)}`, {}, { cause: err });
  }
  const d = driverError(err);
  // The cause stays attached so callers can still tell a deadlock (retry) from a bug.
  return new SnapfleetError(
    'internal',
    `metadata error while ${what}: ${d?.sqlMessage ?? errText(err)}`,
    d?.errno === undefined ? {} : { sqlErrno: d.errno },
    { cause: err },
  );
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
