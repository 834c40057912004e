// snapfleet worker: consumes one host's BullMQ queue of snapshot ops on that host's btrfs
// pool. Configuration comes from SNAPFLEET_* environment variables (config/worker-config.ts).
//
// First import, for its side effect: sizes libuv's thread pool before anything can start
// it (libuv reads UV_THREADPOOL_SIZE once, on first use; see thread-pool.ts for why).
import './thread-pool';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@snapfleet/contracts';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { loadWorkerConfig, type WorkerConfig } from './config/worker-config';
import { WorkerLifecycle } from './services/worker-lifecycle.service';
import { exitOnShutdownSignals } from './shutdown-signals';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`snapfleet-worker: ${err.message}\n`);
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    // Nest's own start-up lines wait for the pino logger. When start-up fails they are
    // dropped rather than flushed to Nest's console logger (which would add a second,
    // multi-line report of the error): the reason is printed once, below.
    bufferLogs: true,
    autoFlushLogs: false,
    // Rethrow instead of letting Nest end the process, so the reason is reported below.
    abortOnError: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.flushLogs();
  const log = await app.resolve(PinoLogger);
  log.setContext('main');
  const lifecycle = app.get(WorkerLifecycle);
  exitOnShutdownSignals(app, (reason) => lifecycle.drain(reason), log);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`snapfleet-worker: cannot start: ${message}\n`);
  process.exit(1);
});
