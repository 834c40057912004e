// The one error type both backends throw for failed btrfs operations: what was attempted
// (op), on what (path), and why (errno/code), so callers branch on `code` and operators
// read the message.
import { describeCode, errnoOf } from './errno';

export interface BtrfsErrorInit {
  /** Operation name: the BtrfsBackend method that failed, e.g. 'snapshot'. */
  op: string;
  /** The caller-supplied path the failure is about. */
  path: string;
  /** Error code such as 'EEXIST'. */
  code: string;
  /** Positive errno; derived from `code` when omitted. */
  errno?: number;
  /** What the message shows after the op when it is more than `path` ('/a -> /b'). */
  subject?: string;
  /** System call, ioctl or command that failed. */
  syscall?: string;
  /** Extra text for the message, e.g. unrecognised btrfs-progs stderr. */
  detail?: string;
  cause?: unknown;
}

export class BtrfsError extends Error {
  override readonly name = 'BtrfsError';
  readonly op: string;
  readonly path: string;
  readonly errno: number;
  readonly code: string;
  readonly syscall: string | undefined;

  constructor(init: BtrfsErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.op = init.op;
    this.path = init.path;
    this.code = init.code;
    this.errno = init.errno ?? errnoOf(init.code);
    this.syscall = init.syscall;
  }
}

export function isBtrfsError(e: unknown): e is BtrfsError {
  return e instanceof BtrfsError;
}

function formatMessage(init: BtrfsErrorInit): string {
  const detail = init.detail ? `: ${init.detail}` : '';
  return `btrfs ${init.op} ${init.subject ?? init.path}: ${init.code} (${describeCode(init.code)})${detail}`;
}
