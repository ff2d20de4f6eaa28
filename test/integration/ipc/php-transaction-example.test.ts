// examples/php/transform.php run with Debian's php CLI against a real daemon: a PHP process
// that dies mid-transaction leaves nothing behind, then the example transforms every message
// exactly once (outputs and the group's offsets committed together).
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kcatOk } from '../../helpers/kcat.js';
import { repoRoot } from '../../helpers/repo.js';
import { committedOffsets, createTopic, eventually, uniqueName } from './consume-fixture.js';
import { kcatValues, startTxnDaemon } from './transactions-fixture.js';

const run = promisify(execFile);
const library = join(repoRoot, 'examples', 'php', 'KafkaSidecar.php');
const script = join(repoRoot, 'examples', 'php', 'transform.php');

test('the PHP transform example commits outputs and offsets together; a PHP process that exits mid-transaction leaves nothing', async (t) => {
  const f = await startTxnDaemon(t);
  const admin = await f.client('admin');
  const input = uniqueName('php-txn-in');
  const output = uniqueName('php-txn-out');
  const group = uniqueName('g-php-txn');
  const transactionalId = uniqueName('tx-php');
  await createTopic(admin, input, 1);
  await createTopic(admin, output, 1);
  await kcatOk(['-b', f.brokers, '-P', '-t', input, '-p', '0'], 'a\nb\nc\n');

  // A PHP request that begins, produces and ends without committing (as a fatal error would).
  const dying = await run('php', [
    '-r',
    `require '${library}'; $s = new KafkaSidecar('${f.daemon.socketPath}'); $t = $s->beginTransaction('${transactionalId}'); $s->produce('${output}', [['value' => 'half-done']], 'utf8', $t); echo $t;`,
  ]);
  t.regex(dying.stdout, /^txn-/);

  await eventually('the daemon to abort the dead request\'s transaction', async () => (((await admin.status()).transactions ?? []).length === 0 ? true : undefined));
  const { stdout } = await run('php', [script, f.daemon.socketPath, input, output, group, transactionalId, '3'], { timeout: 90_000 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(lines.at(-1), { transformed: 3 });
  t.deepEqual(await kcatValues(f.brokers, output, 'read_committed'), ['A', 'B', 'C']);
  t.deepEqual(await kcatValues(f.brokers, output, 'read_uncommitted'), ['A', 'B', 'C', 'half-done']);
  await eventually('offset 3 committed by the transaction', async () => ((await committedOffsets(admin, group, input)).byPartition.get(0) === '3' ? true : undefined));
});
