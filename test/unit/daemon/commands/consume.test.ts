import test from 'ava';
import { parseConsumeArguments } from '../../../../daemon/commands/consume.js';
import { UsageError } from '../../../../daemon/commands/daemon-link.js';

test('consume takes a group, topics and options', (t) => {
  t.deepEqual(parseConsumeArguments(['g', 'a', 'b', '--max', '3', '--from', 'earliest', '--encoding', 'base64']), {
    group: 'g',
    topics: ['a', 'b'],
    max: 3,
    from: 'earliest',
    encoding: 'base64',
  });
  t.deepEqual(parseConsumeArguments(['g', 'a']), { group: 'g', topics: ['a'], max: null });
});

test('consume refuses what it cannot use, saying why', (t) => {
  t.regex(t.throws(() => parseConsumeArguments(['g']), { instanceOf: UsageError }).message, /GROUP and at least one TOPIC/);
  t.regex(t.throws(() => parseConsumeArguments(['g', 't', '--max', '0']), { instanceOf: UsageError }).message, /--max must be a positive integer/);
  t.regex(t.throws(() => parseConsumeArguments(['g', 't', '--max']), { instanceOf: UsageError }).message, /--max needs a value/);
  t.regex(t.throws(() => parseConsumeArguments(['g', 't', '--from', 'middle']), { instanceOf: UsageError }).message, /earliest or latest/);
  t.regex(t.throws(() => parseConsumeArguments(['g', 't', '--bogus']), { instanceOf: UsageError }).message, /unknown option --bogus/);
});
