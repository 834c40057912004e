// Backend selection: the native addon when it is built, btrfs-progs otherwise (with a
// warning, since the fallback is slower), or whichever the caller or
// SNAPFLEET_BTRFS_BACKEND insists on.
import type { Logger } from '@snapfleet/contracts';
import { loadAddon } from './addon';
import { NativeBtrfsBackend } from './native-backend';
import { ProgsBtrfsBackend } from './progs-backend';
import type { ProgsOptions } from './progs-exec';
import type { BtrfsBackend } from './types';

export const BACKEND_ENV = 'SNAPFLEET_BTRFS_BACKEND';

export type BackendChoice = 'native' | 'progs' | 'auto';

export interface LoadBtrfsOptions {
  /** Overrides $SNAPFLEET_BTRFS_BACKEND; default 'auto'. */
  backend?: BackendChoice;
  logger?: Logger;
  /** Options of the progs backend (e.g. the btrfs binary). */
  progs?: ProgsOptions;
  env?: NodeJS.ProcessEnv;
}

export function loadBtrfs(opts: LoadBtrfsOptions = {}): BtrfsBackend {
  const env = opts.env ?? process.env;
  const choice = opts.backend ?? choiceFromEnv(env);
  if (choice === 'progs') return new ProgsBtrfsBackend(opts.progs);
  const native = loadAddon(env);
  if (native.ok) return new NativeBtrfsBackend(native.addon);
  if (choice === 'native') {
    throw new Error(`btrfs backend 'native' was requested but ${native.reason}; build it with \`npm run build:native\``);
  }
  opts.logger?.warn(
    { backend: 'progs', reason: native.reason },
    'native btrfs addon is not built; falling back to btrfs-progs (slower). Build it with `npm run build:native`',
  );
  return new ProgsBtrfsBackend(opts.progs);
}

function choiceFromEnv(env: NodeJS.ProcessEnv): BackendChoice {
  const value = env[BACKEND_ENV]?.trim();
  if (!value) return 'auto';
  if (value === 'native' || value === 'progs' || value === 'auto') return value;
  throw new Error(`${BACKEND_ENV} must be one of native, progs, auto; got '${value}'`);
}
