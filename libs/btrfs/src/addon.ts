// Locating and loading the compiled N-API addon (native/build/Release/snapfleet_btrfs.node).
// Loading never throws: callers get a reason string, so `auto` can fall back to
// btrfs-progs and say why.
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { FilesystemInfo, SubvolumeInfo, SubvolumeUsage } from './types';

/** Where node-gyp puts the addon, relative to the repository root. */
export const ADDON_RELATIVE_PATH = 'libs/btrfs/native/build/Release/snapfleet_btrfs.node';
/** Overrides the search with an explicit .node file. */
export const ADDON_ENV = 'SNAPFLEET_BTRFS_ADDON';
/** Interface revision this code expects (`abi` export of native/src/addon.cc). */
export const ADDON_ABI = 3;

/** The addon's exports (see native/src/addon.cc). */
export interface NativeAddon {
  readonly backend: 'native';
  readonly version: string;
  readonly abi: number;
  createSubvolume(path: string, mode?: number): Promise<SubvolumeInfo>;
  snapshot(source: string, target: string, readonly: boolean): Promise<SubvolumeInfo>;
  deleteSubvolume(path: string): Promise<void>;
  subvolumeInfo(path: string): Promise<SubvolumeInfo>;
  setReadOnly(path: string, readonly: boolean): Promise<void>;
  filesystemInfo(path: string): Promise<FilesystemInfo>;
  /** Without a baseline: every inode. With one: the changes since it (see types.ts). */
  usage(path: string, sync: boolean): Promise<SubvolumeUsage>;
  usage(path: string, sync: boolean, sinceTransid: number, sinceOtimeSec: number, sinceOtimeNsec: number): Promise<SubvolumeUsage>;
}

export type AddonLoadResult =
  | { ok: true; addon: NativeAddon; path: string }
  | { ok: false; reason: string };

const FUNCTIONS = [
  'createSubvolume',
  'snapshot',
  'deleteSubvolume',
  'subvolumeInfo',
  'setReadOnly',
  'filesystemInfo',
  'usage',
] as const;

const loaded = new Map<string, AddonLoadResult>();

/** The addon path: $SNAPFLEET_BTRFS_ADDON, else the first ancestor of this file holding it. */
export function findAddonPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[ADDON_ENV];
  if (explicit) return resolve(explicit);
  // __dirname is src/ when run from source, dist/libs/btrfs/src/ when compiled: both reach
  // the repository root by walking up.
  for (const start of new Set([__dirname, process.cwd()])) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, ADDON_RELATIVE_PATH);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** Loads the addon once per path; failures are returned, not thrown. */
export function loadAddon(env: NodeJS.ProcessEnv = process.env): AddonLoadResult {
  const path = findAddonPath(env);
  if (!path) {
    const where = env[ADDON_ENV] ? `${ADDON_ENV}=${env[ADDON_ENV]}` : ADDON_RELATIVE_PATH;
    return { ok: false, reason: `native addon not found (${where})` };
  }
  let result = loaded.get(path);
  if (!result) {
    result = dlopenAddon(path);
    loaded.set(path, result);
  }
  return result;
}

function dlopenAddon(path: string): AddonLoadResult {
  if (!existsSync(path)) return { ok: false, reason: `native addon not found at ${path}` };
  const module = { exports: {} as Record<string, unknown> };
  try {
    // dlopen rather than require: works the same under CommonJS, ESM and test runners.
    process.dlopen(module, path, constants.dlopen.RTLD_NOW);
  } catch (err) {
    return { ok: false, reason: `cannot load native addon ${path}: ${(err as Error).message}` };
  }
  const missing = FUNCTIONS.filter((name) => typeof module.exports[name] !== 'function');
  if (module.exports.backend !== 'native' || missing.length > 0) {
    return { ok: false, reason: `native addon ${path} is stale (missing ${missing.join(', ')}); rebuild it` };
  }
  if (module.exports.abi !== ADDON_ABI) {
    // Same function names, other arguments: calling it would fail or mean something else.
    const found = typeof module.exports.abi === 'number' ? `interface ${module.exports.abi}` : 'no interface revision';
    return { ok: false, reason: `native addon ${path} is stale (${found}, need ${ADDON_ABI}); rebuild it` };
  }
  return { ok: true, addon: module.exports as unknown as NativeAddon, path };
}
