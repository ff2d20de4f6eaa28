// Free TCP ports on 127.0.0.1, chosen by the OS. All servers of one call stay open until
// every port is known, so the ports of one call are distinct.
import { createServer } from 'node:net';

function listenOnAnyPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** @returns {Promise<number[]>} */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort());
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
  }
}
