import test from 'ava';
import { InvalidParamsError } from '../../../../ipc/errors.js';
import { helloMethod, PROTOCOL_VERSION } from '../../../../ipc/methods/hello.js';
import { SessionRegistry } from '../../../../ipc/session.js';
import { captureLogger } from '../log-capture.js';

test('hello answers the server identity and remembers the client name', async (t) => {
  const { logger } = captureLogger();
  const session = new SessionRegistry().open('unix', () => true, logger);
  const hello = helloMethod({ version: '1.2.3', maxFrameBytes: 1024 });
  const result = await hello.handler(hello.params({ client: 'billing' }, 'params'), { session, logger });
  t.deepEqual(result, { server: 'kafka-sidecar', version: '1.2.3', protocol: PROTOCOL_VERSION, maxFrameBytes: 1024, session: 'unix:1' });
  t.is(session.client, 'billing');
  t.is(PROTOCOL_VERSION, 1);
});

test('hello refuses a client name that is not a short string', (t) => {
  const hello = helloMethod({ version: '1', maxFrameBytes: 1 });
  t.throws(() => hello.params({ client: 7 }, 'params'), { instanceOf: InvalidParamsError, message: /params.client/ });
  t.throws(() => hello.params({ client: 'x'.repeat(201) }, 'params'), { instanceOf: InvalidParamsError });
  t.throws(() => hello.params({ name: 'x' }, 'params'), { instanceOf: InvalidParamsError, message: /params.name/ });
});
