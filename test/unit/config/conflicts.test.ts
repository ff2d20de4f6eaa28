import test from 'ava';
import { findConflicts } from '../../../config/conflicts.js';
import { loadConfig } from '../../../config/load.js';
import type { SidecarConfig } from '../../../config/schema.js';

const base = loadConfig({ env: {} });

type Patch = (c: SidecarConfig) => void;

/** Conflicts of the default configuration changed by `patch`, as "key: message" lines. */
function conflictsOf(patch: Patch): string[] {
  const config = structuredClone(base.config) as SidecarConfig;
  patch(config);
  return findConflicts(config, base.provenance).map((p) => `${p.key}: ${p.message}`);
}

function expectOne(t: import('ava').ExecutionContext, patch: Patch, pattern: RegExp): void {
  const found = conflictsOf(patch);
  t.is(found.length, 1, found.join('\n'));
  t.regex(found[0] ?? '', pattern);
}

test('the defaults have no conflicts', (t) => {
  t.deepEqual(conflictsOf(() => undefined), []);
});

test('SASL mechanisms need their credentials, and credentials need a mechanism', (t) => {
  const plain: Patch = (c) => {
    c.kafka.sasl.mechanism = 'PLAIN';
    c.kafka.sasl.username = 'u';
  };
  expectOne(t, plain, /^kafka\.sasl\.mechanism: PLAIN needs kafka\.sasl\.password/);
  t.deepEqual(conflictsOf((c) => {
    plain(c);
    c.kafka.sasl.password = 'p';
  }), []);
  expectOne(t, (c) => (c.kafka.sasl.mechanism = 'OAUTHBEARER'), /OAUTHBEARER needs kafka\.sasl\.tokenCommand/);
  expectOne(t, (c) => (c.kafka.sasl.password = 'p'), /^kafka\.sasl\.password: is set but kafka\.sasl\.mechanism is none/);
  expectOne(t, (c) => (c.kafka.sasl.tokenCommand = 'cat token'), /^kafka\.sasl\.tokenCommand: .*not OAUTHBEARER/);
});

test('a TLS certificate needs its key and TLS files need TLS', (t) => {
  expectOne(t, (c) => {
    c.kafka.tls.enabled = true;
    c.kafka.tls.certFile = '/c.pem';
  }, /^kafka\.tls\.certFile: .*kafka\.tls\.keyFile/);
  expectOne(t, (c) => {
    c.kafka.tls.enabled = true;
    c.kafka.tls.keyFile = '/k.pem';
  }, /^kafka\.tls\.keyFile: .*kafka\.tls\.certFile/);
  expectOne(t, (c) => (c.kafka.tls.caFile = '/ca.pem'), /^kafka\.tls\.caFile: is set but kafka\.tls\.enabled is false/);
  expectOne(t, (c) => (c.nats.tls.certFile = '/c.pem'), /^nats\.tls\.certFile/);
});

test('producer settings must agree', (t) => {
  expectOne(t, (c) => (c.producer.acks = 'leader'), /^producer\.acks: is leader, but an idempotent producer needs acks=all/);
  t.deepEqual(conflictsOf((c) => {
    c.producer.acks = 'leader';
    c.producer.idempotent = false;
  }), []);
  expectOne(t, (c) => (c.producer.retries = 0), /^producer\.retries/);
  expectOne(t, (c) => (c.producer.batchBytes = c.producer.bufferBytes + 1), /^producer\.batchBytes/);
  expectOne(t, (c) => (c.connection.maxInFlight = 2), /^producer\.maxInFlightPerBroker: 5 is above connection\.maxInFlight \(2\)/);
  expectOne(t, (c) => (c.producer.deliveryTimeoutMs = 1000), /^producer\.deliveryTimeoutMs: 1000 is below/);
});

test('consumer and backoff settings must agree', (t) => {
  expectOne(t, (c) => (c.consumer.heartbeatIntervalMs = c.consumer.sessionTimeoutMs), /^consumer\.heartbeatIntervalMs: .*must be below consumer\.sessionTimeoutMs/);
  expectOne(t, (c) => (c.consumer.fetchMinBytes = c.consumer.fetchMaxBytes + 1), /^consumer\.fetchMinBytes/);
  expectOne(t, (c) => (c.connection.backoff.minMs = 20_000), /^connection\.backoff\.minMs: 20000 is above connection\.backoff\.maxMs/);
  expectOne(t, (c) => (c.supervisor.backoff.maxMs = 10), /^supervisor\.backoff\.minMs/);
});

test('NATS takes one authentication method, user and password together', (t) => {
  expectOne(t, (c) => (c.nats.user = 'u'), /^nats\.user: needs nats\.password/);
  expectOne(t, (c) => (c.nats.password = 'p'), /^nats\.password: needs nats\.user/);
  expectOne(t, (c) => {
    c.nats.token = 't';
    c.nats.nkeySeed = 's';
  }, /^nats: choose one NATS authentication method; token, nkeySeed/);
});
