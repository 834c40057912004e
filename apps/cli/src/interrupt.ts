// Ctrl-C while snapctl waits for a job stops the waiting, not the job: the job is already on
// the host's queue and keeps running, so the user is told how to pick it up again.
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** Runs `fn` with a signal that aborts on SIGINT; an abort becomes Interrupted(hint). */
export async function untilInterrupted<T>(hint: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSigint = () => ac.abort(new Interrupted(hint));
  process.once('SIGINT', onSigint);
  try {
    return await fn(ac.signal);
  } catch (err) {
    if (ac.signal.aborted) throw ac.signal.reason;
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
