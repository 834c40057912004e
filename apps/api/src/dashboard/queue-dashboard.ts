// The queue dashboard: Bull Board at /admin/queues, showing the queue of every host in the
// hosts table. Hosts are registered by their workers at any time, so the board's queue list
// is refreshed from the table on dashboard requests (at most every REFRESH_MS; the board's
// page polls its API, so a new host appears within a poll, no restart). Every dashboard
// request needs an admin token (auth/auth-hook.ts); the board is read-only because browsers
// authenticate with a cookie, which the hook accepts for reads only (no CSRF).
import { Inject, Injectable } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { DASHBOARD_CSP } from '../http/content-security';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { DashboardQueuesRepository, type DashboardQueue } from '../repositories/dashboard-queues.repository';
import { MetadataRepository } from '../repositories/metadata.repository';

/** Retry, clean, pause and remove stay with the API and snapctl: see the file comment. */
export const DASHBOARD_READ_ONLY = true;

/** How stale the board's queue list may be. */
export const REFRESH_MS = 2_000;

type Board = ReturnType<typeof createBullBoard>;

@Injectable()
export class QueueDashboard {
  /** The queues on the board, by host. */
  private readonly shown = new Map<string, DashboardQueue>();
  private board: Board | undefined;
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(DashboardQueuesRepository) private readonly queues: DashboardQueuesRepository,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(QueueDashboard.name);
  }

  /** Mounts the board (page, assets, JSON API) under /admin/queues. */
  install(fastify: FastifyInstance): void {
    const base = OPERATIONAL_PATHS.dashboard;
    const serverAdapter = new BullBoardFastifyAdapter();
    serverAdapter.setBasePath(base);
    this.board = createBullBoard({
      queues: [],
      serverAdapter,
      options: {
        uiConfig: {
          boardTitle: 'snapfleet queues',
          hideDocsLink: true,
          miscLinks: [
            { text: 'Fleet page', url: OPERATIONAL_PATHS.ui },
            { text: 'API docs', url: OPERATIONAL_PATHS.docs },
          ],
        },
      },
    });
    void fastify.register(
      async (scope) => {
        // Static files need no fresh queue list; the page and its API calls do.
        scope.addHook('onRequest', async (request) => {
          if (!request.url.startsWith(`${base}/static/`)) await this.refresh();
        });
        scope.addHook('onSend', (_request, reply, payload, done) => {
          void reply.header('content-security-policy', DASHBOARD_CSP);
          done(null, payload);
        });
        await scope.register(serverAdapter.registerPlugin());
      },
      { prefix: base },
    );
  }

  /** Brings the board's queues in line with the hosts table; one refresh at a time, at most every REFRESH_MS. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.refreshedAt < REFRESH_MS) return Promise.resolve();
    this.refreshing = this.refreshOnce().finally(() => {
      this.refreshedAt = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const board = this.board;
    if (!board) return;
    let hosts: string[];
    try {
      hosts = (await this.metadata.listHosts()).map((h) => h.id);
    } catch (err) {
      // The board keeps the queues it knows; it shows Redis' view of them regardless.
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'dashboard: cannot read the hosts table');
      return;
    }
    for (const host of hosts) {
      if (this.shown.has(host)) continue;
      const queue = this.queues.adapter(host, { readOnly: DASHBOARD_READ_ONLY });
      board.addQueue(queue);
      this.shown.set(host, queue);
    }
    const current = new Set(hosts);
    for (const [host, queue] of [...this.shown].filter(([h]) => !current.has(h))) {
      board.removeQueue(queue);
      this.shown.delete(host);
      await this.queues.forget(host);
    }
  }
}
