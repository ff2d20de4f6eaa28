import test from 'ava';
import { escapeSaslName, scramExchange } from '../../../../../machines/connection/sasl/scram.js';
import { SaslAuthenticationError } from '../../../../../machines/connection/errors.js';

// RFC 7677 section 3: the SCRAM-SHA-256 example exchange (user "user", password "pencil").
const nonce = 'rOprNGfwEbeRWgbNEkqO';
const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

test('SCRAM-SHA-256 reproduces the RFC 7677 exchange byte for byte and verifies the server', async (t) => {
  const x = scramExchange('SCRAM-SHA-256', 'user', 'pencil', { nonce });
  t.is((await x.start()).toString(), `n,,n=user,r=${nonce}`);
  t.is(x.next(Buffer.from(serverFirst))?.toString(), clientFinal);
  t.is(x.next(Buffer.from(serverFinal)), null);
});

test('a server signature that does not verify fails, naming mechanism and user', async (t) => {
  const x = scramExchange('SCRAM-SHA-256', 'user', 'not-pencil', { nonce });
  await x.start();
  x.next(Buffer.from(serverFirst));
  const error = t.throws(() => x.next(Buffer.from(serverFinal)), { instanceOf: SaslAuthenticationError });
  t.is(error?.mechanism, 'SCRAM-SHA-256');
  t.is(error?.user, 'user');
  t.regex(error?.message ?? '', /SASL SCRAM-SHA-256 authentication of user "user" failed: the server signature does not verify/);
});

test('server messages that break the protocol are refused', async (t) => {
  const fresh = async () => {
    const x = scramExchange('SCRAM-SHA-512', 'user', 'pencil', { nonce });
    await x.start();
    return x;
  };
  const cases: Array<[string, RegExp]> = [
    ['r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /nonce does not extend/],
    [`r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /nonce does not extend/],
    [`r=${nonce}x,i=4096`, /no salt/],
    [`r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000`, /1000 iterations \(at least 4096 expected\)/],
    ['e=unknown-user', /server refused: unknown-user/],
  ];
  for (const [message, pattern] of cases) {
    const x = await fresh();
    t.throws(() => x.next(Buffer.from(message)), { instanceOf: SaslAuthenticationError, message: pattern }, message);
  }
  const x = await fresh();
  x.next(Buffer.from(`r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`));
  t.throws(() => x.next(Buffer.from('e=invalid-proof')), { message: /server refused: invalid-proof/ });
});

test('SCRAM-SHA-512 produces a 64-byte proof and a random nonce by default', async (t) => {
  const a = scramExchange('SCRAM-SHA-512', 'u', 'p');
  const b = scramExchange('SCRAM-SHA-512', 'u', 'p');
  const firstA = (await a.start()).toString();
  t.not(firstA, (await b.start()).toString());
  const clientNonce = /r=([^,]+)$/.exec(firstA)?.[1] ?? '';
  const final = a.next(Buffer.from(`r=${clientNonce}srv,s=c2FsdA==,i=4096`))?.toString() ?? '';
  t.is(Buffer.from(/p=(.+)$/.exec(final)?.[1] ?? '', 'base64').length, 64);
});

test('user names escape "=" and ","', (t) => {
  t.is(escapeSaslName('a=b,c'), 'a=3Db=2Cc');
});
