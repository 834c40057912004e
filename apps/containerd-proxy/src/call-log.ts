// One wrapper for every method: resolves the namespace, runs the handler, maps errors to gRPC
// statuses and logs one JSON line per call (method, key, namespace, duration, outcome).
// Expected outcomes (not found, already exists, …) log at info: containerd probes with them.
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { toGrpcError } from './grpc-errors';
import { namespaceOf, type CallNamespace } from './namespace';

export interface CallFacts {
  method: string;
  key?: string;
  snapshotter?: string;
  /** Extra fields for the log line (filters, counts…), filled in by the handler. */
  extra?: Record<string, unknown>;
}

/** What every call needs from the server: where to log, and the header-less namespace. */
export interface CallContext {
  log: Logger;
  defaultNamespace: string;
}

const EXPECTED = new Set(['not_found', 'already_exists', 'failed_precondition', 'invalid_argument']);

/**
 * Runs `fn` in the call's namespace; resolves with its value, or rejects with a gRPC status
 * error ready for grpc-js.
 */
export async function runCall<T>(ctx: CallContext, md: Metadata, facts: CallFacts, fn: (ns: CallNamespace) => Promise<T>): Promise<T> {
  const { log } = ctx;
  const started = performance.now();
  let ns: CallNamespace | undefined;
  const line = () => ({
    method: facts.method,
    ...(facts.key === undefined ? {} : { key: facts.key }),
    namespace: ns?.namespace,
    nsHeader: ns?.fromHeader,
    snapshotter: facts.snapshotter,
    ms: Math.round((performance.now() - started) * 100) / 100,
    ...facts.extra,
  });
  try {
    ns = namespaceOf(md, ctx.defaultNamespace);
    const value = await fn(ns);
    log.info(line(), `${facts.method} ok`);
    return value;
  } catch (err) {
    const g = toGrpcError(err, `${facts.method} failed`);
    const level = EXPECTED.has(g.snapfleet.code) ? 'info' : 'error';
    log[level]({ ...line(), code: g.snapfleet.code, err: g.message }, `${facts.method} failed`);
    throw g;
  }
}
