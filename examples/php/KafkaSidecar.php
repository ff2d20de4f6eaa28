<?php
/**
 * A minimal kafka-sidecar client in plain PHP (no extension): JSON-RPC 2.0 over the daemon's
 * Unix socket, one JSON object per line (docs/ipc.md). Suits PHP-FPM: each request connects,
 * produces or fetches, acks, and leaves; the daemon keeps the broker connections and the
 * consumer group membership between requests.
 */

declare(strict_types=1);

final class KafkaSidecarError extends RuntimeException
{
    /** The stable string code from error.data.code (e.g. INVALID_PARAMS, REVOKED_PARTITION). */
    public string $errorCode;
    public bool $retriable;
    /** @var array<string, mixed> */
    public array $data;

    /** @param array<string, mixed> $error the JSON-RPC error object */
    public function __construct(array $error)
    {
        $data = is_array($error['data'] ?? null) ? $error['data'] : [];
        parent::__construct((string) ($error['message'] ?? 'unknown error'), (int) ($error['code'] ?? 0));
        $this->errorCode = (string) ($data['code'] ?? 'UNKNOWN');
        $this->retriable = (bool) ($data['retriable'] ?? false);
        $this->data = $data;
    }
}

final class KafkaSidecar
{
    /** @var resource */
    private $socket;
    private int $nextId = 1;

    public function __construct(string $socketPath = '/tmp/kafka-sidecar.sock', float $timeoutSeconds = 30.0, string $client = 'php')
    {
        $socket = @stream_socket_client('unix://' . $socketPath, $errno, $errstr, $timeoutSeconds);
        if ($socket === false) {
            throw new RuntimeException("cannot connect to kafka-sidecar at $socketPath: $errstr (is it running?)");
        }
        stream_set_timeout($socket, (int) ceil($timeoutSeconds));
        $this->socket = $socket;
        $this->call('hello', ['client' => $client]);
    }

    public function __destruct()
    {
        if (is_resource($this->socket)) {
            fclose($this->socket);
        }
    }

    /**
     * Sends one request and returns its result; notifications that arrive meanwhile are skipped
     * (this client does not subscribe: it uses fetch).
     *
     * @param array<string, mixed> $params
     * @return mixed
     */
    public function call(string $method, array $params = [])
    {
        $id = $this->nextId++;
        $line = json_encode(['jsonrpc' => '2.0', 'id' => $id, 'method' => $method, 'params' => (object) $params], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        if (fwrite($this->socket, $line . "\n") === false) {
            throw new RuntimeException('kafka-sidecar connection lost while sending');
        }
        while (true) {
            $answer = fgets($this->socket);
            if ($answer === false) {
                $meta = stream_get_meta_data($this->socket);
                throw new RuntimeException($meta['timed_out'] ? "no answer to $method in time" : 'kafka-sidecar closed the connection');
            }
            $message = json_decode($answer, true, 512, JSON_THROW_ON_ERROR);
            if (!array_key_exists('id', $message) || $message['id'] !== $id) {
                continue;
            }
            if (isset($message['error'])) {
                throw new KafkaSidecarError($message['error']);
            }
            return $message['result'];
        }
    }

    /**
     * @param list<array{key?: mixed, value: mixed, headers?: mixed, partition?: int}> $messages
     * @return list<array<string, mixed>> one {partition, offset} or {error} per message
     */
    public function produce(string $topic, array $messages, string $encoding = 'utf8', ?string $transaction = null): array
    {
        $params = ['topic' => $topic, 'messages' => $messages, 'encoding' => $encoding];
        if ($transaction !== null) {
            $params['transaction'] = $transaction;
        }
        return $this->call('produce', $params)['results'];
    }

    /**
     * Begins a transaction; returns its handle. The daemon aborts it if this connection closes
     * first (the request or script ended) or after $timeoutMs.
     */
    public function beginTransaction(string $transactionalId, ?int $timeoutMs = null): string
    {
        $params = ['transactionalId' => $transactionalId];
        if ($timeoutMs !== null) {
            $params['timeoutMs'] = $timeoutMs;
        }
        return $this->call('beginTransaction', $params)['transaction'];
    }

    /**
     * Puts the offsets of fetched messages into the transaction: they are acknowledged when it
     * commits and fetched again when it aborts (do not ack them yourself).
     *
     * @param list<array<string, mixed>> $messages as returned by fetch()
     * @return list<array<string, mixed>> the offsets added
     */
    public function sendOffsetsToTransaction(string $transaction, string $group, array $messages): array
    {
        $refs = array_map(fn (array $m): array => ['topic' => $m['topic'], 'partition' => $m['partition'], 'offset' => $m['offset']], $messages);
        return $this->call('sendOffsetsToTransaction', ['transaction' => $transaction, 'group' => $group, 'messages' => $refs])['offsets'];
    }

    public function commitTransaction(string $transaction): void
    {
        $this->call('commitTransaction', ['transaction' => $transaction]);
    }

    public function abortTransaction(string $transaction): void
    {
        $this->call('abortTransaction', ['transaction' => $transaction]);
    }

    /**
     * Pull mode: up to $max messages, leased until acked (or until $ackTimeoutMs).
     *
     * @param list<string> $topics
     * @return list<array<string, mixed>>
     */
    public function fetch(string $group, array $topics, int $max = 100, int $waitMs = 1000, ?int $ackTimeoutMs = null, string $encoding = 'utf8'): array
    {
        $params = ['group' => $group, 'topics' => $topics, 'max' => $max, 'waitMs' => $waitMs, 'encoding' => $encoding];
        if ($ackTimeoutMs !== null) {
            $params['ackTimeoutMs'] = $ackTimeoutMs;
        }
        return $this->call('fetch', $params)['messages'];
    }

    /**
     * Acknowledges fetched messages; returns how many were newly acknowledged.
     *
     * @param list<array<string, mixed>> $messages as returned by fetch()
     */
    public function ack(string $group, array $messages): int
    {
        $refs = array_map(fn (array $m): array => ['topic' => $m['topic'], 'partition' => $m['partition'], 'offset' => $m['offset']], $messages);
        return $this->call('ack', ['group' => $group, 'messages' => $refs])['acked'];
    }
}
