// The configuration files of a local cluster: server.properties per node, zk.properties for
// ZooKeeper mode, and a console-only logging config (the JVM's stdout goes to a log file).

export const saslUser = 'alice';
export const saslPassword = 'alice-secret';
export const keystorePassword = 'test1234';
export const saslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
/**
 * The subject the broker's own (unused, but required) OAUTHBEARER login puts in its token.
 * Clients bring their own unsecured JWTs: {"alg":"none"} header, sub/iat/exp claims, no signature.
 */
export const oauthBrokerSubject = 'kafka-local-broker';

/**
 * @typedef {object} NodePorts
 * @property {number} plaintext
 * @property {number} [controller] KRaft only
 * @property {number} [saslPlaintext] with security only
 * @property {number} [ssl]
 * @property {number} [saslSsl]
 */

/**
 * @typedef {object} ClusterPlan
 * @property {string} version
 * @property {'kraft' | 'zookeeper'} mode
 * @property {number} nodes
 * @property {boolean} security
 * @property {NodePorts[]} ports index i is node i+1
 * @property {number} [zookeeperPort]
 * @property {string} [keystore] absolute path of the PKCS12 keystore
 * @property {string[]} configs KEY=VALUE lines from --config, written after kafka-local's own
 */

function listenersOf(ports, mode, security) {
  const listeners = [`PLAINTEXT://127.0.0.1:${ports.plaintext}`];
  if (security) {
    listeners.push(
      `SASL_PLAINTEXT://127.0.0.1:${ports.saslPlaintext}`,
      `SSL://127.0.0.1:${ports.ssl}`,
      `SASL_SSL://127.0.0.1:${ports.saslSsl}`,
    );
  }
  const advertised = [...listeners];
  if (mode === 'kraft') listeners.push(`CONTROLLER://127.0.0.1:${ports.controller}`);
  return { listeners: listeners.join(','), advertised: advertised.join(',') };
}

/**
 * An authorizer, so that tests can deny a principal a topic with ACLs; resources without ACLs stay
 * open to everyone (allow.everyone.if.no.acl.found), so nothing else needs ACLs or super users.
 */
function authorizerLines(mode) {
  return [
    `authorizer.class.name=${mode === 'kraft' ? 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' : 'kafka.security.authorizer.AclAuthorizer'}`,
    'allow.everyone.if.no.acl.found=true',
  ];
}

function securityLines(keystore) {
  const lines = [
    `sasl.enabled.mechanisms=${saslMechanisms.join(',')}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${keystore}`,
    `ssl.keystore.password=${keystorePassword}`,
    `ssl.key.password=${keystorePassword}`,
  ];
  // Listener-scoped JAAS settings keep the JVM free of a global JAAS file.
  for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
    lines.push(
      `listener.name.${listener}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${saslUser}="${saslPassword}";`,
      `listener.name.${listener}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      // Without a server callback handler Kafka (2.8 to 4.1) validates OAUTHBEARER tokens with
      // its built-in unsecured validator: alg "none", an unexpired exp, and the sub claim as
      // principal. The login module's option is for the broker's own token, which every SASL
      // listener must be able to create even when no inter-broker traffic uses it.
      `listener.name.${listener}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="${oauthBrokerSubject}";`,
      // KIP-368 for OAUTHBEARER only: sessions end with their token (at the latest after an
      // hour), so clients must re-authenticate with a fresh one. 3.x and 4.x bound the session
      // by the token's exp even without this; 2.8 grants unlimited sessions unless it is set.
      `listener.name.${listener}.oauthbearer.connections.max.reauth.ms=3600000`,
    );
  }
  return lines;
}

/**
 * server.properties of node `nodeId` (1-based).
 * @param {ClusterPlan} plan
 */
export function serverProperties(plan, nodeId, dataDir) {
  const ports = plan.ports[nodeId - 1];
  const { listeners, advertised } = listenersOf(ports, plan.mode, plan.security);
  const replicas = plan.nodes;
  const minIsr = plan.nodes >= 3 ? 2 : 1;
  const lines = [`# Written by scripts/kafka-local for Kafka ${plan.version}, node ${nodeId} of ${plan.nodes}.`];
  if (plan.mode === 'kraft') {
    const voters = plan.ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controller}`).join(',');
    lines.push(
      'process.roles=broker,controller',
      `node.id=${nodeId}`,
      `controller.quorum.voters=${voters}`,
      'controller.listener.names=CONTROLLER',
    );
  } else {
    lines.push(
      `broker.id=${nodeId}`,
      `zookeeper.connect=127.0.0.1:${plan.zookeeperPort}`,
      'zookeeper.connection.timeout.ms=30000',
    );
  }
  lines.push(
    `listeners=${listeners}`,
    `advertised.listeners=${advertised}`,
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=${plan.mode === 'kraft' ? 'CONTROLLER:PLAINTEXT,' : ''}PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL`,
    `log.dirs=${dataDir}`,
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'num.partitions=1',
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=1',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // The dedupe buffer default takes 128 MiB of heap; tests never compact much.
    'log.cleaner.dedupe.buffer.size=1048577',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
  );
  if (plan.version.startsWith('4.')) {
    lines.push(`share.coordinator.state.topic.replication.factor=${replicas}`, `share.coordinator.state.topic.min.isr=${minIsr}`);
  }
  if (plan.nodes > 1) {
    // Fast failover for the kill-one-node tests: a dead broker is fenced / expired in seconds.
    if (plan.mode === 'kraft') lines.push('broker.session.timeout.ms=3000', 'broker.heartbeat.interval.ms=500');
    else {
      // Brokers stopping together cannot hand leadership to each other; their controlled
      // shutdown retries (3 times) after this pause, default 5 s.
      lines.push('zookeeper.session.timeout.ms=4000', 'controlled.shutdown.retry.backoff.ms=500');
    }
    lines.push('replica.lag.time.max.ms=5000');
  }
  if (plan.security) lines.push(...securityLines(plan.keystore), ...authorizerLines(plan.mode));
  // Last, so that a repeated key wins: Java's Properties keeps the last value it reads.
  if (plan.configs.length > 0) lines.push('# --config', ...plan.configs);
  return `${lines.join('\n')}\n`;
}

/** @param {ClusterPlan} plan */
export function zookeeperProperties(plan, dataDir) {
  return [
    `# Written by scripts/kafka-local for Kafka ${plan.version}.`,
    `dataDir=${dataDir}`,
    `clientPort=${plan.zookeeperPort}`,
    'clientPortAddress=127.0.0.1',
    // A short tick lets brokers use short session timeouts (the minimum is 2 ticks).
    'tickTime=500',
    'maxClientCnxns=0',
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    '',
  ].join('\n');
}

export function log4j1Properties() {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    // The request logger and the state-change logger are noisy at INFO and say nothing tests need.
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.org.apache.zookeeper=WARN',
    '',
  ].join('\n');
}

export function log4j2Yaml() {
  return [
    'Configuration:',
    '  Appenders:',
    '    Console:',
    '      name: STDOUT',
    '      PatternLayout:',
    '        pattern: "[%d] %p %m (%c)%n"',
    '  Loggers:',
    '    Root:',
    '      level: INFO',
    '      AppenderRef:',
    '        - ref: STDOUT',
    '    Logger:',
    '      - name: kafka.request.logger',
    '        level: WARN',
    '      - name: state.change.logger',
    '        level: WARN',
    '',
  ].join('\n');
}
