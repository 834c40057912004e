// Shutdown, as the HTTP layer sees it. Once the API starts shutting down, every response
// says `Connection: close`: a keep-alive connection whose request was in flight when the
// server stopped listening is closed after its answer instead of holding the server (and
// the exit) open until the keep-alive timeout.
import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

@Injectable()
export class Draining implements BeforeApplicationShutdown {
  private draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  /** Adds the hook that closes connections after their response while draining. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) reply.header('connection', 'close');
      done(null, payload);
    });
  }
}
