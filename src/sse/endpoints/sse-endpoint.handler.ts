import { EMPTY, type Observable } from 'rxjs';
import type { SseParam } from '../decorators/sse-params.decorator.js';
import { SseModuleMissingError } from '../errors/sse-module-missing.error.js';
import type { ManagedSseConnection } from '../connection/managed-sse-connection.js';
import type { SseMessage } from '../protocol/sse-message.js';
import type { SseEndpointOptions } from './sse-endpoint-options.interface.js';
import { registryForController } from './sse-endpoint.bindings.js';

/** How `@SseEndpoint()` calls one handler. */
export interface SseRoutePlan {
  /** `Controller.method`, for messages. */
  readonly endpoint: string;
  readonly options: SseEndpointOptions;
  /** The `@SseSend()`, `@SseClose()` and `@SseConnection()` parameters; `undefined` for a handler without parameter decorators, called as `(send, close, connection)`. */
  readonly params: readonly SseParam[] | undefined;
  /**
   * Where Nest puts the request (`@Req()`) among the arguments, after the
   * handler's own; the response (`@Res({ passthrough: true })`) comes next.
   */
  readonly requestIndex: number;
}

type RouteResult = Observable<SseMessage> | Promise<Observable<SseMessage>>;

/**
 * Makes the function Nest routes to in place of the handler: it opens the
 * connection, calls the handler with `send`, `close` and the connection, and
 * returns the Observable of the connection's events to Nest's `@Sse()` pipeline.
 */
export function createSseRoute(
  handler: (...args: any[]) => unknown,
  plan: SseRoutePlan,
): (...args: any[]) => RouteResult {
  const { requestIndex } = plan;
  return function sseRoute(this: object, ...args: any[]): RouteResult {
    const registry = registryForController(this);
    if (!registry) throw new SseModuleMissingError(plan.endpoint);
    const response = args[requestIndex + 1];
    const connection = registry.connect(
      { request: args[requestIndex], response },
      registry.endpoint(plan, plan.endpoint, plan.options),
    );
    if (!connection) return EMPTY; // refused, and answered
    let result: unknown;
    try {
      result = handler.apply(this, handlerArguments(args, plan, connection));
    } catch (err) {
      // As for an async handler: once it has sent or closed, the stream has
      // started, and the error ends it with an error event.
      if (connection.hasActed) {
        connection.fail(err);
        return connection.events$;
      }
      connection.discard();
      throw err;
    }
    if (isPromiseLike(result))
      return startWhenReady(connection, result, response);
    return streamOrNoContent(connection, response);
  };
}

function handlerArguments(
  args: any[],
  plan: SseRoutePlan,
  connection: ManagedSseConnection,
): unknown[] {
  if (!plan.params) return [connection.send, connection.close, connection];
  const handlerArgs = args.slice(0, plan.requestIndex);
  for (const { index, kind } of plan.params) {
    handlerArgs[index] =
      kind === 'send'
        ? connection.send
        : kind === 'close'
          ? connection.close
          : connection;
  }
  return handlerArgs;
}

/**
 * For an async handler: hands the stream to Nest once the handler resolves or
 * first sends or closes, whichever comes first. Until then nothing is written,
 * so a handler that throws (an `HttpException`, say) before it sends anything
 * gets Nest's ordinary error response; a throw after that ends the stream with
 * an error event.
 */
function startWhenReady(
  connection: ManagedSseConnection,
  result: PromiseLike<unknown>,
  response: any,
): Promise<Observable<SseMessage>> {
  return new Promise((resolve, reject) => {
    let started = false;
    connection.onFirstActivity(() => {
      started = true;
      resolve(connection.events$);
    });
    result.then(
      () => {
        if (started) return;
        started = true;
        resolve(streamOrNoContent(connection, response));
      },
      (error: unknown) => {
        if (started) {
          connection.fail(error);
        } else {
          connection.discard();
          reject(error);
        }
      },
    );
  });
}

/** The connection's stream, or, if the handler asked for it, a `204 No Content` answer. */
function streamOrNoContent(
  connection: ManagedSseConnection,
  response: any,
): Observable<SseMessage> {
  if (!connection.wantsNoContent) return connection.events$;
  connection.discard();
  const raw = response?.raw ?? response;
  // Written directly: Nest's `@Sse()` pipeline leaves a response that has
  // ended alone, and an exception filter would log a 204 as an error.
  raw.writeHead(204);
  raw.end();
  return EMPTY;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof (value as PromiseLike<unknown> | undefined)?.then === 'function'
  );
}
