import test from 'ava';
import { MemberAssignmentError } from '../../../../machines/admin/errors.js';
import { decodeMemberAssignment } from '../../../../machines/admin/member-assignment.js';
import { assignmentBytes } from './assignment-bytes.js';

test('a consumer assignment decodes to topics and partitions, both sorted', (t) => {
  const bytes = assignmentBytes(0, [
    ['orders', [2, 0]],
    ['audit', [1]],
  ]);
  t.deepEqual(decodeMemberAssignment(bytes, 'g', 'm'), [
    { topic: 'audit', partitions: [1] },
    { topic: 'orders', partitions: [0, 2] },
  ]);
});

test('user data and versions newer than ours still decode (later versions only append)', (t) => {
  const bytes = Buffer.concat([assignmentBytes(9, [['t', [0]]], Buffer.from('sticky')), Buffer.from([1, 2, 3])]);
  t.deepEqual(decodeMemberAssignment(bytes, 'g', 'm'), [{ topic: 't', partitions: [0] }]);
});

test('an empty assignment (a rebalance in progress) is no partitions', (t) => {
  t.deepEqual(decodeMemberAssignment(Buffer.alloc(0), 'g', 'm'), []);
});

test('bytes that are not an assignment fail naming the group and member', (t) => {
  const truncated = assignmentBytes(1, [['topic', [0, 1]]]).subarray(0, 12);
  const error = t.throws(() => decodeMemberAssignment(truncated, 'billing', 'member-1'), { instanceOf: MemberAssignmentError });
  t.regex(error?.message ?? '', /group "billing" member "member-1"/);
  t.is(error?.code, 'INVALID_MEMBER_ASSIGNMENT');
  t.throws(() => decodeMemberAssignment(Buffer.from([0]), 'g', 'm'), { instanceOf: MemberAssignmentError, message: /too short/ });
  t.throws(() => decodeMemberAssignment(Buffer.from([0xff, 0xff, 0, 0, 0, 0]), 'g', 'm'), { instanceOf: MemberAssignmentError, message: /negative version/ });
});
