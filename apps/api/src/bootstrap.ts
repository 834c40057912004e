// Builds the API application, configured but not listening: main.ts listens on it, and tests
// build it in-process (e.g. to list the routes it registers). Everything set on the Fastify
// instance is set here, so both get the same app.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installAuth } from './auth/auth-hook';
import { AuthService } from './auth/auth.service';
import type { ApiConfig } from './config/api-config';
import { QueueDashboard } from './dashboard/queue-dashboard';
import { installConditionalGet } from './http/conditional-get';
import { Draining } from './http/draining';
import { configureFastify, fastifyOptions } from './http/fastify-options';
import { installRequestLogging } from './http/logging';
import { ApiMetrics } from './metrics/api-metrics';
import { installHttpMetrics } from './metrics/http-metrics';

export interface CreateApiOptions {
  /** Called for every route Fastify registers (before it is ready). */
  onRoute?: (route: RouteOptions & { prefix?: string }) => void;
}

export async function createApiApp(config: ApiConfig, opts: CreateApiOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(fastifyOptions()), {
    bufferLogs: true,
    // Startup errors reach the caller (main.ts exits 1 with the message) instead of abort().
    abortOnError: false,
    // Fastify's own JSON parser (with bodyLimit) is the only body parser.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // Routes are added to Fastify when the app initializes (listen/init), after this hook.
  if (opts.onRoute) fastify.addHook('onRoute', opts.onRoute);
  configureFastify(fastify);
  // Before every other hook, so what they log carries the request's id.
  installRequestLogging(fastify, await app.resolve(PinoLogger));
  installAuth(fastify, app.get(AuthService), await app.resolve(PinoLogger));
  app.get(Draining).install(fastify);
  installConditionalGet(fastify);
  installHttpMetrics(fastify, app.get(ApiMetrics));
  app.get(QueueDashboard).install(fastify);
  return app;
}
