/**
 * Whether a Docker engine answers. testcontainers throws "Could not find a working container
 * runtime strategy" when none does; that is the signal to fall back to local processes.
 */
let cached: Promise<boolean> | undefined;

export function dockerAvailable(): Promise<boolean> {
  if (process.env.KAFKA_SIDECAR_NO_DOCKER === '1') return Promise.resolve(false);
  cached ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return cached;
}
