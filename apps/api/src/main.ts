// snapfleet API: `node dist/apps/api/src/main.js`. Configuration from the environment
// (see config/api-config.ts); exits 1 with a clear message when the configuration is bad
// or MySQL/Redis cannot be reached, and 0 after a graceful SIGTERM/SIGINT shutdown. Once
// listening it logs the URLs of the API, its docs, the queue dashboard and the fleet page.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './bootstrap';
import { ApiConfig } from './config/api-config';
import { apiUrls, bannerMessage } from './startup-banner';

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
    app = await createApiApp(config);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  // SIGTERM: stop accepting, end waits with 202, finish in-flight requests, close queues
  // and the database, then exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  try {
    await app.listen(config.port, config.bindAddress);
  } catch (err) {
    fail(`cannot listen on ${config.bindAddress}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The bound port: SNAPFLEET_PORT=0 picks a free one.
  const port = (app.getHttpServer().address() as AddressInfo | null)?.port ?? config.port;
  const urls = apiUrls(config.bindAddress, port);
  app.get(Logger).log({ urls }, bannerMessage(urls), 'Main');
}

void main();
