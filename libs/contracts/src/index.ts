// @snapfleet/contracts: the one source of truth for payloads, results, errors, filters and
// queue names. Every front (HTTP, gRPC, CLI, OpenAPI) derives from these.
export * from './errors';
export * from './identifiers';
export * from './labels';
export * from './snapshot';
export * from './ops';
export * from './queue';
export * from './validate';
export * from './logger';
export * from './client-api';
export * from './filters';
export * from './auth';
export * from './http';
export * from './jobs';
export * from './env';
export * from './layout';
