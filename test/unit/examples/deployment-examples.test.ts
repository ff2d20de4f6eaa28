// The compose and Kubernetes examples cannot be run here (no Docker engine), so their sidecar
// settings are checked against the real configuration schema: a renamed key breaks this test.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../config/load.js';
import { repoRoot } from '../../helpers/repo.js';

function readYaml(path: string): Record<string, unknown> {
  return parse(readFileSync(join(repoRoot, path), 'utf8')) as Record<string, unknown>;
}

function dockerfileEnv(): Record<string, string> {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, key, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  return env;
}

test('docker-compose: the sidecar service environment is a valid configuration; the app shares the socket volume', (t) => {
  const compose = readYaml('examples/compose/docker-compose.yml') as {
    services: Record<string, { environment?: Record<string, unknown>; volumes?: string[]; user?: string; build?: unknown }>;
  };
  const sidecar = compose.services.sidecar!;
  const env = { ...dockerfileEnv(), ...Object.fromEntries(Object.entries(sidecar.environment ?? {}).map(([k, v]) => [k, String(v)])) };
  const loaded = loadConfig({ env });
  t.deepEqual(loaded.config.kafka.brokers, ['kafka:9092']);
  const socketPath = loaded.config.ipc.socket.path;
  const app = compose.services.app!;
  t.is(app.environment?.KAFKA_SIDECAR_SOCKET, socketPath, 'the app is told the socket path the sidecar uses');
  const mount = (volumes: string[] | undefined) => volumes?.find((v) => v.startsWith('sidecar-socket:'))?.split(':')[1];
  t.is(mount(sidecar.volumes), '/var/run/kafka-sidecar');
  t.is(mount(app.volumes), '/var/run/kafka-sidecar');
  t.is(app.user, '10001:10001', 'the app runs as the image user, so the 0600 socket is reachable');
  t.regex(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'), /useradd --system --uid 10001/);
});

test('kubernetes pod: the sidecar container environment is a valid configuration and probes use its HTTP port', (t) => {
  const pod = readYaml('examples/kubernetes/pod.yaml') as {
    spec: {
      securityContext: { runAsUser: number };
      containers: {
        name: string;
        env?: { name: string; value?: string }[];
        ports?: { name: string; containerPort: number }[];
        livenessProbe?: { httpGet: { path: string; port: string } };
        readinessProbe?: { httpGet: { path: string; port: string } };
      }[];
    };
  };
  const sidecar = pod.spec.containers.find((c) => c.name === 'kafka-sidecar')!;
  // Values from the downward API are filled in by Kubernetes; stand in a plausible pod name.
  const env = { ...dockerfileEnv(), ...Object.fromEntries((sidecar.env ?? []).map((e) => [e.name, e.value ?? 'orders-app'])) };
  const loaded = loadConfig({ env });
  t.is(loaded.config.kafka.brokers.length, 3);
  t.is(loaded.config.http.host, '0.0.0.0');
  t.is(sidecar.ports?.[0]?.containerPort, loaded.config.http.port);
  t.is(sidecar.livenessProbe?.httpGet.path, '/healthz');
  t.is(sidecar.readinessProbe?.httpGet.path, '/readyz');
  t.is(pod.spec.securityContext.runAsUser, 10001);
  const app = pod.spec.containers.find((c) => c.name === 'app')!;
  t.is(app.env?.find((e) => e.name === 'KAFKA_SIDECAR_SOCKET')?.value, loaded.config.ipc.socket.path);
});
