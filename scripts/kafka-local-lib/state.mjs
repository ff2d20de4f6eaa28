// kafka-local.json: what `start` set up in a directory, so that status, stop, kill-node and
// start-node act on exactly those processes, and so a directory is known to be ours before
// it is wiped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saslPassword, saslUser } from './configs.mjs';

export const stateFileName = 'kafka-local.json';

/**
 * @typedef {object} ClusterState
 * @property {string} version
 * @property {'kraft' | 'zookeeper'} mode
 * @property {number} nodes
 * @property {boolean} security
 * @property {string} dir
 * @property {import('./configs.mjs').NodePorts[]} ports
 * @property {number} [zookeeperPort]
 * @property {string} [caFile]
 * @property {string[]} [saslMechanisms] what the SASL listeners accept (absent in clusters
 *           started before OAUTHBEARER was added, which accept PLAIN and SCRAM only)
 * @property {import('./processes.mjs').ProcessSpec[]} brokers index i is node i+1
 * @property {import('./processes.mjs').ProcessSpec} [zookeeper]
 */

/** @returns {ClusterState | undefined} */
export function readState(dir) {
  const path = join(dir, stateFileName);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** @param {ClusterState} state */
export function writeState(state) {
  writeFileSync(join(state.dir, stateFileName), `${JSON.stringify(state, null, 2)}\n`);
}

/** Every process of the cluster, brokers first, ZooKeeper last (the order to stop them in). */
export function allProcesses(state) {
  return [...state.brokers, ...(state.zookeeper ? [state.zookeeper] : [])];
}

const hostPort = (port) => `127.0.0.1:${port}`;

/**
 * The KEY=value pairs `start` and `status` print.
 * @param {ClusterState} state
 * @returns {[string, string][]}
 */
export function clusterVars(state) {
  const list = (key) => state.ports.map((p) => hostPort(p[key])).join(',');
  const vars = [
    ['KAFKA_BROKERS', list('plaintext')],
    ['KAFKA_VERSION', state.version],
    ['KAFKA_DIR', state.dir],
    ['KAFKA_NODES', String(state.nodes)],
  ];
  state.ports.forEach((p, i) => vars.push([`KAFKA_NODE_${i + 1}`, hostPort(p.plaintext)]));
  if (state.zookeeperPort) vars.push(['KAFKA_ZOOKEEPER', hostPort(state.zookeeperPort)]);
  if (state.security) {
    vars.push(
      ['KAFKA_SASL_PLAINTEXT_BROKERS', list('saslPlaintext')],
      ['KAFKA_SSL_BROKERS', list('ssl')],
      ['KAFKA_SASL_SSL_BROKERS', list('saslSsl')],
      ['KAFKA_CA_FILE', state.caFile ?? ''],
      ['KAFKA_SASL_USER', saslUser],
      ['KAFKA_SASL_PASSWORD', saslPassword],
    );
    if (state.saslMechanisms) vars.push(['KAFKA_SASL_MECHANISMS', state.saslMechanisms.join(',')]);
  }
  return vars;
}

/** `KEY=value` lines that survive `eval` in a POSIX shell: values quoted when they need it. */
export function formatVars(vars) {
  return vars.map(([key, value]) => `${key}=${/^[A-Za-z0-9_.,:/@%+=-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`}\n`).join('');
}
