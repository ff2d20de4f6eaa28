import test from 'ava';
import fc from 'fast-check';
import { formatNamed, hostPortProblem, INT32_MAX, parseFileMode } from '../../../config/formats.js';

const valid = (name: string, value: unknown): boolean => formatNamed(name).check(value) === undefined;

test('duration-ms parses only decimal integers within int32', (t) => {
  const f = formatNamed('duration-ms');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: INT32_MAX }), (n) => {
      const parsed = f.parse(String(n));
      return parsed === n && f.check(parsed) === undefined;
    }),
  );
  for (const text of ['12abc', '1.5', '-1', '1e3', '0x10', '', ' ', '2147483648']) {
    t.not(f.check(f.parse(text)), undefined, text);
  }
  t.is(f.parse(' 250 '), 250);
  t.not(f.check(1.5), undefined);
  t.not(f.check('5'), undefined, 'a string in a file is not a number');
});

test('positive formats refuse zero, tcp-port accepts 0 for a free port', (t) => {
  t.false(valid('positive-duration-ms', 0));
  t.false(valid('positive-count', 0));
  t.false(valid('byte-size', 0));
  t.true(valid('tcp-port', 0));
  t.false(valid('tcp-port', 65536));
  t.true(valid('in-flight-per-broker', 5));
  t.false(valid('in-flight-per-broker', 6));
});

test('strict-boolean parses only true and false', (t) => {
  const f = formatNamed('strict-boolean');
  t.is(f.parse('true'), true);
  t.is(f.parse('false'), false);
  for (const text of ['yes', '1', 'TRUE', '']) t.not(f.check(f.parse(text)), undefined, text);
});

test('host:port accepts names, IPv4 and bracketed IPv6 with a port in range', (t) => {
  for (const ok of ['localhost:9092', 'kafka-1.example.com:19092', '10.0.0.7:1', '[::1]:9092', '[fe80::1]:9092']) {
    t.is(hostPortProblem(ok), undefined, ok);
  }
  for (const bad of ['localhost', 'localhost:', ':9092', 'host:0', 'host:65536', 'host:12a', '::1:9092', 'bad_host:1', '-a:1', 'a b:1']) {
    t.not(hostPortProblem(bad), undefined, bad);
  }
});

test('host-port-list takes comma text or JSON, and refuses an empty list', (t) => {
  const f = formatNamed('host-port-list');
  t.deepEqual(f.parse(' a:1 , b:2 '), ['a:1', 'b:2']);
  t.deepEqual(f.parse('["a:1"]'), ['a:1']);
  t.regex(f.check(f.parse('')) ?? '', /empty/);
  t.regex(f.check(['a:1', 'b']) ?? '', /entry 2/);
  t.regex(f.check('a:1') ?? '', /got a string/);
});

test('nats-server-list accepts host:port and nats/tls/ws URLs only', (t) => {
  t.true(valid('nats-server-list', ['127.0.0.1:4222', 'nats://n1:4222', 'tls://n2:4443', 'wss://n3']));
  t.false(valid('nats-server-list', ['http://n1:4222']));
  t.false(valid('nats-server-list', ['n1']));
});

test('file-mode wants an octal string the owner can read and write', (t) => {
  t.true(valid('file-mode', '0600'));
  t.true(valid('file-mode', '660'));
  t.is(parseFileMode('0660'), 0o660);
  t.regex(formatNamed('file-mode').check(600) ?? '', /quote the mode/);
  t.false(valid('file-mode', '0800'));
  t.false(valid('file-mode', '00600'));
  t.regex(formatNamed('file-mode').check('0400') ?? '', /owner needs read and write/);
});

test('socket-path must be absolute and fit sun_path', (t) => {
  t.true(valid('socket-path', '/tmp/s.sock'));
  t.false(valid('socket-path', 'relative.sock'));
  t.false(valid('socket-path', `/${'x'.repeat(107)}`));
  t.true(valid('socket-path', `/${'x'.repeat(106)}`));
});

test('enum formats list the allowed values', (t) => {
  const acks = formatNamed('acks');
  t.true(valid('acks', 'leader'));
  t.false(valid('acks', 'LEADER'));
  t.is(acks.expected, 'one of "all", "leader", "none"');
  t.true(valid('sasl-mechanism', 'SCRAM-SHA-512'));
  t.false(valid('sasl-mechanism', 'GSSAPI'));
});

test('log-pretty accepts auto and booleans', (t) => {
  const f = formatNamed('log-pretty');
  t.is(f.parse('true'), true);
  t.is(f.parse('auto'), 'auto');
  t.false(valid('log-pretty', 'always'));
});

test('assignor-list refuses unknown and repeated assignors', (t) => {
  t.true(valid('assignor-list', ['cooperative-sticky', 'range']));
  t.false(valid('assignor-list', ['range', 'range']));
  t.false(valid('assignor-list', ['uniform']));
  t.false(valid('assignor-list', []));
});

test('consumer-groups checks every declaration', (t) => {
  const f = formatNamed('consumer-groups');
  t.true(valid('consumer-groups', [{ group: 'a', topics: ['t1'] }, { group: 'b', pattern: '^orders\\.', from: 'earliest' }]));
  t.deepEqual(f.parse('[{"group":"a","topics":["t"]}]'), [{ group: 'a', topics: ['t'] }]);
  const problem = (value: unknown): string => f.check(value) ?? '';
  t.regex(problem([{ group: 'a' }]), /exactly one of "topics" and "pattern"/);
  t.regex(problem([{ group: 'a', topics: ['t'], pattern: 'x' }]), /exactly one/);
  t.regex(problem([{ group: 'a', pattern: '(' }]), /not a regular expression/);
  t.regex(problem([{ group: 'a', topics: ['bad topic'] }]), /not a legal topic name/);
  t.regex(problem([{ group: 'a', topics: ['t'], from: 'now' }]), /"from"/);
  t.regex(problem([{ group: 'a', topics: ['t'], extra: 1 }]), /unknown field "extra"/);
  t.regex(problem([{ group: 'a', topics: ['t'] }, { group: 'a', topics: ['u'] }]), /declared twice/);
  t.regex(problem('[{'), /got a string/);
});

test('broker-list accepts an empty list (a local Kafka) and refuses bad entries', (t) => {
  const f = formatNamed('broker-list');
  t.is(f.check([]), undefined);
  t.deepEqual(f.parse(''), []);
  t.deepEqual(f.parse('a:1, b:2'), ['a:1', 'b:2']);
  t.truthy(f.check(['no-port']));
});
