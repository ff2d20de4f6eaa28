import test from 'ava';
import { GroupResponseError } from '../../../../machines/group/errors.js';
import { committedFrom, offsetCommitRequest, offsetFetchRequest } from '../../../../machines/group/offsets.js';
import { KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';

const member = { group: 'g', memberId: 'm-1', generationId: 4, groupInstanceId: 'i-1' };
const partitions = [
  { topic: 'b', partition: 1 },
  { topic: 'a', partition: 0 },
  { topic: 'b', partition: 0 },
];

test('OffsetFetch names the group at the top level before v8 and in a group list from v8; requireStable from v7', (t) => {
  t.deepEqual(offsetFetchRequest('g', partitions, 6), {
    groupId: 'g',
    topics: [
      { name: 'a', partitionIndexes: [0] },
      { name: 'b', partitionIndexes: [0, 1] },
    ],
  });
  t.like(offsetFetchRequest('g', partitions, 7), { groupId: 'g', requireStable: true });
  t.deepEqual(offsetFetchRequest('g', partitions, 8), {
    groups: [{ groupId: 'g', topics: [{ name: 'a', partitionIndexes: [0] }, { name: 'b', partitionIndexes: [0, 1] }] }],
    requireStable: true,
  });
});

test('OffsetCommit carries the generation and member from v1 and the instance id from v7', (t) => {
  const offsets = [{ topic: 'a', partition: 0, offset: 5n }];
  t.deepEqual(offsetCommitRequest(member, offsets, 0), { groupId: 'g', topics: [{ name: 'a', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }] }] });
  t.like(offsetCommitRequest(member, offsets, 6), { generationIdOrMemberEpoch: 4, memberId: 'm-1' });
  t.false('groupInstanceId' in offsetCommitRequest(member, offsets, 6));
  t.like(offsetCommitRequest(member, offsets, 7), { groupInstanceId: 'i-1' });
});

test('committed offsets: -1 means none; group and partition errors are thrown typed; a missing group answer is an error', (t) => {
  const v7 = committedFrom(
    {
      errorCode: 0,
      topics: [{ name: 'a', partitions: [{ partitionIndex: 0, committedOffset: 9n, metadata: null, errorCode: 0 }, { partitionIndex: 1, committedOffset: -1n, metadata: null, errorCode: 0 }] }],
    },
    'g',
    7,
  );
  t.deepEqual([...v7], [['0:a', 9n]]);
  t.throws(() => committedFrom({ errorCode: 16, topics: [] }, 'g', 7), { instanceOf: KafkaProtocolError, message: /NOT_COORDINATOR/ });
  t.throws(() => committedFrom({ groups: [{ groupId: 'g', errorCode: 0, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, metadata: null, errorCode: 3 }] }] }] }, 'g', 8), {
    instanceOf: KafkaProtocolError,
    message: /UNKNOWN_TOPIC_OR_PARTITION/,
  });
  t.throws(() => committedFrom({ groups: [] }, 'g', 8), { instanceOf: GroupResponseError });
});
