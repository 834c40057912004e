// Pino JSON lines on stdout: level names, ISO times, and the host and app on every line.
import { pino, stdTimeFunctions, type Logger } from 'pino';
import type { ProxyConfig } from './config';

export function makeLogger(config: Pick<ProxyConfig, 'hostId' | 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { pid: process.pid, host: config.hostId, app: 'containerd-proxy' },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  });
}
