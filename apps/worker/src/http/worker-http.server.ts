// The worker's small HTTP listener: GET /healthz (the process is up), /readyz (MySQL, Redis,
// the pool mounted and writable, not draining) and /metrics (Prometheus). Plain node:http:
// three fixed routes need no framework, and the worker stays an application context.
// The port: SNAPFLEET_WORKER_HTTP_PORT, else 9464 or any free port (bind-listener.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Inject, Injectable, ServiceUnavailableException, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { PinoLogger } from 'nestjs-pino';
import { DEFAULT_WORKER_HTTP_PORT, type WorkerConfig } from '../config/worker-config';
import { WORKER_CONFIG } from '../config/worker-config.module';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { bindListener } from './bind-listener';
import { WorkerHealth } from './worker-health';

export const WORKER_HTTP_PATHS = { live: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

@Injectable()
export class WorkerHttpServer implements OnModuleInit, OnApplicationShutdown {
  private server: Server | undefined;
  private ready: boolean | undefined;
  /** Where the listener is, once listening. */
  url: string | undefined;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(WorkerHealth) private readonly checks: WorkerHealth,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(WorkerHttpServer.name);
  }

  /**
   * Listens before the worker heartbeats or takes jobs (those start at bootstrap): a port
   * that cannot be bound fails start-up before the host looks up to the API.
   */
  async onModuleInit(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    const bind = this.config.httpBind;
    const { port, fellBack } = await bindListener(server, { chosen: this.config.httpPort, defaultPort: DEFAULT_WORKER_HTTP_PORT, host: bind });
    if (fellBack) {
      this.log.warn(
        { port: DEFAULT_WORKER_HTTP_PORT },
        'health/metrics port in use on this machine (another worker?): listening on a free port instead; set SNAPFLEET_WORKER_HTTP_PORT per worker',
      );
    }
    this.url = `http://${bind.includes(':') ? `[${bind}]` : bind}:${port}`;
    this.log.info({ httpUrl: this.url }, `health and metrics on ${this.url} (/healthz, /readyz, /metrics)`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', JSON.stringify({ error: 'GET only' }), { allow: 'GET, HEAD' });
      switch (path) {
        case WORKER_HTTP_PATHS.live:
          await this.sendHealth(res, this.health.check([]));
          return;
        case WORKER_HTTP_PATHS.ready:
          return this.noteReadiness(await this.sendHealth(res, this.health.check(this.checks.checks())));
        case WORKER_HTTP_PATHS.metrics: {
          const { contentType, body } = await this.metrics.scrape();
          return send(res, 200, contentType, body);
        }
        default:
          return send(res, 404, 'application/json', JSON.stringify({ error: `no route ${path}; try /healthz, /readyz, /metrics` }));
      }
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err), path }, 'health/metrics request failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'internal error' }));
    }
  }

  /** terminus' result with 200, or with 503 when a check is down or the app is shutting down. */
  private async sendHealth(res: ServerResponse, check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    let status = 200;
    let result: HealthCheckResult;
    try {
      result = await check;
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      status = 503;
      result = err.getResponse() as HealthCheckResult;
    }
    send(res, status, 'application/json', JSON.stringify(result));
    return result;
  }

  /** Logs a change of readiness once, not every probe. */
  private noteReadiness(result: HealthCheckResult): void {
    const ready = result.status === 'ok';
    if (ready === this.ready) return;
    if (ready) this.log.info('ready: MySQL, Redis and the pool answer');
    else this.log.warn({ status: result.status, error: result.error }, 'not ready');
    this.ready = ready;
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
