// Runs a group's independent steps at the same time, except that a step waits for every
// earlier step that touches one of its keys: steps on one snapshot run in the order they
// came, as they would have as separate jobs under the key lease, and nothing else waits.

/** Runs `run(i)` for each step; resolves with every outcome in step order, never rejects. */
export async function runKeyedSteps<R>(
  keysOf: readonly (readonly string[])[],
  run: (step: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  /** The last step scheduled on each key: the next step on that key starts after it. */
  const lastOnKey = new Map<string, Promise<unknown>>();
  const runs = keysOf.map((keys, i) => {
    const before = [...new Set(keys)].map((k) => lastOnKey.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    // An async wrapper: a step that throws before its first await is a rejection too.
    const call = async () => run(i);
    const started = before.length === 0 ? call() : Promise.allSettled(before).then(call);
    for (const k of keys) lastOnKey.set(k, started);
    return started;
  });
  return Promise.allSettled(runs);
}
