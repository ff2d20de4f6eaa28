/**
 * Turns parsed frames into responses by looking methods up in the table, validating params and
 * running handlers. Shared by the transports, which only frame bytes. Also the gate for
 * shutdown: once draining, new calls get SHUTTING_DOWN while calls already running finish.
 */
import type { Logger } from 'pino';
import { MethodNotFoundError, ShuttingDownError, toRpcError } from './errors.js';
import { failure, success, type ParsedFrame, type RpcRequest, type RpcResponse } from './jsonrpc.js';
import type { MethodTable } from './method-table.js';
import type { Session } from './session.js';

/** What a frame produces: nothing (only notifications), one response, or a batch's array. */
export type FrameAnswer = RpcResponse | RpcResponse[] | undefined;

export class RpcDispatcher {
  readonly table: MethodTable;
  private readonly logger: Logger;
  private draining = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(table: MethodTable, logger: Logger) {
    this.table = table;
    this.logger = logger;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  /** Answers a frame; batch members run concurrently and their answers keep the batch's order. */
  async answer(frame: ParsedFrame, session: Session): Promise<FrameAnswer> {
    if (!frame.batch) {
      const [item] = frame.items;
      if (item === undefined) return undefined;
      return item.kind === 'invalid' ? item.response : this.call(item.request, session);
    }
    const answers = await Promise.all(frame.items.map((item) => (item.kind === 'invalid' ? item.response : this.call(item.request, session))));
    const responses = answers.filter((a): a is RpcResponse => a !== undefined);
    return responses.length === 0 ? undefined : responses;
  }

  /** Runs one request; undefined for a notification (which is run but never answered). */
  async call(request: RpcRequest, session: Session): Promise<RpcResponse | undefined> {
    const respond = (response: RpcResponse): RpcResponse | undefined => (request.id === undefined ? undefined : response);
    const id = request.id ?? null;
    if (this.draining) return respond(failure(id, new ShuttingDownError().toRpcError()));
    const method = this.table.get(request.method);
    if (method === undefined) return respond(failure(id, new MethodNotFoundError(request.method, this.table.names()).toRpcError()));
    this.inFlight++;
    session.callsInFlight++;
    try {
      const params = method.params(request.params, 'params');
      const logger = this.logger.child({ session: session.id, method: request.method });
      const result = await method.handler(params, { session, logger });
      return respond(success(id, result === undefined ? {} : result));
    } catch (err) {
      const error = toRpcError(err);
      if (error.data.code === 'INTERNAL_ERROR') {
        this.logger.error({ err, session: session.id, method: request.method }, 'IPC handler failed');
      }
      return respond(failure(id, error));
    } finally {
      session.callsInFlight--;
      if (--this.inFlight === 0) this.wakeIdleWaiters();
    }
  }

  /** Stops taking new calls; resolves when the calls already running have answered (or after timeoutMs). */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
