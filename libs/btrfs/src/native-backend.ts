// BtrfsBackend over the N-API addon: every call is one ioctl sequence on the libuv thread
// pool. This file only validates arguments and turns the addon's errno-carrying errors
// into BtrfsError.
import { loadAddon, type NativeAddon } from './addon';
import { BtrfsError } from './errors';
import type { BtrfsBackend, FilesystemInfo, SubvolumeInfo, SubvolumeUsage, UsageOptions } from './types';
import { checkBoolean, checkMode, checkPath, checkUsageOptions } from './validate';

export class NativeBtrfsBackend implements BtrfsBackend {
  readonly kind = 'native' as const;

  constructor(private readonly addon: NativeAddon) {}

  /** Version string compiled into the addon. */
  get version(): string {
    return this.addon.version;
  }

  async createSubvolume(path: string, opts: { mode?: number } = {}): Promise<SubvolumeInfo> {
    checkPath('path', path);
    const mode = checkMode('opts.mode', opts.mode);
    return wrap('createSubvolume', path, undefined, () =>
      mode === undefined ? this.addon.createSubvolume(path) : this.addon.createSubvolume(path, mode),
    );
  }

  async snapshot(source: string, target: string, opts: { readonly: boolean }): Promise<SubvolumeInfo> {
    checkPath('source', source);
    checkPath('target', target);
    checkBoolean('opts.readonly', opts?.readonly);
    return wrap('snapshot', target, `${source} -> ${target}`, () => this.addon.snapshot(source, target, opts.readonly));
  }

  async deleteSubvolume(path: string): Promise<void> {
    checkPath('path', path);
    await wrap('deleteSubvolume', path, undefined, () => this.addon.deleteSubvolume(path));
  }

  async subvolumeInfo(path: string): Promise<SubvolumeInfo> {
    checkPath('path', path);
    return wrap('subvolumeInfo', path, undefined, () => this.addon.subvolumeInfo(path));
  }

  async setReadOnly(path: string, readonly: boolean): Promise<void> {
    checkPath('path', path);
    checkBoolean('readonly', readonly);
    await wrap('setReadOnly', path, undefined, () => this.addon.setReadOnly(path, readonly));
  }

  async filesystemInfo(path: string): Promise<FilesystemInfo> {
    checkPath('path', path);
    return wrap('filesystemInfo', path, undefined, () => this.addon.filesystemInfo(path));
  }

  async usage(path: string, opts: UsageOptions): Promise<SubvolumeUsage> {
    checkPath('path', path);
    const { since, sync } = checkUsageOptions(opts);
    return wrap('usage', path, undefined, () =>
      since
        ? this.addon.usage(path, sync, since.transid, since.otime.sec, since.otime.nsec)
        : this.addon.usage(path, sync),
    );
  }
}

/** Loads the addon and returns the backend; throws with the reason when it cannot. */
export function createNativeBackend(env: NodeJS.ProcessEnv = process.env): NativeBtrfsBackend {
  const result = loadAddon(env);
  if (!result.ok) throw new Error(`${result.reason}; build it with \`npm run build:native\``);
  return new NativeBtrfsBackend(result.addon);
}

interface AddonError {
  errno: number;
  code: string;
  path?: string;
  syscall?: string;
}

function isAddonError(err: unknown): err is AddonError {
  const e = err as Partial<AddonError> | null;
  return typeof e === 'object' && e !== null && typeof e.errno === 'number' && typeof e.code === 'string';
}

async function wrap<T>(
  op: string,
  path: string,
  subject: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isAddonError(err)) throw err;
    // For snapshot the addon says which of source/target failed; keep that path.
    const failedPath = err.path ?? path;
    throw new BtrfsError({ op, path: failedPath, subject, code: err.code, errno: err.errno, syscall: err.syscall, cause: err });
  }
}
