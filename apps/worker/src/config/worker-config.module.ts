// Makes the validated configuration injectable everywhere (WORKER_CONFIG) without each
// module importing it: it is one immutable value for the whole process.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { WorkerConfig } from './worker-config';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

@Global()
@Module({})
export class WorkerConfigModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerConfigModule,
      providers: [{ provide: WORKER_CONFIG, useValue: Object.freeze({ ...config }) }],
      exports: [WORKER_CONFIG],
    };
  }
}
