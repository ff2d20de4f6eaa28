#!/bin/sh
# Talks to kafka-sidecar from a shell with socat: one JSON-RPC request per line in, one answer
# per line out. Sends hello and status, prints the two answers and exits.
#
#   examples/shell/hello.sh [socket-path]
#
# The socket path defaults to $KAFKA_SIDECAR_SOCKET, else the daemon's default
# ($XDG_RUNTIME_DIR/kafka-sidecar.sock, else /tmp/kafka-sidecar.sock).
set -eu

if [ "$#" -ge 1 ]; then
  socket=$1
elif [ -n "${KAFKA_SIDECAR_SOCKET:-}" ]; then
  socket=$KAFKA_SIDECAR_SOCKET
elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -S "$XDG_RUNTIME_DIR/kafka-sidecar.sock" ]; then
  socket=$XDG_RUNTIME_DIR/kafka-sidecar.sock
else
  socket=/tmp/kafka-sidecar.sock
fi

if ! command -v socat >/dev/null 2>&1; then
  echo "hello.sh: socat is not installed (apt-get install socat)" >&2
  exit 2
fi
if [ ! -S "$socket" ]; then
  echo "hello.sh: no socket at $socket (is kafka-sidecar running?)" >&2
  exit 1
fi

# The daemon answers both lines, then closes the connection because our input has ended;
# -t 5 bounds how long socat waits for that after sending.
printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"hello.sh"}}' \
  '{"jsonrpc":"2.0","id":2,"method":"status"}' |
  socat -t 5 - "UNIX-CONNECT:$socket"
