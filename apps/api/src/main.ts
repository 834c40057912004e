// snapfleet API: `node dist/apps/api/src/main.js`. Configuration from the environment
// (see config/api-config.ts); exits 1 with a clear message when the configuration is bad
// or MySQL/Redis cannot be reached, and 0 after a graceful SIGTERM/SIGINT shutdown.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ApiConfig } from './config/api-config';
import { Draining } from './http/draining';
import { configureFastify, fastifyOptions } from './http/fastify-options';

function fail(message: string): never {
  process.stderr.write(`snapfleet-api: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = ApiConfig.fromEnv();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(fastifyOptions()), {
      bufferLogs: true,
      // Startup errors reach the catch below (exit 1 with the message) instead of abort().
      abortOnError: false,
      // Fastify's own JSON parser (with bodyLimit) is the only body parser.
      bodyParser: false,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  configureFastify(fastify);
  app.get(Draining).install(fastify);
  // SIGTERM: stop accepting, end waits with 202, finish in-flight requests, close queues
  // and the database, then exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  try {
    await app.listen(config.port, config.bindAddress);
  } catch (err) {
    fail(`cannot listen on ${config.bindAddress}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  app.get(Logger).log(`listening on http://${config.bindAddress}:${config.port}`, 'Main');
}

void main();
