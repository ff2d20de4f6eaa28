import test from 'ava';
import { FetchSession, type SessionPartition } from '../../../../machines/fetcher/fetch-session.js';

function p(partition: number, fetchOffset: bigint, topic = 't', topicId: string | null = null): SessionPartition {
  return { topic, topicId, partition, fetchOffset, currentLeaderEpoch: 3, partitionMaxBytes: 1000 };
}

const sent = (r: ReturnType<FetchSession['next']>): string[] => r.topics.flatMap((t) => t.partitions.map((x) => `${t.topic ?? t.topicId}:${x.partition}@${x.fetchOffset}`));
const forgotten = (r: ReturnType<FetchSession['next']>): string[] => r.forgottenTopicsData.flatMap((t) => t.partitions.map((x) => `${t.topic ?? t.topicId}:${x}`));

test('a session starts full at epoch 0, then sends only what changed and lists what is gone', (t) => {
  const s = new FetchSession(true);
  const first = s.next([p(0, 0n), p(1, 5n)], 12);
  t.like(first, { sessionId: 0, sessionEpoch: 0, full: true });
  t.deepEqual(sent(first), ['t:0@0', 't:1@5']);
  s.succeeded(0, 77);

  const second = s.next([p(0, 10n), p(1, 5n)], 12);
  t.like(second, { sessionId: 77, sessionEpoch: 1, full: false });
  t.deepEqual(sent(second), ['t:0@10']);
  t.deepEqual([...second.fetching.keys()].length, 2, 'the answer may still cover both');
  s.succeeded(0, 77);

  const third = s.next([p(1, 5n)], 12);
  t.like(third, { sessionEpoch: 2 });
  t.deepEqual(sent(third), []);
  t.deepEqual(forgotten(third), ['t:0']);
  s.succeeded(0, 77);

  s.invalidate('t', 1);
  t.deepEqual(sent(s.next([p(1, 5n)], 12)), ['t:1@5'], 'a partition whose answer carried an error is sent again');
});

test('a broker that makes no session (id 0) keeps getting full fetches at epoch 0', (t) => {
  const s = new FetchSession(true);
  s.next([p(0, 0n)], 12);
  s.succeeded(0, 0);
  t.like(s.next([p(0, 0n)], 12), { sessionId: 0, sessionEpoch: 0, full: true });
});

test('session errors and failed requests start over: not found forgets the id, others close it with epoch 0', (t) => {
  const s = new FetchSession(true);
  s.next([p(0, 0n)], 12);
  s.succeeded(0, 9);
  s.next([p(0, 1n)], 12);
  s.succeeded(71, 0); // INVALID_FETCH_SESSION_EPOCH
  t.like(s.next([p(0, 1n)], 12), { sessionId: 9, sessionEpoch: 0, full: true });
  s.failed();
  t.like(s.next([p(0, 1n)], 12), { sessionId: 9, sessionEpoch: 0, full: true });
  s.succeeded(70, 0); // FETCH_SESSION_ID_NOT_FOUND
  t.like(s.next([p(0, 1n)], 12), { sessionId: 0, sessionEpoch: 0, full: true });
});

test('without sessions (turned off or Fetch < v7) every request is full at epoch -1', (t) => {
  for (const [enabled, version] of [
    [false, 12],
    [true, 6],
  ] as const) {
    const s = new FetchSession(enabled);
    for (let i = 0; i < 3; i++) {
      const r = s.next([p(0, BigInt(i))], version);
      t.like(r, { sessionId: 0, sessionEpoch: -1, full: true });
      t.deepEqual(sent(r), [`t:0@${i}`]);
      s.succeeded(0, 0);
    }
  }
});

test('from Fetch v13 topics go by id', (t) => {
  const s = new FetchSession(true);
  const r = s.next([p(0, 0n, 't', 'ID0'), p(0, 0n, 'u', 'ID1')], 13);
  t.deepEqual(r.topics.map((x) => [x.topic, x.topicId]), [
    [undefined, 'ID0'],
    [undefined, 'ID1'],
  ]);
  s.succeeded(0, 5);
  t.deepEqual(forgotten(s.next([p(0, 0n, 't', 'ID0')], 13)), ['ID1:0']);
});
