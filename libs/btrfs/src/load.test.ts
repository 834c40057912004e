// Backend selection. The first test is the guard against a silent fallback: on a machine
// where the addon is built (CI builds it), auto must pick native.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogFn, Logger } from '@snapfleet/contracts';
import { ADDON_ENV, BACKEND_ENV, loadBtrfs } from './index';

function recordingLogger() {
  const noop = () => undefined;
  const warn = vi.fn<(obj: unknown, msg?: string) => void>();
  const logger: Logger = { debug: noop, info: noop, warn: warn as LogFn, error: noop };
  return { logger, warn };
}

describe('loadBtrfs', () => {
  const saved = process.env[BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  });

  it('loads the native addon by default (auto), without warning', () => {
    delete process.env[BACKEND_ENV];
    const { logger, warn } = recordingLogger();
    const backend = loadBtrfs({ logger });
    expect(backend.kind).toBe('native');
    expect(warn).not.toHaveBeenCalled();
  });

  it(`selects btrfs-progs when ${BACKEND_ENV}=progs`, () => {
    process.env[BACKEND_ENV] = 'progs';
    expect(loadBtrfs().kind).toBe('progs');
  });

  it('lets the option override the environment', () => {
    process.env[BACKEND_ENV] = 'progs';
    expect(loadBtrfs({ backend: 'native' }).kind).toBe('native');
  });

  it('falls back to progs with a warning when the addon is missing (auto)', () => {
    const { logger, warn } = recordingLogger();
    const env = { [ADDON_ENV]: '/nonexistent/snapfleet_btrfs.node' };
    expect(loadBtrfs({ env, logger }).kind).toBe('progs');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[1])).toMatch(/native btrfs addon is not built.*npm run build:native/);
  });

  it('throws when native is required but missing', () => {
    const env = { [ADDON_ENV]: '/nonexistent/snapfleet_btrfs.node', [BACKEND_ENV]: 'native' };
    expect(() => loadBtrfs({ env })).toThrow(/native.*not found.*npm run build:native/);
  });

  it('rejects an unknown backend name, naming the variable', () => {
    expect(() => loadBtrfs({ env: { [BACKEND_ENV]: 'zfs' } })).toThrow(BACKEND_ENV);
  });
});
