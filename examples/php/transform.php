<?php
/**
 * Exactly-once consume-transform-produce from PHP: fetch a batch of a group's messages, write
 * each value upper-cased to another topic and put the batch's offsets into the same
 * transaction, then commit. Should the script die before the commit, the daemon sees its
 * connection close and aborts the transaction: nothing is written, the messages come again.
 * Prints one JSON line per committed batch, then a summary.
 *
 *   php transform.php SOCKET INPUT OUTPUT GROUP TRANSACTIONAL_ID [N]
 */

declare(strict_types=1);

require __DIR__ . '/KafkaSidecar.php';

[$script, $socketPath, $input, $output, $group, $transactionalId] = array_pad($argv, 6, null);
$count = (int) ($argv[6] ?? 5);
if ($socketPath === null || $input === null || $output === null || $group === null || $transactionalId === null) {
    fwrite(STDERR, "usage: php transform.php SOCKET INPUT OUTPUT GROUP TRANSACTIONAL_ID [N]\n");
    exit(2);
}

try {
    $sidecar = new KafkaSidecar($socketPath, 30.0, 'php-transform');
    $done = 0;
    $deadline = microtime(true) + 60;
    while ($done < $count && microtime(true) < $deadline) {
        // The first fetches start the group in the daemon and may come back empty while it joins.
        $batch = $sidecar->fetch($group, [$input], 100, 1000);
        if ($batch === []) {
            continue;
        }
        $txn = $sidecar->beginTransaction($transactionalId);
        try {
            $out = array_map(fn (array $m): array => ['key' => $m['key'], 'value' => strtoupper((string) $m['value'])], $batch);
            foreach ($sidecar->produce($output, $out, 'utf8', $txn) as $result) {
                if (isset($result['error'])) {
                    throw new RuntimeException('produce failed: ' . $result['error']['message']);
                }
            }
            $offsets = $sidecar->sendOffsetsToTransaction($txn, $group, $batch);
            $sidecar->commitTransaction($txn);
        } catch (Throwable $e) {
            // TRANSACTION_ABORTABLE and friends: abort, and the batch is fetched again.
            $sidecar->abortTransaction($txn);
            throw $e;
        }
        $done += count($batch);
        echo json_encode(['committed' => count($batch), 'offsets' => $offsets]), "\n";
    }
    echo json_encode(['transformed' => $done]), "\n";
    exit($done === $count ? 0 : 1);
} catch (KafkaSidecarError $e) {
    fwrite(STDERR, "kafka-sidecar error {$e->errorCode}: {$e->getMessage()}\n");
    exit(1);
} catch (Throwable $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
