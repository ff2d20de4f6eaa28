/**
 * Why a transport could not start or keep serving. At startup these stop the daemon with a
 * message that says what to do; later they fail the listener actor for its supervisor. They
 * never travel to an app.
 */

/** The socket path is served by a live process, or is a file that is not a socket. */
export class SocketInUseError extends Error {
  override readonly name = 'SocketInUseError';
  readonly code = 'SOCKET_IN_USE';
  readonly retriable = false;
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** The socket path cannot be used at all (too long, its directory cannot be made). */
export class SocketPathError extends Error {
  override readonly name = 'SocketPathError';
  readonly code = 'SOCKET_PATH_INVALID';
  readonly retriable = false;
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** The NATS servers could not be reached or refused the credentials. */
export class NatsUnavailableError extends Error {
  override readonly name = 'NatsUnavailableError';
  readonly code = 'NATS_UNAVAILABLE';
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A running transport cannot keep serving (its server failed, its socket file went away, its NATS connection closed). */
export class ListenerFailedError extends Error {
  override readonly name = 'ListenerFailedError';
  readonly code = 'LISTENER_FAILED';
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
