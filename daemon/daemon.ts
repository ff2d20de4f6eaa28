// The daemon process: configuration, logging, brokers (a local Kafka when none are
// configured), the supervision tree, the IPC listeners and the HTTP server; then it serves
// until SIGTERM/SIGINT (exit 0) or until a supervisor escalates (exit 1).
import { join } from 'node:path';
import { createActor } from 'xstate';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { SidecarConfig } from '../config/schema.js';
import { IpcServer } from '../ipc/ipc-server.js';
import { listenerSystemId, listening, type ListenerActor } from '../ipc/listener-machine.js';
import { adminOperations, registerAdminMethods, type AdminOperations } from '../ipc/methods/admin.js';
import { ClusterClient } from '../machines/cluster/cluster-client.js';
import type { ClusterActor } from '../machines/cluster/cluster-machine.js';
import { NotReadyError } from '../ipc/errors.js';
import { registerConsumeMethods } from '../ipc/methods/consume.js';
import { registerProduceMethod } from '../ipc/methods/produce.js';
import { registerTransactionMethods, type GroupMembership } from '../ipc/methods/transactions.js';
import { SubscriptionRegistry } from '../ipc/subscriptions.js';
import { TransactionRegistry } from '../ipc/transactions.js';
import { producerOf } from '../machines/producer/producer-machine.js';
import { groupSystemId } from '../machines/consumer/consumer-machine.js';
import { SUPERVISOR_STOP } from '../machines/supervision/supervisor-machine.js';
import type { GroupContext } from '../machines/group/group-machine.js';
import { lz4AddonLoadError, lz4ImplementationLabel } from '../protocol/records/compression/lz4-native.js';
import { ActorDirectory } from './actor-directory.js';
import { ActorLog } from './actor-log.js';
import { clusterOptionsFrom } from './cluster-options.js';
import { ConsumerDirectory } from './consumers.js';
import { producerOptionsFrom } from './producer-options.js';
import { TransactionalProducerDirectory } from './transactional-producers.js';
import { ExitCode } from './commands/command.js';
import { daemonMachine, listenerSupervisorId } from './daemon-machine.js';
import { HttpServer, type RouteHandler } from './http/http-server.js';
import { InspectionHub } from './http/inspector.js';
import { createVizHandler, VIZ_PREFIXES } from './http/viz/routes.js';
import { installRoot, startLocalKafka, type LocalKafkaHandle } from './local-kafka.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { version } from './version.js';

function natsOptions(config: SidecarConfig): ConstructorParameters<typeof IpcServer>[0]['nats'] {
  const { nats } = config;
  if (!nats.enabled) return null;
  return {
    servers: nats.servers,
    prefix: nats.prefix,
    user: nats.user,
    password: nats.password,
    token: nats.token,
    nkeySeed: nats.nkeySeed,
    tls: nats.tls.caFile || nats.tls.certFile ? nats.tls : null,
  };
}

async function resolveBrokers(config: SidecarConfig, logger: Logger): Promise<{ brokers: readonly string[]; local?: LocalKafkaHandle }> {
  if (config.kafka.brokers.length > 0) return { brokers: config.kafka.brokers };
  logger.info('no brokers configured: starting a local single-node Kafka (scripts/kafka-local)');
  const local = await startLocalKafka(join(installRoot, '.kafka', 'daemon'));
  return { brokers: local.brokers, local };
}

/** The member a group's actor holds now (generation or member epoch), for TxnOffsetCommit's fencing. */
function groupMembership(root: { system: { get(id: string): unknown } }): GroupMembership {
  return (group) => {
    const actor = root.system.get(groupSystemId(group)) as { getSnapshot(): { status: string; context: GroupContext } } | undefined;
    const snapshot = actor?.getSnapshot();
    if (snapshot === undefined || snapshot.status !== 'active') return undefined;
    const { memberId, generationId, options } = snapshot.context;
    if (memberId === '' || generationId < 0) return undefined;
    return { memberId, generationId, groupInstanceId: options.groupInstanceId ?? null };
  };
}

