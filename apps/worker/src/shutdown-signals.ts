// SIGTERM/SIGINT: the first one drains (WorkerLifecycle, via app.close()) and exits 0; a
// second one, from an operator who does not want to wait for active jobs, exits at once.
// Nest's enableShutdownHooks() is not used: it re-raises the signal after closing, so the
// process would end "killed by SIGTERM" rather than with status 0, and a second signal
// would be ignored.
import { constants } from 'node:os';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from '@snapfleet/contracts';

export function exitOnShutdownSignals(app: INestApplicationContext, drain: (reason: string) => Promise<void>, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting for active jobs');
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Drain first so the log names the signal; app.close() then finds it drained.
    drain(signal)
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
