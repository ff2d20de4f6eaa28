/** Runs `kafka-sidecar start` as a child process, the way users and the container run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly socketPath: string;
  /** http://host:port, once the daemon printed it. */
  readonly httpUrl: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the daemon with `env` on top of this process's environment, a private socket and a free
 * HTTP port. `command` replaces `node dist/daemon/cli.js start` (run in the repository root),
 * e.g. with the container's ENTRYPOINT and CMD.
 */
export async function startDaemon(env: Record<string, string>, args: string[] = [], command?: readonly string[]): Promise<DaemonProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'ks-daemon-'));
  const socketPath = join(dir, 'sidecar.sock');
  const [file, ...argv] = command ?? [process.execPath, join(repoRoot, 'dist', 'daemon', 'cli.js'), 'start'];
  const child = spawn(file === 'node' ? process.execPath : file!, [...argv, ...args], {
    cwd: repoRoot,
    env: { ...process.env, KAFKA_SIDECAR_IPC_SOCKET_PATH: socketPath, KAFKA_SIDECAR_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const httpUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon not ready in 120 s:\n${out}\n${err}`)), 120_000);
    const check = (): void => {
      const match = /http:\s+(http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was ready:\n${out}\n${err}`));
    });
  });
  return {
    child,
    socketPath,
    httpUrl,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** One JSON-RPC call over a fresh Unix socket connection. */
export function rpcCall(socketPath: string, method: string, params: unknown = {}, timeoutMs = 30_000): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  return new Promise((resolveCall, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      buffer += d.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        socket.end();
        resolveCall(JSON.parse(buffer.slice(0, newline)) as { result?: unknown; error?: { code: number; message: string } });
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n');
  });
}
