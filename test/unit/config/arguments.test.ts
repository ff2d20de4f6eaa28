import test from 'ava';
import { parseConfigArguments, splitConfigArguments } from '../../../config/arguments.js';
import { ConfigError } from '../../../config/errors.js';

test('parses --config and repeated --set in both spellings', (t) => {
  const args = parseConfigArguments(['--config', 'a.yaml', '--set', 'producer.lingerMs=5', '--set=kafka.brokers=a:1,b:2', '--set', 'x.y=a=b']);
  t.deepEqual(args, {
    configFile: 'a.yaml',
    sets: [
      { key: 'producer.lingerMs', value: '5' },
      { key: 'kafka.brokers', value: 'a:1,b:2' },
      { key: 'x.y', value: 'a=b' },
    ],
  });
  t.deepEqual(parseConfigArguments(['--config=b.json']), { configFile: 'b.json', sets: [] });
});

test('malformed flags are CONFIG_ARGUMENT_INVALID errors that do not echo the text', (t) => {
  const cases: string[][] = [['--set'], ['--set', 'novalue'], ['--set', '=x'], ['--config'], ['--config', 'a', '--config', 'b'], ['--verbose']];
  for (const argv of cases) {
    const err = t.throws(() => parseConfigArguments(argv), { instanceOf: ConfigError }, argv.join(' '));
    t.is(err?.code, 'CONFIG_ARGUMENT_INVALID');
    t.false(err?.retriable);
  }
  const err = t.throws(() => parseConfigArguments(['--set', 'kafka.sasl.password:hunter2']));
  t.false(err?.message.includes('hunter2'));
});

test('splitConfigArguments separates configuration flags from the rest', (t) => {
  t.deepEqual(splitConfigArguments(['--print', '--config', 'f.yaml', '--set=a=1', '--json', '--set', 'b=2']), {
    configArgv: ['--config', 'f.yaml', '--set=a=1', '--set', 'b=2'],
    rest: ['--print', '--json'],
  });
});
