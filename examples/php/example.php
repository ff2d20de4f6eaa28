<?php
/**
 * Produces N messages to a topic and consumes them back with fetch + ack, the way a PHP-FPM
 * request or a cron job would. Prints one JSON line per consumed message, then a summary.
 *
 *   php example.php SOCKET TOPIC GROUP [N]
 */

declare(strict_types=1);

require __DIR__ . '/KafkaSidecar.php';

[$script, $socketPath, $topic, $group] = array_pad($argv, 4, null);
$count = (int) ($argv[4] ?? 5);
if ($socketPath === null || $topic === null || $group === null) {
    fwrite(STDERR, "usage: php example.php SOCKET TOPIC GROUP [N]\n");
    exit(2);
}

try {
    $sidecar = new KafkaSidecar($socketPath, 30.0, 'php-example');
    $messages = [];
    for ($i = 0; $i < $count; $i++) {
        $messages[] = ['key' => "k$i", 'value' => "hello from php $i", 'headers' => [['source', 'php']]];
    }
    foreach ($sidecar->produce($topic, $messages) as $result) {
        if (isset($result['error'])) {
            throw new RuntimeException('produce failed: ' . $result['error']['message']);
        }
    }

    $seen = 0;
    $deadline = microtime(true) + 60;
    while ($seen < $count && microtime(true) < $deadline) {
        // The first fetches start the group in the daemon and may come back empty while it joins.
        $batch = $sidecar->fetch($group, [$topic], 100, 1000);
        foreach ($batch as $m) {
            echo json_encode(['offset' => $m['offset'], 'key' => $m['key'], 'value' => $m['value'], 'headers' => $m['headers'], 'attempt' => $m['attempt']]), "\n";
        }
        $seen += $sidecar->ack($group, $batch);
    }
    echo json_encode(['consumed' => $seen]), "\n";
    exit($seen === $count ? 0 : 1);
} catch (KafkaSidecarError $e) {
    fwrite(STDERR, "kafka-sidecar error {$e->errorCode}: {$e->getMessage()}\n");
    exit(1);
} catch (Throwable $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
