import test from 'ava';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../../machines/group/consumer-protocol.js';
import { GroupProtocolError } from '../../../../machines/group/errors.js';

test('a subscription round-trips at every version, with the fields each version carries', (t) => {
  const s = { topics: ['b', 'a'], ownedPartitions: [{ topic: 'a', partition: 2 }, { topic: 'a', partition: 0 }], generationId: 7, rackId: 'r1', userData: null };
  t.deepEqual(decodeSubscription(encodeSubscription(s, 3), 'm'), { ...s, topics: ['a', 'b'], ownedPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }] });
  t.deepEqual(decodeSubscription(encodeSubscription(s, 1), 'm'), { ...s, topics: ['a', 'b'], ownedPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }], generationId: -1, rackId: null });
  t.deepEqual(decodeSubscription(encodeSubscription(s, 0), 'm'), { ...s, topics: ['a', 'b'], ownedPartitions: [], generationId: -1, rackId: null });
});

test('the subscription bytes are laid out as Kafka defines them (v0: version, topic array, null user data)', (t) => {
  const bytes = encodeSubscription({ topics: ['ab'], ownedPartitions: [], generationId: -1, rackId: null, userData: null }, 0);
  t.deepEqual([...bytes], [0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0xff, 0xff, 0xff, 0xff]);
});

test('assignments round-trip, sorted; a newer version with appended bytes still decodes; empty means none', (t) => {
  const bytes = encodeAssignment(new Map([['z', [3, 1]], ['a', [0]]]));
  t.deepEqual(decodeAssignment(bytes), [{ topic: 'a', partition: 0 }, { topic: 'z', partition: 1 }, { topic: 'z', partition: 3 }]);
  const newer = Buffer.concat([bytes, Buffer.from([9, 9])]);
  newer.writeInt16BE(5, 0);
  t.deepEqual(decodeAssignment(newer).length, 3);
  t.deepEqual(decodeAssignment(Buffer.alloc(0)), []);
});

test('garbage fails with a typed error naming what it was', (t) => {
  t.throws(() => decodeAssignment(Buffer.from([0])), { instanceOf: GroupProtocolError, message: /too short/ });
  t.throws(() => decodeSubscription(Buffer.from([0xff, 0xfe]), 'm-1'), { instanceOf: GroupProtocolError, message: /member "m-1".*negative/ });
  t.throws(() => decodeSubscription(Buffer.from([0, 0, 0, 0, 0, 9]), 'm-1'), { instanceOf: GroupProtocolError });
});
