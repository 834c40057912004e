// @snapfleet/btrfs: btrfs primitives behind one interface, with a native ioctl backend
// and a btrfs-progs fallback. Start with loadBtrfs().
export * from './types';
export { BtrfsError, isBtrfsError, type BtrfsErrorInit } from './errors';
export { loadBtrfs, BACKEND_ENV, type BackendChoice, type LoadBtrfsOptions } from './load';
export { NativeBtrfsBackend, createNativeBackend } from './native-backend';
export { ProgsBtrfsBackend } from './progs-backend';
export type { ProgsOptions } from './progs-exec';
export { ADDON_ABI, ADDON_ENV, ADDON_RELATIVE_PATH, findAddonPath, loadAddon, type NativeAddon, type AddonLoadResult } from './addon';
