import test from 'ava';
import { createSaslExchange } from '../../../../../machines/connection/sasl/authenticate.js';
import { oauthBearerMessage } from '../../../../../machines/connection/sasl/oauthbearer.js';
import { SaslConfigError } from '../../../../../machines/connection/errors.js';
import type { SaslConfig } from '../../../../../machines/connection/sasl/mechanism.js';

test('PLAIN sends NUL, user, NUL, password and is done after one reply', async (t) => {
  const x = createSaslExchange({ mechanism: 'PLAIN', username: 'alice', password: 's3cret' });
  t.deepEqual(await x.start(), Buffer.from('\0alice\0s3cret'));
  t.is(x.next(Buffer.alloc(0)), null);
  t.throws(() => createSaslExchange({ mechanism: 'PLAIN', username: 'a\0b', password: 'x' }), { instanceOf: SaslConfigError });
});

test('OAUTHBEARER sends the provider token and extensions in the RFC 7628 layout', async (t) => {
  let calls = 0;
  const x = createSaslExchange({
    mechanism: 'OAUTHBEARER',
    tokenProvider: () => Promise.resolve({ value: `tok${++calls}`, extensions: { traceId: 'abc' } }),
  });
  t.is((await x.start()).toString(), 'n,,\x01auth=Bearer tok1\x01traceId=abc\x01\x01');
  t.is(x.next(Buffer.alloc(0)), null, 'an empty reply is success');
  t.deepEqual(x.next(Buffer.from('{"status":"invalid_token"}')), Buffer.from([1]), 'an error status is acknowledged with 0x01');
  t.is((await x.start()).toString().includes('tok2'), true, 'the provider is asked again for every authentication');
});

test('OAUTHBEARER refuses tokens and extensions that would corrupt the message', (t) => {
  t.throws(() => oauthBearerMessage(''), { instanceOf: SaslConfigError, message: /empty token/ });
  t.throws(() => oauthBearerMessage('a b'), { message: /with spaces/ });
  t.throws(() => oauthBearerMessage('t', { auth: 'x' }), { message: /invalid OAUTHBEARER extension name "auth"/ });
  t.throws(() => oauthBearerMessage('t', { 'bad-key': 'x' }), { message: /"bad-key"/ });
  t.throws(() => oauthBearerMessage('t', { k: '\x01' }), { message: /value for "k"/ });
});

test('an unknown mechanism is a configuration error naming it', (t) => {
  t.throws(() => createSaslExchange({ mechanism: 'GSSAPI' } as unknown as SaslConfig), {
    instanceOf: SaslConfigError,
    message: /unknown SASL mechanism "GSSAPI"/,
  });
});
