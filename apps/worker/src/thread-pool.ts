// Sizes libuv's thread pool for the worker's concurrency. Imported first by main.ts, for its
// side effect, so that it runs before any module can touch the pool.
//
// Why: the native btrfs backend runs every ioctl on the libuv pool, and a snapshot or
// subvolume delete can block its thread for as long as a btrfs transaction commit takes.
// With Node's default of 4 threads, 8 concurrent jobs would queue behind each other, and so
// would every fs.promises call (cleanup's readdir, lstat) and DNS lookup behind them. libuv
// reads UV_THREADPOOL_SIZE once, when the pool is first used, and never again: setting it
// any later has no effect, hence this module's place at the top of main.ts.
import { threadPoolSize } from './thread-pool-size';

const size = threadPoolSize(process.env);
if (size !== undefined) process.env.UV_THREADPOOL_SIZE = String(size);
