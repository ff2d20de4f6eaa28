// Sets up a local cluster in a directory (configs, certificate, formatted storage, SCRAM
// users) and starts, restarts and checks its JVMs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  log4j1Properties, log4j2Yaml, saslMechanisms, saslPassword, saslUser, serverProperties, zookeeperProperties,
} from './configs.mjs';
import { ErrorCode, KafkaLocalError } from './errors.mjs';
import { freePorts } from './ports.mjs';
import { runningPid, startDetached, stopProcesses } from './processes.mjs';
import { checkProcesses, waitForBrokers } from './readiness.mjs';
import { allProcesses, writeState } from './state.mjs';
import { certificatePaths, createCertificate } from './tls.mjs';
import { runKafkaClass } from './tools.mjs';
import { versionSpec } from './versions.mjs';

/** How long a start may take before it counts as failed (env KAFKA_LOCAL_TIMEOUT, seconds). */
export const defaultReadinessTimeoutMs = 120_000;

/** A KRaft cluster id: 16 random bytes, base64url without padding, never starting with '-'. */
function clusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function logFlag(version, dir) {
  return versionSpec(version).logging === 'log4j2'
    ? `-Dlog4j2.configurationFile=${join(dir, 'log4j2.yaml')}`
    : `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`;
}

/**
 * Writes everything a cluster needs into `dir` (which must be empty) and records it in
 * kafka-local.json. Starts nothing that outlives this call.
 * @param {{ version: string, nodes: number, security: boolean, dir: string, port?: number,
 *           java: string, keytool: string, lib: string, env: NodeJS.ProcessEnv, log: (m: string) => void }} o
 * @returns {Promise<import('./state.mjs').ClusterState>}
 */
