import test from 'ava';
import { MethodTable } from '../../../ipc/method-table.js';
import { params } from '../../../ipc/params.js';

const def = { description: 'd', params: params({}), handler: async () => ({}) };

test('names must be one lowercase-first alphanumeric token, unique and not reserved', (t) => {
  const table = new MethodTable();
  table.register('listTopics', def);
  for (const bad of ['', 'List', 'a.b', 'a-b', 'a b', '1x', 'x>']) t.throws(() => table.register(bad, def), { instanceOf: TypeError }, bad);
  t.throws(() => table.register('listTopics', def), { message: 'method "listTopics" is already registered' });
  t.throws(() => table.register('rpc', def), { message: /reserved/ });
  t.deepEqual(table.names(), ['listTopics']);
});

test('onRegister hears later registrations until unsubscribed', (t) => {
  const table = new MethodTable();
  table.register('hello', def);
  const heard: string[] = [];
  const stop = table.onRegister((n) => heard.push(n));
  table.register('produce', def);
  stop();
  table.register('subscribe', def);
  t.deepEqual(heard, ['produce']);
  t.deepEqual(table.names(), ['hello', 'produce', 'subscribe']);
  t.is(table.get('produce')?.description, 'd');
  t.is(table.get('nope'), undefined);
});
