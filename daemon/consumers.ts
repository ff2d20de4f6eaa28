// The daemon's consumer groups: one ConsumerCore and one supervised consumer actor per group
// name, started when an app first subscribes or fetches (or at start-up for groups declared
// in consumer.groups), and stopped (commit, leave) when apps have left it alone for
// consumer.idleGraceMs, or at shutdown.
import type { Actor } from 'xstate';
import type { SidecarConfig } from '../config/schema.js';
import { InvalidParamsError, NotReadyError } from '../ipc/errors.js';
import type { ConsumeSpec, ConsumerSource } from '../ipc/methods/consume.js';
import type { ConsumerStatus } from '../ipc/methods/status.js';
import { ConsumerCore, PULL_HOLDER } from '../machines/consumer/consumer-core.js';
import { consumerSystemId, type ConsumerActor } from '../machines/consumer/consumer-machine.js';
import { IsolationLevel } from '../machines/fetcher/types.js';
import { consumerSupervisorId, type daemonMachine } from './daemon-machine.js';
import type { Logger } from './logger.js';
import { supervisorActive, untilSupervisorStopped } from './supervised.js';

interface Entry {
  readonly spec: ConsumeSpec;
  readonly startedAt: number;
  readonly core: ConsumerCore;
  /** Declared in the configuration: kept for the daemon's lifetime. */
  readonly declared: boolean;
}

function sameTopics(a: ConsumeSpec, b: ConsumeSpec): boolean {
  if (a.pattern !== undefined || b.pattern !== undefined) return a.pattern === b.pattern;
  const x = [...new Set(a.topics)].sort();
  const y = [...new Set(b.topics)].sort();
  return x.length === y.length && x.every((t, i) => t === y[i]);
}

function describeSpec(s: ConsumeSpec): string {
  return s.pattern !== undefined ? `pattern "${s.pattern}"` : `topics [${(s.topics ?? []).join(', ')}]`;
}

export class ConsumerDirectory implements ConsumerSource {
  private readonly entries = new Map<string, Entry>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly config: SidecarConfig,
    private readonly root: Actor<typeof daemonMachine>,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.stopIdle(), Math.min(1000, config.consumer.idleGraceMs));
    this.timer.unref();
  }

  /** Starts the groups declared in consumer.groups. */
  startDeclared(): void {
    for (const d of this.config.consumer.groups) {
      this.open({ group: d.group, topics: d.topics, pattern: d.pattern, from: d.from, ordering: 'partition' }, true);
    }
  }

  open(spec: ConsumeSpec, declared = false): ConsumerCore {
    if (this.stopping.has(spec.group)) throw new NotReadyError(`group "${spec.group}" is being stopped in this daemon; retry in a moment`);
    const existing = this.entries.get(spec.group);
    if (existing !== undefined) {
      if (!sameTopics(existing.spec, spec)) {
        throw new InvalidParamsError(
          spec.pattern !== undefined ? 'params.pattern' : 'params.topics',
          `the ${describeSpec(existing.spec)} that group "${spec.group}" is consumed with in this daemon`,
          describeSpec(spec),
        );
      }
      if (existing.spec.ordering !== spec.ordering) {
        throw new InvalidParamsError('params.ordering', `"${existing.spec.ordering}", the ordering group "${spec.group}" is consumed with in this daemon`, `"${spec.ordering}"`);
      }
      return existing.core;
    }
    const c = this.config.consumer;
    const log = this.logger.child({ group: spec.group });
    const core = new ConsumerCore({ group: spec.group, ordering: spec.ordering, onProblem: (err) => log.warn({ err }, 'a partition cannot be consumed') });
    this.entries.set(spec.group, { spec, core, declared, startedAt: Date.now() });
    this.root.send({
      type: 'daemon.consumer.start',
      protocol: c.protocol,
      input: {
        core,
        group: {
          group: spec.group,
          ...(spec.pattern !== undefined ? { pattern: spec.pattern } : { topics: spec.topics }),
          sessionTimeoutMs: c.sessionTimeoutMs,
          heartbeatIntervalMs: c.heartbeatIntervalMs,
          rebalanceTimeoutMs: c.rebalanceTimeoutMs,
          autoCommitIntervalMs: c.autoCommitIntervalMs,
          autoOffsetReset: spec.from ?? c.autoOffsetReset,
          assignors: c.assignors,
          groupInstanceId: c.groupInstanceId,
          requestTimeoutMs: this.config.connection.requestTimeoutMs,
          backoff: this.config.connection.backoff,
        },
        fetcher: {
          resetPolicy: spec.from ?? c.autoOffsetReset,
          isolationLevel: c.isolationLevel === 'read_committed' ? IsolationLevel.readCommitted : IsolationLevel.readUncommitted,
          maxWaitMs: c.fetchMaxWaitMs,
          minBytes: c.fetchMinBytes,
          maxBytes: c.fetchMaxBytes,
          maxBufferedBytes: c.maxBufferedBytes,
          maxPartitionBufferedBytes: c.maxPartitionBufferedBytes,
          partitionMaxBytes: Math.min(c.maxPartitionBufferedBytes, 1024 * 1024),
          requestTimeoutMs: this.config.connection.requestTimeoutMs,
          retryBackoffMs: this.config.connection.backoff.minMs,
        },
        stopTimeoutMs: Math.max(1000, this.config.shutdown.timeoutMs - 2000),
      },
    });
    log.info({ topics: spec.topics, pattern: spec.pattern, protocol: c.protocol }, 'consumer group started');
    return core;
  }

  list(): ConsumerStatus[] {
    return [...this.entries].map(([group, e]) => ({ group, ...e.core.status() }));
  }

  /** Each running group's core, for the metrics. */
  cores(): [group: string, core: ConsumerCore][] {
    return [...this.entries].map(([group, e]) => [group, e.core]);
  }

  find(group: string): ConsumerCore | undefined {
    return this.entries.get(group)?.core;
  }

  /** Stops every group (commit, leave); resolves when they stopped or after timeoutMs. */
  async stopAll(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.entries.keys()].map((group) => this.stop(group, timeoutMs)));
  }

  private stopIdle(): void {
    const now = Date.now();
    for (const [group, entry] of this.entries) {
      const core = entry.core;
      if (!supervisorActive(this.root.system, consumerSupervisorId(group)) && now - entry.startedAt > 5000) {
        // Its supervisor gave up: forget it, so that the next subscribe or fetch starts it afresh.
        this.logger.error({ group }, 'the group consumer failed for good; it starts again with the next subscribe or fetch');
        this.entries.delete(group);
        continue;
      }
      if (entry.declared || core.subscriberCount > 0 || core.inFlightOf(PULL_HOLDER) > 0) continue;
      if (now - core.lastActivity < this.config.consumer.idleGraceMs) continue;
      this.logger.info({ group }, 'no subscription for consumer.idleGraceMs: stopping the group consumer');
      void this.stop(group, this.config.shutdown.timeoutMs);
    }
  }

  private stop(group: string, timeoutMs: number): Promise<void> {
    const pending = this.stopping.get(group);
    if (pending !== undefined) return pending;
    this.entries.delete(group);
    const done = (async () => {
      const consumer = this.root.system.get(consumerSystemId(group)) as ConsumerActor | undefined;
      consumer?.send({ type: 'consumer.stop' });
      if (!(await untilSupervisorStopped(this.root.system, consumerSupervisorId(group), timeoutMs))) this.logger.warn({ group, timeoutMs }, 'the group consumer did not stop in time');
    })().finally(() => this.stopping.delete(group));
    this.stopping.set(group, done);
    return done;
  }
}
