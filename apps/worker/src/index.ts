// What tests and scripts may use of the worker without starting it.
export { loadWorkerConfig, WorkerEnvSchema, type WorkerConfig } from './config/worker-config';
export { OpHandlerMap, handlerFor, type OpHandlerEntry, type OpExecution } from './jobs/op-handlers';
export { toJobFailure } from './jobs/job-failure';
export { threadPoolSize } from './thread-pool-size';
