#!/bin/sh
# Produces, fetches and acknowledges through kafka-sidecar from a shell with socat, the way a
# cron job or CLI script would: each step is one connection with one JSON-RPC line.
#
#   examples/shell/produce-fetch-ack.sh TOPIC GROUP [socket-path]
#
# 1. produce two messages to TOPIC and print the answer;
# 2. fetch up to 10 messages for GROUP (pull mode: leased until acknowledged) and print them;
# 3. acknowledge every fetched message by topic, partition and offset and print the answer.
# The socket path defaults to $KAFKA_SIDECAR_SOCKET, else /tmp/kafka-sidecar.sock.
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: produce-fetch-ack.sh TOPIC GROUP [socket-path]" >&2
  exit 2
fi
topic=$1
group=$2
socket=${3:-${KAFKA_SIDECAR_SOCKET:-/tmp/kafka-sidecar.sock}}

if ! command -v socat >/dev/null 2>&1; then
  echo "produce-fetch-ack.sh: socat is not installed (apt-get install socat)" >&2
  exit 2
fi
if [ ! -S "$socket" ]; then
  echo "produce-fetch-ack.sh: no socket at $socket (is kafka-sidecar running?)" >&2
  exit 1
fi

# One request, one answer: the daemon answers, then closes because our input has ended.
call() {
  printf '%s\n' "$1" | socat -t 30 - "UNIX-CONNECT:$socket"
}

call "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"produce\",\"params\":{\"topic\":\"$topic\",\"messages\":[{\"key\":\"k1\",\"value\":\"hello from sh\"},{\"key\":\"k2\",\"value\":\"second\"}]}}"

fetched=$(call "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"fetch\",\"params\":{\"group\":\"$group\",\"topics\":[\"$topic\"],\"max\":10,\"waitMs\":5000}}")
printf '%s\n' "$fetched"

# Every fetched message names its topic, partition and offset one after the other; those three
# fields are what an ack needs. (A real script would use jq; this one needs only grep and sed.)
refs=$(printf '%s' "$fetched" | grep -o '"topic":"[^"]*","partition":[0-9]*,"offset":"[0-9]*"' | sed 's/^/{/; s/$/}/' | paste -sd, -)
if [ -z "$refs" ]; then
  echo "produce-fetch-ack.sh: nothing fetched" >&2
  exit 1
fi
call "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ack\",\"params\":{\"group\":\"$group\",\"messages\":[$refs]}}"
