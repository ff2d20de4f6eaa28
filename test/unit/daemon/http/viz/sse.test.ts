import test from 'ava';
import { EventEmitter } from 'node:events';
import { SseClient, SseFanout, sseFrame, type SseResponse } from '../../../../../daemon/http/viz/sse.js';

/** A response whose socket accepts `room` writes, then reports backpressure until drained. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  status = 0;
  ended = false;
  constructor(public room = Infinity) {
    super();
  }
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    return this.written.length < this.room;
  }
  end(chunk?: string): this {
    if (chunk) this.written.push(chunk);
    this.ended = true;
    return this;
  }
  drain(room: number): void {
    this.room = this.written.length + room;
    this.emit('drain');
  }
}

const asRes = (r: FakeResponse) => r as unknown as SseResponse;
const frames = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sseFrame('transition', { n: from + i }));

test('frames go straight to a socket that keeps up', (t) => {
  const res = new FakeResponse();
  const client = new SseClient(asRes(res), 4);
  for (const f of frames(10)) client.send(f);
  t.is(res.written.length, 10);
  t.is(client.queued, 0);
});

test('a slow client: the queue never exceeds its limit, the oldest frames go, and a gap marker says how many', (t) => {
  const res = new FakeResponse(1);
  const client = new SseClient(asRes(res), 5);
  const sent = frames(1000);
  for (const f of sent) client.send(f);
  t.is(res.written.length, 1, 'one write, then backpressure');
  t.is(client.queued, 5);
  t.is(client.droppedTotal, 994);
  res.drain(Infinity);
  t.deepEqual(res.written, [sent[0], sseFrame('gap', { dropped: 994 }), ...sent.slice(995)]);
  t.is(client.queued, 0);
  // Caught up: the next frame goes straight out again.
  client.send('x');
  t.is(res.written.at(-1), 'x');
});

test('a drain with little room flushes part of the queue and waits for the next drain', (t) => {
  const res = new FakeResponse(1);
  const client = new SseClient(asRes(res), 10);
  const sent = frames(6);
  for (const f of sent) client.send(f);
  res.drain(2);
  t.deepEqual(res.written, sent.slice(0, 3));
  t.is(client.queued, 3);
  res.drain(Infinity);
  t.deepEqual(res.written, sent);
});

test('the fan-out: headers, first frames, broadcast to all, forgets closed clients, refuses past maxClients', (t) => {
  const fanout = new SseFanout({ queueLimit: 10, maxClients: 2, heartbeatMs: 60_000 });
  const a = new FakeResponse();
  const b = new FakeResponse();
  t.truthy(fanout.attach(asRes(a), ['hello']));
  t.truthy(fanout.attach(asRes(b)));
  t.is(a.status, 200);
  t.is(a.written[0], 'hello');
  fanout.broadcast('actor', { id: 1 });
  t.is(a.written.at(-1), sseFrame('actor', { id: 1 }));
  t.is(b.written.at(-1), sseFrame('actor', { id: 1 }));
  const c = new FakeResponse();
  t.is(fanout.attach(asRes(c)), undefined);
  t.is(c.status, 503);
  t.true(c.ended);
  b.emit('close');
  t.is(fanout.size, 1);
  fanout.broadcast('actor', { id: 2 });
  t.is(b.written.at(-1), sseFrame('actor', { id: 1 }));
  a.emit('close');
  t.is(fanout.size, 0);
});
