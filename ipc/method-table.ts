/**
 * The one table of IPC methods that every transport serves. A method is a params validator and
 * a handler; the handler gets checked params and a context with the calling session, and never
 * learns which transport the call came through.
 */
import type { Logger } from 'pino';
import type { Validator } from './params.js';
import type { Session } from './session.js';

export interface CallContext {
  readonly session: Session;
  /** A logger bound to the session and method. */
  readonly logger: Logger;
}

export interface MethodDefinition<P, R> {
  readonly params: Validator<P>;
  readonly handler: (params: P, ctx: CallContext) => Promise<R>;
  /** One line for NATS service discovery and the status output. */
  readonly description: string;
}

/**
 * Builds a method definition. Separate arguments (not one object literal) so that TypeScript
 * infers the handler's params type from an inline validator such as `params({ topic: string() })`.
 */
export function method<P, R>(
  description: string,
  paramsValidator: Validator<P>,
  handler: (params: NoInfer<P>, ctx: CallContext) => Promise<R>,
): MethodDefinition<P, R> {
  return { description, params: paramsValidator, handler };
}

/** Method names are one NATS subject token (they become `<prefix>.<method>`) and a JS identifier. */
const METHOD_NAME = /^[a-z][A-Za-z0-9]*$/;

/** A name NATS service endpoints use internally for the batch/any-method subject: not a method name. */
export const RESERVED_METHOD_NAMES: readonly string[] = ['rpc'];

type AnyMethod = MethodDefinition<unknown, unknown>;

export class MethodTable {
  private readonly methods = new Map<string, AnyMethod>();
  private readonly listeners: Array<(name: string) => void> = [];

  /** Adds a method; throws on a malformed or duplicate name (a programming error, found at startup). */
  register<P, R>(name: string, definition: MethodDefinition<P, R>): this {
    if (!METHOD_NAME.test(name)) {
      throw new TypeError(`method name "${name}" must start with a lowercase letter and hold only letters and digits`);
    }
    if (RESERVED_METHOD_NAMES.includes(name)) throw new TypeError(`method name "${name}" is reserved by the NATS transport`);
    if (this.methods.has(name)) throw new TypeError(`method "${name}" is already registered`);
    this.methods.set(name, definition as AnyMethod);
    for (const listener of this.listeners) listener(name);
    return this;
  }

  get(name: string): AnyMethod | undefined {
    return this.methods.get(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Calls `listener` for each method registered from now on (a transport started before later handlers). */
  onRegister(listener: (name: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at !== -1) this.listeners.splice(at, 1);
    };
  }
}
