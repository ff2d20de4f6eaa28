/** Errors of the cluster actor, with stable codes like every other error of the sidecar. */

/** No bootstrap broker answered; `failures` says what happened with each. */
export class BootstrapError extends Error {
  readonly code = 'BOOTSTRAP_FAILED';
  readonly retriable = true;
  override readonly name = 'BootstrapError';
  constructor(readonly failures: ReadonlyArray<{ readonly broker: string; readonly error: Error }>) {
    super(
      `no bootstrap broker reachable: ${failures.map((f) => `${f.broker} (${(f.error as { code?: string }).code ?? f.error.name}: ${f.error.message})`).join('; ')}`,
    );
  }
}

/** A broker address in the configuration that is not host:port. */
export class BrokerAddressError extends Error {
  readonly code = 'INVALID_BROKER_ADDRESS';
  readonly retriable = false;
  override readonly name = 'BrokerAddressError';
  constructor(readonly address: string) {
    super(`invalid broker address "${address}": expected host:port`);
  }
}

/** A request for a broker the metadata does not list, or one that is restarting. */
export class BrokerUnavailableError extends Error {
  readonly code = 'BROKER_NOT_AVAILABLE';
  readonly retriable = true;
  override readonly name = 'BrokerUnavailableError';
  constructor(
    readonly nodeId: number,
    reason: string,
  ) {
    super(`broker ${nodeId} is not available: ${reason}`);
  }
}

/** The cluster actor stopped or failed; nothing sent to it will be answered. */
export class ClusterStoppedError extends Error {
  readonly code = 'CLUSTER_STOPPED';
  readonly retriable = false;
  override readonly name = 'ClusterStoppedError';
}

export function parseBrokerAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) throw new BrokerAddressError(address);
  return { host: match[1], port };
}
