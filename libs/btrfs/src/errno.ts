// errno numbers, names and texts without relying on the C library's strerror: the names
// come from Node's own table (os.constants.errno), the texts are glibc's English ones for
// the errors btrfs operations produce, so messages read the same on every host and the
// progs backend can recognise them in btrfs-progs output (run under LC_ALL=C).
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** Texts btrfs-progs prints (via strerror) for the errors this library cares about. */
export const ERRNO_TEXTS: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  ENOTEMPTY: 'Directory not empty',
  ENOTDIR: 'Not a directory',
  EINVAL: 'Invalid argument',
  ENOTTY: 'Inappropriate ioctl for device',
  EXDEV: 'Invalid cross-device link',
  ENAMETOOLONG: 'File name too long',
  ENODEV: 'No such device',
  EIO: 'Input/output error',
  ELOOP: 'Too many levels of symbolic links',
  EMLINK: 'Too many links',
  EDQUOT: 'Disk quota exceeded',
  ENOMEM: 'Cannot allocate memory',
  EAGAIN: 'Resource temporarily unavailable',
  EOVERFLOW: 'Value too large for defined data type',
  EOPNOTSUPP: 'Operation not supported',
};

const ERRNO_NUMBERS = constants.errno as Readonly<Record<string, number>>;

/** Positive errno of a code such as 'ENOENT'; EIO's number when the code is unknown. */
export function errnoOf(code: string): number {
  return ERRNO_NUMBERS[code] ?? ERRNO_NUMBERS.EIO ?? 5;
}

/** Code of a positive errno ('EUNKNOWN' when the platform has no name for it). */
export function codeOf(errno: number): string {
  return getSystemErrorMap().get(-errno)?.[0] ?? 'EUNKNOWN';
}

/** Human text of an error code. */
export function describeCode(code: string): string {
  const known = ERRNO_TEXTS[code];
  if (known) return known;
  const errno = ERRNO_NUMBERS[code];
  return (errno !== undefined && getSystemErrorMap().get(-errno)?.[1]) || 'Unknown error';
}
