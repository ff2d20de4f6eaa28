// A minimal Kafka Metadata client, only to learn which brokers a node lists: readiness means
// "every broker is registered and unfenced", which a Metadata response shows and an open port
// does not. Version 4 (non-flexible) is understood by every broker from 0.11 to 4.x.
import { connect } from 'node:net';

const apiKeyMetadata = 3;
const metadataVersion = 4;
const clientId = 'kafka-local';

function metadataRequest(correlationId) {
  const client = Buffer.from(clientId, 'utf8');
  // header v1: api_key, api_version, correlation_id, client_id; body v4: topics = [] (none),
  // allow_auto_topic_creation = false.
  const size = 2 + 2 + 4 + 2 + client.length + 4 + 1;
  const buf = Buffer.alloc(4 + size);
  let at = buf.writeInt32BE(size, 0);
  at = buf.writeInt16BE(apiKeyMetadata, at);
  at = buf.writeInt16BE(metadataVersion, at);
  at = buf.writeInt32BE(correlationId, at);
  at = buf.writeInt16BE(client.length, at);
  at += client.copy(buf, at);
  at = buf.writeInt32BE(0, at);
  buf.writeInt8(0, at);
  return buf;
}

/**
 * Parses the start of a Metadata v4 response body (after the 4-byte size): the broker list.
 * @returns {{ correlationId: number, brokers: { nodeId: number, host: string, port: number }[] }}
 */
export function parseMetadataResponse(body) {
  let at = 0;
  const need = (n) => {
    if (at + n > body.length) throw new Error(`Metadata response truncated at byte ${at}`);
  };
  const int32 = () => (need(4), (at += 4), body.readInt32BE(at - 4));
  const int16 = () => (need(2), (at += 2), body.readInt16BE(at - 2));
  const nullableString = () => {
    const len = int16();
    if (len < 0) return null;
    need(len);
    at += len;
    return body.toString('utf8', at - len, at);
  };
  const correlationId = int32();
  int32(); // throttle_time_ms
  const count = int32();
  if (count < 0 || count > 10_000) throw new Error(`Metadata response has a broker count of ${count}`);
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = int32();
    const host = nullableString() ?? '';
    const port = int32();
    nullableString(); // rack
    brokers.push({ nodeId, host, port });
  }
  return { correlationId, brokers };
}

/**
 * Asks one broker for its broker list.
 * @returns {Promise<{ nodeId: number, host: string, port: number }[]>}
 */
export function fetchBrokers(host, port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const correlationId = 1 + Math.floor(Math.random() * 1_000_000);
    const socket = connect({ host, port });
    const chunks = [];
    let received = 0;
    const finish = (err, value) => {
      socket.destroy();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no Metadata response from ${host}:${port} in ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`${host}:${port} closed the connection`)));
    socket.once('connect', () => socket.write(metadataRequest(correlationId)));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = Buffer.concat(chunks);
      const size = all.readInt32BE(0);
      if (all.length < 4 + size) return;
      try {
        const parsed = parseMetadataResponse(all.subarray(4, 4 + size));
        if (parsed.correlationId !== correlationId) throw new Error(`correlation id ${parsed.correlationId}, expected ${correlationId}`);
        finish(undefined, parsed.brokers);
      } catch (err) {
        finish(err);
      }
    });
  });
}
