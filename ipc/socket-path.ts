/**
 * Getting the socket path ready to listen on: a stale socket file left by a dead daemon is
 * removed, a live daemon on it makes us refuse, and anything that is not a socket is never
 * deleted. Liveness is tested by connecting, the one test that cannot be fooled by pid files.
 */
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { SocketInUseError, SocketPathError } from './listen-errors.js';

/** sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

/** Whether something accepts connections at `path` (false when nothing listens there). */
export function socketIsLive(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const timer = setTimeout(() => {
      // Accepting neither nor refusing: a listener is there but stuck. Treat it as live.
      probe.destroy();
      resolve(true);
    }, timeoutMs);
    probe.once('connect', () => {
      clearTimeout(timer);
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** Makes `path` free to listen on, or throws a SocketInUseError / SocketPathError saying why it is not. */
export async function prepareSocketPath(path: string, logger: Logger): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new SocketPathError(path, `ipc.socket.path is ${Buffer.byteLength(path)} bytes; Unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}: choose a shorter path`);
  }
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SocketPathError(path, `cannot create the directory of ipc.socket.path ${path}: ${(err as Error).message}`);
  }
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new SocketPathError(path, `cannot inspect ipc.socket.path ${path}: ${(err as Error).message}`);
  }
  if (!isSocket) {
    throw new SocketInUseError(path, `${path} exists and is not a socket; refusing to replace it (remove it or choose another ipc.socket.path)`);
  }
  if (await socketIsLive(path)) {
    throw new SocketInUseError(
      path,
      `another process is listening on ${path} (is a kafka-sidecar already running?); stop it or choose another ipc.socket.path`,
    );
  }
  await unlink(path);
  logger.info({ path }, 'removed a stale socket file left by a daemon that is gone');
}
