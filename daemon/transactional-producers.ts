// The daemon's transactional producers: one supervised producer actor per transactional id
// (`producer:txn:<id>` under `supervisor:producer:txn:<id>`), started by the first
// beginTransaction with that id, replaced when it was fenced, closed when idle or at shutdown.
// The open transactions themselves are the IPC layer's (ipc/transactions.ts).
import type { Actor } from 'xstate';
import type { SidecarConfig } from '../config/schema.js';
import { NotReadyError } from '../ipc/errors.js';
import type { TransactionalProducer, TransactionalProducers } from '../ipc/transactions.js';
import { producerOf, transactionalProducerSystemId, type ProducerActor } from '../machines/producer/producer-machine.js';
import type { Producer } from '../machines/producer/producer.js';
import { ProducerFencedError } from '../machines/producer/transaction-errors.js';
import { transactionalProducerSupervisorId, type daemonMachine } from './daemon-machine.js';
import { transactionalProducerOptionsFrom } from './producer-options.js';
import { supervisorActive, untilSupervisorStopped } from './supervised.js';

const POLL_MS = 20;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TransactionalProducerDirectory implements TransactionalProducers {
  /** Ids started here and not closed since. */
  private readonly started = new Set<string>();
  /** Closes under way: a begin of the id waits for its old producer to be gone before starting a new one. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    private readonly config: SidecarConfig,
    private readonly root: Actor<typeof daemonMachine>,
  ) {}

  async acquire(transactionalId: string, timeoutMs: number): Promise<TransactionalProducer> {
    const deadline = Date.now() + timeoutMs;
    await this.closing.get(transactionalId);
    const systemId = transactionalProducerSystemId(transactionalId);
    let current = producerOf(this.root.system, systemId);
    if (current?.transaction?.state === 'fatal') {
      // Fenced, or refused for good: a new producer takes a new epoch (InitProducerId) for the next transaction.
      await this.stop(transactionalId, Math.max(1, deadline - Date.now()));
      current = undefined;
    }
    if (!this.supervised(transactionalId)) {
      this.root.send({ type: 'daemon.txnProducer.start', transactionalId, input: transactionalProducerOptionsFrom(this.config, transactionalId) });
    }
    this.started.add(transactionalId);
    for (;;) {
      current = producerOf(this.root.system, systemId);
      const state = current?.transaction?.state;
      if (current !== undefined && state === 'ready') return current;
      if (current !== undefined && state === 'fatal') {
        const cause = this.lastError(systemId);
        void this.stop(transactionalId, this.config.shutdown.timeoutMs);
        throw cause instanceof ProducerFencedError ? cause : new NotReadyError(`the transactional producer of "${transactionalId}" failed to start: ${cause?.message ?? 'unknown cause'}`);
      }
      if (Date.now() >= deadline) {
        const cause = this.lastError(systemId);
        throw new NotReadyError(
          `the transactional producer of "${transactionalId}" is not ready within ${timeoutMs} ms (${state ?? 'starting'}${cause === null ? '' : `: ${cause.message}`})`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  close(transactionalId: string): void {
    void this.stop(transactionalId, this.config.shutdown.timeoutMs);
  }

  running(): string[] {
    return [...this.started].filter((id) => this.supervised(id));
  }

  /** Closes every transactional producer; resolves when they stopped or after timeoutMs. */
  async closeAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.started].map((id) => this.stop(id, timeoutMs)));
  }

  /** The producer data plane of `transactionalId`, for tests and metrics. */
  producer(transactionalId: string): Producer | undefined {
    return producerOf(this.root.system, transactionalProducerSystemId(transactionalId));
  }

  private supervised(transactionalId: string): boolean {
    return supervisorActive(this.root.system, transactionalProducerSupervisorId(transactionalId));
  }

  private lastError(systemId: string): Error | null {
    const actor = this.root.system.get(systemId) as ProducerActor | undefined;
    return actor?.getSnapshot().context.lastError ?? null;
  }

  /** Closes the producer (it flushes, then ends in `closed`, which ends its supervisor); resolves once it is gone. */
  private stop(transactionalId: string, timeoutMs: number): Promise<void> {
    const pending = this.closing.get(transactionalId);
    if (pending !== undefined) return pending;
    this.started.delete(transactionalId);
    const done = (async () => {
      const actor = this.root.system.get(transactionalProducerSystemId(transactionalId)) as ProducerActor | undefined;
      actor?.send({ type: 'producer.close' });
      await untilSupervisorStopped(this.root.system, transactionalProducerSupervisorId(transactionalId), timeoutMs, POLL_MS);
    })().finally(() => this.closing.delete(transactionalId));
    this.closing.set(transactionalId, done);
    return done;
  }
}
