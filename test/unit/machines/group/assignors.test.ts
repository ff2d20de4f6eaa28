import test from 'ava';
import fc from 'fast-check';
import type { MemberSubscription } from '../../../../machines/group/assignors/assignor.js';
import { assignorNamed } from '../../../../machines/group/assignors/index.js';
import { rangeAssignor } from '../../../../machines/group/assignors/range.js';
import { roundRobinAssignor } from '../../../../machines/group/assignors/round-robin.js';
import { cooperativeStickyAssignor, stickyAssignor } from '../../../../machines/group/assignors/sticky.js';
import { UnknownAssignorError } from '../../../../machines/group/errors.js';
import { toList, type TopicPartition, type TopicPartitions } from '../../../../machines/group/topic-partitions.js';

function member(memberId: string, topics: string[], owned: TopicPartition[] = [], generationId = 1, groupInstanceId: string | null = null): MemberSubscription {
  return { memberId, groupInstanceId, subscription: { topics, ownedPartitions: owned, generationId, rackId: null, userData: null } };
}

function plain(assignment: Map<string, TopicPartitions>): Record<string, Record<string, number[]>> {
  return Object.fromEntries([...assignment].map(([m, t]) => [m, Object.fromEntries([...t].map(([topic, p]) => [topic, [...p]]))]));
}

function counts(assignment: Map<string, TopicPartitions>): number[] {
  return [...assignment.values()].map((t) => toList(t).length);
}

test('range cuts each topic into contiguous ranges, the first members taking the remainder', (t) => {
  const members = [member('b', ['t1', 't2']), member('a', ['t1', 't2']), member('c', ['t1'])];
  const result = rangeAssignor.assign(members, new Map([['t1', 7], ['t2', 3]]));
  t.deepEqual(plain(result), {
    a: { t1: [0, 1, 2], t2: [0, 1] },
    b: { t1: [3, 4], t2: [2] },
    c: { t1: [5, 6] },
  });
});

test('static members sort by instance id, so a restarted one (new member id) keeps its range', (t) => {
  const before = rangeAssignor.assign([member('m-9', ['t'], [], 1, 'alpha'), member('m-1', ['t'], [], 1, 'beta')], new Map([['t', 4]]));
  t.deepEqual(plain(before), { 'm-9': { t: [0, 1] }, 'm-1': { t: [2, 3] } });
});

test('roundrobin deals partitions in a circle, skipping members not subscribed to the topic', (t) => {
  const members = [member('a', ['t1', 't2']), member('b', ['t2'])];
  t.deepEqual(plain(roundRobinAssignor.assign(members, new Map([['t1', 2], ['t2', 3]]))), {
    a: { t1: [0, 1], t2: [1] },
    b: { t2: [0, 2] },
  });
});

test('topics that do not exist (or have no partitions) are ignored; members without topics get an empty entry', (t) => {
  for (const assignor of [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor]) {
    const result = assignor.assign([member('a', ['missing']), member('b', ['t'])], new Map([['t', 1]]));
    t.deepEqual(plain(result), { a: {}, b: { t: [0] } }, assignor.name);
  }
});

test('unknown assignor names fail with a typed error', (t) => {
  t.is(assignorNamed('range'), rangeAssignor);
  t.throws(() => assignorNamed('nope'), { instanceOf: UnknownAssignorError, message: /"nope"/ });
});

const groupArb = fc.record({
  memberCount: fc.integer({ min: 1, max: 7 }),
  partitions: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 3 }),
});

test('every assignor gives each existing partition to exactly one member, balanced within one for equal subscriptions', (t) => {
  fc.assert(
    fc.property(groupArb, ({ memberCount, partitions }) => {
      const topics = partitions.map((_, i) => `t${i}`);
      const perTopic = new Map(topics.map((topic, i) => [topic, partitions[i]]));
      const members = Array.from({ length: memberCount }, (_, i) => member(`m${i}`, topics));
      const total = partitions.reduce((a, b) => a + b, 0);
      for (const assignor of [roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor]) {
        const result = assignor.assign(members, perTopic);
        const all = [...result.values()].flatMap((a) => toList(a).map((p) => `${p.topic}/${p.partition}`));
        if (all.length !== total || new Set(all).size !== total) return false;
        const c = counts(result);
        if (Math.max(...c) - Math.min(...c) > 1) return false;
      }
      const range = rangeAssignor.assign(members, perTopic);
      return [...range.values()].flatMap((a) => toList(a)).length === total;
    }),
  );
  t.pass();
});

