import test from 'ava';
import { NotificationQueue } from '../../../client/notification-queue.js';

test('buffers until pulled, hands over to waiting pullers, ends on end()', async (t) => {
  const q = new NotificationQueue(() => undefined);
  q.push({ method: 'message', params: 1 });
  t.deepEqual(await q.next(), { value: { method: 'message', params: 1 }, done: false });
  const waiting = q.next();
  q.push({ method: 'message', params: 2 });
  t.deepEqual(await waiting, { value: { method: 'message', params: 2 }, done: false });
  const pending = q.next();
  q.end();
  t.true((await pending).done);
  q.push({ method: 'message', params: 3 });
  t.true((await q.next()).done, 'nothing is queued after the end');
});

test('breaking out of for-await unregisters the queue', async (t) => {
  let returned = 0;
  const q = new NotificationQueue(() => returned++);
  q.push({ method: 'a', params: null });
  q.push({ method: 'b', params: null });
  const seen: string[] = [];
  for await (const n of q) {
    seen.push(n.method);
    break;
  }
  t.deepEqual(seen, ['a']);
  t.is(returned, 1);
  t.true((await q.next()).done);
});
