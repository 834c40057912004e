// The addon validates its own arguments too (the JS layer checks first, so only direct
// callers reach these): wrong types are TypeErrors, out-of-range numbers RangeErrors,
// thrown synchronously before any work is queued.
import { describe, expect, it } from 'vitest';
import { ADDON_ABI, loadAddon } from './index';

describe('native addon argument checks', () => {
  const result = loadAddon();
  if (!result.ok) throw new Error(result.reason);
  const usage = result.addon.usage as unknown as (...args: unknown[]) => Promise<unknown>;

  it('reports the interface revision the JS side expects', () => {
    expect(result.addon.abi).toBe(ADDON_ABI);
  });

  it.each([
    ['no sync flag', ['/x'], TypeError],
    ['sync not a boolean', ['/x', 1], TypeError],
    ['transid not a number', ['/x', true, '5', 1, 0], TypeError],
    ['otime missing', ['/x', true, 5], TypeError],
    ['nsec missing', ['/x', true, 5, 1], TypeError],
    ['negative transid', ['/x', true, -1, 1, 0], RangeError],
    ['fractional sec', ['/x', true, 5, 1.5, 0], RangeError],
    ['sec above 2^53', ['/x', true, 5, 2 ** 53, 0], RangeError],
    ['nsec of a full second', ['/x', true, 5, 1, 1e9], RangeError],
    ['negative nsec', ['/x', true, 5, 1, -1], RangeError],
    ['NaN nsec', ['/x', true, 5, 1, NaN], RangeError],
  ] as const)('usage: %s', (_, args, type) => {
    expect(() => usage(...args)).toThrow(type);
  });

  it('usage: an absent baseline (undefined or null) is accepted', async () => {
    // Valid arguments: fails later, on the path, as a rejected promise.
    await expect(usage('/nonexistent-snapfleet', false)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(usage('/nonexistent-snapfleet', false, null)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(usage('/nonexistent-snapfleet', false, 5, 2 ** 53 - 1, 999_999_999)).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
