// Splitting a subvolume path into parent directory and entry name, with the kernel's
// length limits: the same rules the native addon applies in C++ (native/src/paths.cc),
// so the progs backend rejects exactly what the native one rejects.
import { BtrfsError } from './errors';

/** Longest path the kernel accepts, terminating NUL included. */
export const PATH_MAX = 4096;
/** Longest directory entry name. */
export const NAME_MAX = 255;

export interface ParentAndName {
  parent: string;
  name: string;
}

export function checkPathLength(op: string, path: string, subject?: string): void {
  if (Buffer.byteLength(path) >= PATH_MAX) {
    throw new BtrfsError({ op, path, subject, code: 'ENAMETOOLONG', syscall: 'open' });
  }
}

export function splitSubvolumePath(op: string, path: string, subject?: string): ParentAndName {
  checkPathLength(op, path, subject);
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const name = trimmed.slice(slash + 1);
  if (name === '' || name === '.' || name === '..') {
    throw new BtrfsError({ op, path, subject, code: 'EINVAL', syscall: 'path' });
  }
  if (Buffer.byteLength(name) > NAME_MAX) {
    throw new BtrfsError({ op, path, subject, code: 'ENAMETOOLONG', syscall: 'path' });
  }
  const parent = trimmed.slice(0, slash).replace(/\/+$/, '') || '/';
  return { parent, name };
}
