// Requests whose bytes are not a protobuf message of the method's type. grpc-js answers a
// throwing deserializer with INTERNAL, which containerd reads as a server fault; a request the
// client got wrong is INVALID_ARGUMENT. So the deserializer never throws: it hands the handler
// a marker, and the handler refuses the call through the normal error path (typed, logged).
import type * as grpc from '@grpc/grpc-js';
import { invalidArgument, type SnapfleetError } from '@snapfleet/contracts';

const UNDECODABLE = Symbol('undecodable request');

interface Undecodable {
  [UNDECODABLE]: string;
}

/** The service with every request deserializer wrapped so that a decode failure is a value. */
export function tolerateUndecodable(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (err) {
          return { [UNDECODABLE]: err instanceof Error ? err.message : String(err) } satisfies Undecodable;
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

/** The typed error for a request that did not decode, or undefined for a real request. */
export function undecodableError(request: unknown, method: string): SnapfleetError | undefined {
  if (typeof request !== 'object' || request === null || !(UNDECODABLE in request)) return undefined;
  return invalidArgument(`${method}: the request is not a valid protobuf message: ${(request as Undecodable)[UNDECODABLE]}`);
}
