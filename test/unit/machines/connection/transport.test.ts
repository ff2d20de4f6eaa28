import net from 'node:net';
import test from 'ava';
import { classifySocketError, openTransport } from '../../../../machines/connection/transport.js';

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

test('Node socket and TLS errors map to connection errors that say what went wrong', (t) => {
  const cases: Array<[string, string, string | undefined, boolean]> = [
    ['ECONNREFUSED', 'CONNECTION_REFUSED', undefined, true],
    ['ENOTFOUND', 'HOST_NOT_FOUND', undefined, true],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_CERT_INVALID', 'hostname-mismatch', false],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS_CERT_INVALID', 'untrusted-ca', false],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_CERT_INVALID', 'untrusted-ca', false],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS_CERT_INVALID', 'untrusted-ca', false],
    ['CERT_HAS_EXPIRED', 'TLS_CERT_INVALID', 'expired', false],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_HANDSHAKE_FAILED', undefined, true],
    ['ECONNRESET', 'CONNECTION_CLOSED', undefined, true],
    ['EHOSTUNREACH', 'NETWORK_ERROR', undefined, true],
  ];
  for (const [nodeCode, code, problem, retriable] of cases) {
    const error = classifySocketError(nodeError(nodeCode), 'h:1');
    t.is(error.code as string, code, nodeCode);
    t.is(error.retriable, retriable, nodeCode);
    t.is((error as { problem?: string }).problem, problem, nodeCode);
    t.true(error.message.startsWith('h:1: '));
  }
});

test('a refused connection rejects with CONNECTION_REFUSED', async (t) => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  await t.throwsAsync(openTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 }), { code: 'CONNECTION_REFUSED' });
});

test('a TLS handshake nobody answers ends with CONNECT_TIMEOUT within the connect timeout', async (t) => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const started = Date.now();
  const error = await t.throwsAsync(openTransport({ host: '127.0.0.1', port, connectTimeoutMs: 200, tls: {} }), { code: 'CONNECT_TIMEOUT' });
  t.true(Date.now() - started < 1000);
  t.regex(error?.message ?? '', /no connection within 200 ms \(still in the TCP or TLS handshake\)/);
  for (const s of sockets) s.destroy();
  server.close();
});

test('an abort signal ends the attempt', async (t) => {
  const server = net.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const controller = new AbortController();
  const attempt = openTransport({ host: '127.0.0.1', port, connectTimeoutMs: 5000, tls: {} }, controller.signal);
  controller.abort();
  await t.throwsAsync(attempt, { code: 'CONNECTION_CLOSED', message: /aborted/ });
  server.close();
});

test('unreadable TLS files and half a client certificate are configuration errors', async (t) => {
  await t.throwsAsync(openTransport({ host: '127.0.0.1', port: 1, connectTimeoutMs: 100, tls: { caFile: '/nonexistent/ca.pem' } }), {
    code: 'TLS_CONFIG_INVALID',
    message: /cannot read the TLS CA file \/nonexistent\/ca.pem/,
  });
  await t.throwsAsync(openTransport({ host: '127.0.0.1', port: 1, connectTimeoutMs: 100, tls: { certFile: '/x.pem' } }), {
    code: 'TLS_CONFIG_INVALID',
    message: /needs both certFile and keyFile/,
  });
});