export async function createCluster(o) {
  const spec = versionSpec(o.version);
  const perNode = (spec.mode === 'kraft' ? 2 : 1) + (o.security ? 3 : 0);
  const picked = await freePorts(o.nodes * perNode + (spec.mode === 'zookeeper' ? 1 : 0));
  const take = () => picked.shift();
  const ports = [];
  for (let i = 0; i < o.nodes; i++) {
    const p = { plaintext: take() };
    if (spec.mode === 'kraft') p.controller = take();
    if (o.security) Object.assign(p, { saslPlaintext: take(), ssl: take(), saslSsl: take() });
    ports.push(p);
  }
  // An explicit --port is used as given: if it is taken the broker's bind failure says so.
  if (o.port !== undefined) ports[0].plaintext = o.port;
  const zookeeperPort = spec.mode === 'zookeeper' ? take() : undefined;

  if (spec.logging === 'log4j2') writeFileSync(join(o.dir, 'log4j2.yaml'), log4j2Yaml());
  else writeFileSync(join(o.dir, 'log4j.properties'), log4j1Properties());
  const tls = o.security ? certificatePaths(o.dir) : undefined;
  const plan = { version: o.version, mode: spec.mode, nodes: o.nodes, security: o.security, ports, zookeeperPort, keystore: tls?.keystore, configs: o.configs ?? [] };
  const jvmLog = logFlag(o.version, o.dir);
  const heap = o.nodes > 1 ? ['-Xms256m', '-Xmx384m'] : ['-Xms256m', '-Xmx512m'];

  const brokers = [];
  for (let id = 1; id <= o.nodes; id++) {
    const nodeDir = join(o.dir, `node-${id}`);
    const dataDir = join(nodeDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const configFile = join(nodeDir, 'server.properties');
    writeFileSync(configFile, serverProperties(plan, id, dataDir));
    brokers.push({
      name: `node-${id}`,
      command: o.java,
      args: [
        ...heap, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
        jvmLog, ...spec.extraJvmFlags, '-cp', `${o.lib}/*`, 'kafka.Kafka', configFile,
      ],
      configFile,
      logFile: join(nodeDir, 'server.log'),
      pidFile: join(nodeDir, 'server.pid'),
    });
  }

  let zookeeper;
  if (zookeeperPort) {
    const zkDir = join(o.dir, 'zookeeper');
    mkdirSync(join(zkDir, 'data'), { recursive: true });
    const configFile = join(zkDir, 'zookeeper.properties');
    writeFileSync(configFile, zookeeperProperties(plan, join(zkDir, 'data')));
    zookeeper = {
      name: 'zookeeper',
      command: o.java,
      args: [
        '-Xms64m', '-Xmx256m', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', jvmLog, ...spec.extraJvmFlags,
        '-cp', `${o.lib}/*`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', configFile,
      ],
      configFile,
      logFile: join(zkDir, 'zookeeper.log'),
      pidFile: join(zkDir, 'zookeeper.pid'),
    };
  }

  const state = {
    version: o.version, mode: spec.mode, nodes: o.nodes, security: o.security, dir: o.dir,
    ports, zookeeperPort, caFile: tls?.caFile, saslMechanisms: o.security ? saslMechanisms : undefined, brokers, zookeeper,
  };
  writeState(state);

  // The certificate is only read when a broker starts: make it while storage is formatted.
  await settleAll([
    ...(o.security ? [createCertificate(o.keytool, o.dir, o.env)] : []),
    ...(spec.mode === 'kraft' ? [formatStorage(o, brokers, jvmLog)] : []),
  ]);
  return state;
}

/** Waits for every promise (so no tool still runs), then fails with the first failure. */
async function settleAll(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

/** Formats every KRaft node's log directory with one cluster id (and the SCRAM users). */
async function formatStorage(o, brokers, jvmLog) {
  const id = clusterId();
  const scram = o.security
    ? ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${saslUser},password=${saslPassword}]`])
    : [];
  const jvm = { java: o.java, lib: o.lib, logFlag: jvmLog, env: o.env };
  o.log(`formatting storage of ${o.nodes} node(s), cluster id ${id}`);
  await settleAll(
    brokers.map((b) => runKafkaClass(jvm, 'kafka.tools.StorageTool', ['format', '-t', id, '-c', b.configFile, ...scram], `formatting ${b.name}`)),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** ZooKeeper is up when it answers the `ruok` four-letter word with `imok`. */
function zookeeperOk(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('ruok'));
    socket.on('data', (d) => (answer += d));
    socket.once('end', () => done(answer === 'imok'));
  });
}

function createZooKeeperScramUser(state, { java, lib, env, log }) {
  log(`creating SCRAM user ${saslUser}`);
  const jvm = { java, lib, logFlag: logFlag(state.version, state.dir), env };
  return runKafkaClass(
    jvm, 'kafka.admin.ConfigCommand',
    ['--zookeeper', `127.0.0.1:${state.zookeeperPort}`, '--alter', '--entity-type', 'users', '--entity-name', saslUser,
      '--add-config', `SCRAM-SHA-256=[password=${saslPassword}],SCRAM-SHA-512=[password=${saslPassword}]`],
    'creating the SCRAM user in ZooKeeper',
  );
}

/** @param {number[]} ports the ports this process listens on, to name them if one is taken */
function launch(spec, ports, env, log) {
  const logOffset = existsSync(spec.logFile) ? statSync(spec.logFile).size : 0;
  const { pid, exited } = startDetached(spec, env);
  log(`started ${spec.name} (pid ${pid}), log ${spec.logFile}`);
  return { name: spec.name, logFile: spec.logFile, logOffset, ports, exited };
}

const portsOf = (nodePorts) => Object.values(nodePorts).filter((p) => p !== undefined);

/**
 * Starts every process of a freshly created cluster and waits until it serves. On any
 * failure every process it started is killed before the error is thrown.
 * @param {import('./state.mjs').ClusterState} state
 */
export async function startCluster(state, { java, lib, env, log, timeoutMs = defaultReadinessTimeoutMs }) {
  const watched = [];
  const deadline = Date.now() + timeoutMs;
  try {
    if (state.zookeeper) {
      watched.push(launch(state.zookeeper, [state.zookeeperPort], env, log));
      while (!(await zookeeperOk(state.zookeeperPort))) {
        checkProcesses(watched);
        if (Date.now() > deadline) {
          throw new KafkaLocalError(ErrorCode.readinessTimeout, `ZooKeeper did not answer in time; see ${state.zookeeper.logFile}`);
        }
        await sleep(200);
      }
      // ZooKeeper mode keeps SCRAM credentials in ZooKeeper. Created before any broker starts,
      // they are loaded at broker startup, so a client may log in the moment Kafka is ready
      // (created concurrently, they would reach a running broker by a watch, a moment later).
      if (state.security) await createZooKeeperScramUser(state, { java, lib, env, log });
    }
    state.brokers.forEach((broker, i) => watched.push(launch(broker, portsOf(state.ports[i]), env, log)));
    await waitForBrokers({
      nodeIds: state.brokers.map((_, i) => i + 1),
      ports: state.ports.map((p) => p.plaintext),
      watched,
      timeoutMs: Math.max(0, deadline - Date.now()),
      totalTimeoutMs: timeoutMs,
      logHint: state.brokers.map((b) => b.logFile).join(', '),
    });
  } catch (err) {
    await stopProcesses(allProcesses(state), { signal: 'SIGKILL' });
    throw err;
  }
}

/**
 * Restarts node `nodeId` on its existing directories and waits until every running node
 * lists every node again.
 * @param {import('./state.mjs').ClusterState} state
 */
export async function restartNode(state, nodeId, { env, log, timeoutMs = defaultReadinessTimeoutMs }) {
  const spec = state.brokers[nodeId - 1];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await launchAndWait(state, nodeId, spec, { env, log, timeoutMs: Math.max(1000, deadline - Date.now()) });
      return;
    } catch (err) {
      // A ZooKeeper-mode broker that was killed leaves its registration (an ephemeral znode)
      // until its ZooKeeper session expires; a broker started before that exits at once with
      // NodeExistsException. Starting again once the session is gone is what an operator does.
      const staleRegistration = state.zookeeper && /NodeExists|already exists|registered.*same broker/i.test(logTailOf(spec.logFile));
      if (!staleRegistration || Date.now() + 2000 >= deadline) throw err;
      log(`node ${nodeId}: its previous ZooKeeper registration has not expired yet; starting again in 2 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function launchAndWait(state, nodeId, spec, { env, log, timeoutMs }) {
  const watched = [launch(spec, portsOf(state.ports[nodeId - 1]), env, log)];
  const askPorts = state.ports
    .filter((_, i) => i === nodeId - 1 || runningPid(state.brokers[i]) !== undefined)
    .map((p) => p.plaintext);
  try {
    await waitForBrokers({
      nodeIds: state.brokers.map((_, i) => i + 1).filter((id) => id === nodeId || runningPid(state.brokers[id - 1]) !== undefined),
      ports: askPorts,
      watched,
      timeoutMs,
      logHint: spec.logFile,
    });
  } catch (err) {
    await stopProcesses([spec], { signal: 'SIGKILL' });
    throw err;
  }
}

/** The last 64 KiB of a log file, or '' when it cannot be read. */
function logTailOf(file) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-65536);
  } catch {
    return '';
  }
}