test('sticky: after a member leaves or joins, every survivor keeps at least its fair share of what it owned', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (n, partitionCount, leaving) => {
      const perTopic = new Map([['t', partitionCount]]);
      const first = stickyAssignor.assign(Array.from({ length: n }, (_, i) => member(`m${i}`, ['t'])), perTopic);
      const survivors = Array.from({ length: leaving ? n - 1 : n }, (_, i) => member(`m${i}`, ['t'], toList(first.get(`m${i}`) as TopicPartitions), 1));
      const next = [...survivors, ...(leaving ? [] : [member('new', ['t'])])];
      const second = stickyAssignor.assign(next, perTopic);
      const fair = Math.floor(partitionCount / next.length);
      for (const s of survivors) {
        const owned = s.subscription.ownedPartitions.map((p) => p.partition);
        const kept = toList(second.get(s.memberId) as TopicPartitions).filter((p) => owned.includes(p.partition)).length;
        if (kept < Math.min(owned.length, fair)) return false;
      }
      const c = counts(second);
      return Math.max(...c) - Math.min(...c) <= 1;
    }),
  );
  t.pass();
});

test('cooperative-sticky withholds partitions that change owner; the follow-up round hands them out balanced', (t) => {
  const perTopic = new Map([['t', 12]]);
  const owned = (from: number, to: number): TopicPartition[] => Array.from({ length: to - from }, (_, i) => ({ topic: 't', partition: from + i }));
  // Two members own 6 each; a third joins.
  const round1 = cooperativeStickyAssignor.assign([member('a', ['t'], owned(0, 6)), member('b', ['t'], owned(6, 12)), member('c', ['t'])], perTopic);
  const a1 = toList(round1.get('a') as TopicPartitions);
  const b1 = toList(round1.get('b') as TopicPartitions);
  t.is(a1.length, 4);
  t.is(b1.length, 4);
  t.deepEqual(toList(round1.get('c') as TopicPartitions), [], 'nothing moves to c while a and b still own it');
  t.true(a1.every((p) => p.partition < 6) && b1.every((p) => p.partition >= 6), 'a and b only keep what they had');
  // a and b revoke what they lost and rejoin owning only what they kept.
  const round2 = cooperativeStickyAssignor.assign([member('a', ['t'], a1, 2), member('b', ['t'], b1, 2), member('c', ['t'], [], 2)], perTopic);
  t.deepEqual(toList(round2.get('a') as TopicPartitions), a1);
  t.deepEqual(toList(round2.get('b') as TopicPartitions), b1);
  t.is(toList(round2.get('c') as TopicPartitions).length, 4);
});

test('sticky: of two claims on one partition the higher generation wins; claims on unsubscribed topics are dropped', (t) => {
  const perTopic = new Map([['t', 2], ['u', 1]]);
  const result = stickyAssignor.assign(
    [member('a', ['t'], [{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }], 3), member('b', ['t', 'u'], [{ topic: 't', partition: 0 }], 5)],
    perTopic,
  );
  t.deepEqual(toList(result.get('b') as TopicPartitions).find((p) => p.topic === 't')?.partition, 0);
  t.deepEqual(toList(result.get('b') as TopicPartitions).filter((p) => p.topic === 'u').length, 1);
});

test('cooperative-sticky, any membership change: round 1 never hands a partition to a non-owner while its owner holds it; after the owners revoke, round 2 is balanced and complete', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40 }), (before, after, partitionCount) => {
      const perTopic = new Map([['t', partitionCount]]);
      const first = cooperativeStickyAssignor.assign(Array.from({ length: before }, (_, i) => member(`m${i}`, ['t'])), perTopic);
      // Members m0.. stay (as many as both rounds have), new ones join, the rest leave.
      const owned = (id: string): TopicPartition[] => toList(first.get(id) ?? new Map());
      const round1Members = Array.from({ length: after }, (_, i) => member(`m${i}`, ['t'], owned(`m${i}`), 1));
      const round1 = cooperativeStickyAssignor.assign(round1Members, perTopic);
      const ownerOf = new Map(round1Members.flatMap((m) => m.subscription.ownedPartitions.map((p) => [p.partition, m.memberId] as const)));
      for (const [id, assignment] of round1) {
        for (const p of toList(assignment)) {
          const owner = ownerOf.get(p.partition);
          if (owner !== undefined && owner !== id) return false;
        }
      }
      // Each member revokes what round 1 did not give it and rejoins owning the rest.
      const round2Members = round1Members.map((m) => member(m.memberId, ['t'], toList(round1.get(m.memberId) as TopicPartitions), 2));
      const round2 = cooperativeStickyAssignor.assign(round2Members, perTopic);
      const all = [...round2.values()].flatMap((a) => toList(a).map((p) => p.partition));
      if (all.length !== partitionCount || new Set(all).size !== partitionCount) return false;
      for (const m of round2Members) {
        const kept = toList(round2.get(m.memberId) as TopicPartitions).map((p) => p.partition);
        if (!m.subscription.ownedPartitions.every((p) => kept.includes(p.partition))) return false;
      }
      const c = counts(round2);
      return Math.max(...c) - Math.min(...c) <= 1;
    }),
  );
  t.pass();
});
