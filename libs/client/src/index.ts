// @snapfleet/client: the typed HTTP client of the snapfleet API (CLI, containerd proxy,
// tests) and containerd's Snapshotter interface on top of it.
export * from './client';
export type * from './types';
export { codeForStatus } from './errors';
export { DEFAULT_JOB_TIMEOUT_MS, jobError, resultOfJob, type AsyncRouteName, type CompletionValue, type WaitForJobOptions } from './jobs';
export * from './namespaced';
