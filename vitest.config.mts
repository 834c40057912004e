// Test runner config: SWC keeps decorator metadata (NestJS, TypeORM) that esbuild drops,
// and the aliases mirror tsconfig paths so tests import libs by package name.
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@snapfleet/contracts': lib('contracts'),
      '@snapfleet/btrfs': lib('btrfs'),
      '@snapfleet/metastore': lib('metastore'),
      '@snapfleet/locks': lib('locks'),
      '@snapfleet/snapshotter': lib('snapshotter'),
      '@snapfleet/client': lib('client'),
    },
  },
  test: {
    include: ['libs/**/*.test.ts', 'apps/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests share one machine's loop devices and MariaDB; files run in parallel forks,
    // each with its own pools and databases.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
