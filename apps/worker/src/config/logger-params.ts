// Pino JSON lines on stdout, one root logger for the process: level from the config, ISO
// times, level names rather than numbers, and the host id on every line (`host`), so job
// lines need to add only jobId, op and requestId. Each line is written synchronously, as it
// is logged (decisions.md, "Log lines are written synchronously").
import type { Params } from 'nestjs-pino';
import { destination, stdTimeFunctions } from 'pino';
import type { WorkerConfig } from './worker-config';

export function loggerParams(config: Pick<WorkerConfig, 'hostId' | 'logLevel'>): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        base: { pid: process.pid, host: config.hostId, app: 'worker' },
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label: string) => ({ level: label }) },
      },
      destination({ dest: 1, sync: true }),
    ],
  };
}