export async function runDaemon(argv: string[]): Promise<number> {
  let config: SidecarConfig;
  try {
    config = loadConfig({ argv, env: process.env, cwd: process.cwd() }).config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kafka-sidecar: ${err.message}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logging.level, pretty: config.logging.pretty });
  const { brokers, local } = await resolveBrokers(config, logger);

  const directory = new ActorDirectory();
  const hub = new InspectionHub();
  const actorLog = new ActorLog(logger);
  const subscriptions = new SubscriptionRegistry();
  const ipc: IpcServer = new IpcServer(
    {
      version,
      socket: { path: config.ipc.socket.path, mode: Number.parseInt(config.ipc.socket.mode, 8) },
      maxFrameBytes: config.ipc.maxFrameBytes,
      nats: natsOptions(config),
    },
    { logger, status: { actors: () => directory.list(), subscriptions: () => subscriptions.list(), consumers: () => consumers.list(), transactions: () => transactions.list() } },
  );
  const root = createActor(daemonMachine, {
    input: {
      cluster: clusterOptionsFrom(config, brokers, version),
      producer: producerOptionsFrom(config),
      listeners: ipc.listeners,
      supervision: { maxRestarts: config.supervisor.maxRestarts, windowMs: config.supervisor.windowMs, backoff: config.supervisor.backoff },
      stableAfterMs: config.supervisor.windowMs,
    },
    inspect: (event) => {
      directory.inspect(event);
      hub.inspect(event);
      actorLog.inspect(event);
    },
    systemId: 'daemon',
  });
  // The listener actors of the moment (a supervisor replaces one that failed under the same id).
  const listenerIds = ipc.listeners.map((l) => listenerSystemId(l.transport));
  const listenerActors = (): ListenerActor[] =>
    listenerIds.map((id) => root.system.get(id) as ListenerActor | undefined).filter((a): a is ListenerActor => a !== undefined);

  // The cluster actor is re-created by its supervisor after a failure: admin calls look up the
  // current one each time.
  const currentCluster = (): ClusterClient => {
    const actor = root.system.get('cluster') as ClusterActor | undefined;
    if (!actor) throw new NotReadyError('the cluster actor is restarting');
    return new ClusterClient(actor);
  };
  const admin: AdminOperations = {
    createTopics: (topics, timeoutMs) => adminOperations(currentCluster()).createTopics(topics, timeoutMs),
    deleteTopics: (names, timeoutMs) => adminOperations(currentCluster()).deleteTopics(names, timeoutMs),
    listTopics: (timeoutMs) => adminOperations(currentCluster()).listTopics(timeoutMs),
    listOffsets: (topic, at, timeoutMs) => adminOperations(currentCluster()).listOffsets(topic, at, timeoutMs),
    listGroups: (timeoutMs) => adminOperations(currentCluster()).listGroups(timeoutMs),
    describeGroup: (group, timeoutMs) => adminOperations(currentCluster()).describeGroup(group, timeoutMs),
  };
  registerAdminMethods(ipc.methods, admin, { timeoutMs: config.connection.requestTimeoutMs });
  const transactionalProducers = new TransactionalProducerDirectory(config, root);
  const transactions: TransactionRegistry = new TransactionRegistry(
    { timeoutMs: config.producer.transactions.timeoutMs, idleMs: config.producer.transactions.idleMs, requestTimeoutMs: config.connection.requestTimeoutMs },
    transactionalProducers,
    logger.child({ component: 'transactions' }),
  );
  // Like the cluster, the producer is looked up per call: its supervisor may have re-created it.
  registerProduceMethod(ipc.methods, () => producerOf(root.system), transactions);
  const consumers: ConsumerDirectory = new ConsumerDirectory(config, root, logger);
  registerConsumeMethods(ipc.methods, {
    source: consumers,
    subscriptions,
    defaults: { maxInFlight: config.consumer.maxInFlight, ackTimeoutMs: config.consumer.ackTimeoutMs },
  });
  registerTransactionMethods(ipc.methods, {
    transactions,
    consumers,
    subscriptions,
    membership: groupMembership(root),
    maxTimeoutMs: config.producer.transactions.timeoutMs,
  });

  const metrics = createMetrics({ actors: directory, ipcSessions: () => ipc.sessions.list().length, producer: () => producerOf(root.system), consumers: () => consumers.cores() });
  const clusterReady = (): string | undefined => {
    const cluster = root.system.get('cluster') as { getSnapshot(): { matches(state: string): boolean } } | undefined;
    if (!cluster) return 'the cluster actor is restarting';
    return cluster.getSnapshot().matches('ready') ? undefined : 'not connected to Kafka yet';
  };
  // Ready while every listener serves; a NATS listener that is reconnecting counts, as the
  // socket still serves and the NATS client restores its endpoints by itself.
  const ipcReady = (): string | undefined => {
    for (const id of listenerIds) {
      const actor = root.system.get(id) as ListenerActor | undefined;
      const snapshot = actor?.getSnapshot();
      if (snapshot === undefined || snapshot.status !== 'active') return `${id} is restarting`;
      if (!snapshot.matches('listening') && !snapshot.matches('reconnecting')) return `${id} is ${String(snapshot.value)}`;
    }
    return undefined;
  };
  const vizHandler = createVizHandler({ hub });
  const http = config.http.enabled
    ? new HttpServer({
        host: config.http.host,
        port: config.http.port,
        registry: metrics.registry,
        readiness: [
          { name: 'cluster', check: clusterReady },
          { name: 'ipc', check: ipcReady },
        ],
        routes: new Map<string, RouteHandler>(VIZ_PREFIXES.map((prefix) => [prefix, vizHandler])),
        onError: (err) => logger.error({ err }, 'HTTP handler failed'),
      })
    : null;

  let exitCode: number = ExitCode.ok;
  let stop!: () => void;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  root.subscribe({
    next: (snapshot) => {
      if (snapshot.matches('escalated')) {
        logger.fatal({ err: snapshot.context.escalation }, 'a supervisor gave up: exiting so that the daemon is restarted');
        exitCode = ExitCode.failure;
        stop();
      }
    },
    error: (err) => {
      logger.fatal({ err }, 'the root actor failed');
      exitCode = ExitCode.failure;
      stop();
    },
  });
  root.start();
  consumers.startDeclared();

  try {
    // A listener that cannot start now (a live daemon on the socket, NATS unreachable) stops the
    // start with its reason; later failures are its supervisor's to handle.
    await Promise.all(listenerIds.map((id) => listening(root.system.get(id) as ListenerActor | undefined)));
    const address = await http?.listen();
    const httpUrl = address ? `http://${config.http.host}:${address.port}` : 'disabled';
    if (lz4AddonLoadError !== undefined) logger.warn({ err: lz4AddonLoadError }, 'the liblz4 addon is built but does not load: LZ4 uses lz4-napi');
    logger.info({ brokers, socket: config.ipc.socket.path, http: httpUrl, nats: config.nats.enabled, lz4: lz4ImplementationLabel }, 'kafka-sidecar ready');
    process.stdout.write(
      [
        `kafka-sidecar ${version}: Kafka at ${brokers.join(',')}${local ? ` (local ${local.version}, data in ${local.dir})` : ''}`,
        `  socket: ${config.ipc.socket.path}`,
        `  http:   ${httpUrl} (/healthz /readyz /metrics, live statecharts at /machines)`,
        `  try:    echo '{"jsonrpc":"2.0","id":1,"method":"status"}' | socat - UNIX-CONNECT:${config.ipc.socket.path}`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    logger.fatal({ err }, 'could not start the listeners');
    process.stderr.write(`kafka-sidecar: ${(err as Error).message}\n`);
    exitCode = ExitCode.failure;
    stop();
  }

  const onSignal = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await stopped;
  // From here a signal must end the process as usual, not be swallowed by a handler of a
  // daemon that is already stopping.
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);

  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: config.shutdown.timeoutMs }, 'shutdown took too long: exiting anyway');
    process.exit(exitCode === ExitCode.ok ? ExitCode.failure : exitCode);
  }, config.shutdown.timeoutMs);
  deadline.unref();
  const shutdownStarted = Date.now();
  // Open transactions are aborted (with their sessions, and those no session holds), within the shutdown deadline.
  transactions.beginShutdown(shutdownStarted + Math.max(1, config.shutdown.timeoutMs - 1500));
  // A listener waiting to be restarted must not come back (and listen) while the daemon stops.
  for (const listener of ipc.listeners) root.system.get(listenerSupervisorId(listener.transport))?.send(SUPERVISOR_STOP);
  await ipc.shutdown(Math.max(0, config.shutdown.timeoutMs - 1000), listenerActors());
  await transactions.abortAll();
  await transactionalProducers.closeAll(Math.max(1, config.shutdown.timeoutMs - 1000 - (Date.now() - shutdownStarted)));
  // Buffered records get their chance to reach Kafka before the actors stop.
  const producer = producerOf(root.system);
  if (producer) {
    const flushMs = Math.max(0, config.shutdown.timeoutMs - 1000 - (Date.now() - shutdownStarted));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([producer.close(), new Promise((resolve) => (timer = setTimeout(resolve, flushMs)))]);
    clearTimeout(timer);
  }
  // Sessions are closed (their unacked messages released): each group commits what was acknowledged and leaves.
  await consumers.stopAll(Math.max(0, config.shutdown.timeoutMs - 500 - (Date.now() - shutdownStarted)));
  root.send({ type: 'daemon.stop' });
  root.stop();
  await http?.close();
  metrics.close();
  if (local?.startedHere) await local.stop();
  clearTimeout(deadline);
  logger.info({ exitCode }, 'stopped');
  // The process ends when nothing is left to wait for. Should anything still hold the event
  // loop (a socket or timer some actor failed to release), exit anyway: a daemon that has
  // given up must not linger, or the container runtime would never restart it.
  setTimeout(() => {
    logger.warn('handles still open after shutdown: exiting anyway');
    process.exit(exitCode);
  }, 5000).unref();
  return exitCode;
}
