// Combinations of individually valid values that cannot work together. Each rule names the
// keys involved and where the deciding value came from, so the user knows which source to fix.
import type { ConfigProblem } from './errors.js';
import type { Provenance } from './provenance.js';
import type { SidecarConfig, TlsFiles } from './schema.js';

type Report = (key: string, message: string) => void;

function tlsPairRule(section: string, tls: TlsFiles, report: Report): void {
  if (tls.certFile !== null && tls.keyFile === null) report(`${section}.certFile`, `a client certificate needs its private key in ${section}.keyFile`);
  if (tls.keyFile !== null && tls.certFile === null) report(`${section}.keyFile`, `a private key needs its certificate in ${section}.certFile`);
}

function kafkaRules(c: SidecarConfig, report: Report): void {
  const { sasl, tls } = c.kafka;
  if (sasl.mechanism === 'PLAIN' || sasl.mechanism.startsWith('SCRAM-')) {
    if (sasl.username === null) report('kafka.sasl.mechanism', `${sasl.mechanism} needs kafka.sasl.username, which is not set`);
    if (sasl.password === null) report('kafka.sasl.mechanism', `${sasl.mechanism} needs kafka.sasl.password, which is not set`);
  } else {
    for (const field of ['username', 'password'] as const) {
      if (sasl[field] !== null) report(`kafka.sasl.${field}`, `is set but kafka.sasl.mechanism is ${sasl.mechanism}, which does not use it`);
    }
  }
  if (sasl.mechanism === 'OAUTHBEARER' && sasl.tokenCommand === null) {
    report('kafka.sasl.mechanism', 'OAUTHBEARER needs kafka.sasl.tokenCommand to obtain tokens, which is not set');
  }
  if (sasl.mechanism !== 'OAUTHBEARER' && sasl.tokenCommand !== null) {
    report('kafka.sasl.tokenCommand', `is set but kafka.sasl.mechanism is ${sasl.mechanism}, not OAUTHBEARER`);
  }
  tlsPairRule('kafka.tls', tls, report);
  if (!tls.enabled) {
    for (const field of ['caFile', 'certFile', 'keyFile', 'servername'] as const) {
      if (tls[field] !== null) report(`kafka.tls.${field}`, 'is set but kafka.tls.enabled is false; enable TLS or remove it');
    }
  }
}

function backoffRule(section: string, minMs: number, maxMs: number, report: Report): void {
  if (minMs > maxMs) report(`${section}.minMs`, `${minMs} is above ${section}.maxMs (${maxMs})`);
}

function clientRules(c: SidecarConfig, report: Report): void {
  const { producer: p, consumer: k, connection } = c;
  backoffRule('connection.backoff', connection.backoff.minMs, connection.backoff.maxMs, report);
  backoffRule('supervisor.backoff', c.supervisor.backoff.minMs, c.supervisor.backoff.maxMs, report);
  if (p.idempotent && p.acks !== 'all') {
    report('producer.acks', `is ${p.acks}, but an idempotent producer needs acks=all; set producer.idempotent=false to use ${p.acks}`);
  }
  if (p.idempotent && p.retries === 0) report('producer.retries', 'is 0, but an idempotent producer needs retries; set producer.idempotent=false to disable them');
  if (p.batchBytes > p.bufferBytes) report('producer.batchBytes', `${p.batchBytes} is above producer.bufferBytes (${p.bufferBytes})`);
  if (p.maxInFlightPerBroker > connection.maxInFlight) {
    report('producer.maxInFlightPerBroker', `${p.maxInFlightPerBroker} is above connection.maxInFlight (${connection.maxInFlight})`);
  }
  if (p.deliveryTimeoutMs < p.lingerMs + connection.requestTimeoutMs) {
    report('producer.deliveryTimeoutMs', `${p.deliveryTimeoutMs} is below producer.lingerMs + connection.requestTimeoutMs (${p.lingerMs + connection.requestTimeoutMs}), so a batch could expire before its first request is answered`);
  }
  if (k.heartbeatIntervalMs >= k.sessionTimeoutMs) {
    report('consumer.heartbeatIntervalMs', `${k.heartbeatIntervalMs} must be below consumer.sessionTimeoutMs (${k.sessionTimeoutMs})`);
  }
  if (k.fetchMinBytes > k.fetchMaxBytes) report('consumer.fetchMinBytes', `${k.fetchMinBytes} is above consumer.fetchMaxBytes (${k.fetchMaxBytes})`);
}

function natsRules(c: SidecarConfig, report: Report): void {
  const n = c.nats;
  if (n.user !== null && n.password === null) report('nats.user', 'needs nats.password, which is not set');
  if (n.password !== null && n.user === null) report('nats.password', 'needs nats.user, which is not set');
  const methods = [n.user !== null || n.password !== null ? 'user/password' : '', n.token !== null ? 'token' : '', n.nkeySeed !== null ? 'nkeySeed' : ''].filter((m) => m !== '');
  if (methods.length > 1) report('nats', `choose one NATS authentication method; ${methods.join(', ')} are all set`);
  tlsPairRule('nats.tls', n.tls, report);
}

/** Every contradiction in an otherwise well-typed configuration. */
export function findConflicts(config: SidecarConfig, provenance: Provenance): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (key, message) => {
    const origin = provenance[key];
    problems.push(origin === undefined ? { key, message } : { key, origin, message });
  };
  kafkaRules(config, report);
  clientRules(config, report);
  natsRules(config, report);
  return problems;
}
