// The on-demand children of the daemon root (a group's consumer, a transactional producer) run
// each under its own supervisor, found by system id: whether one runs, and waiting for one to stop.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Lookup = { get(id: string): unknown };

/** True while the supervisor `supervisorId` runs (a finished or failed one leaves its id free). */
export function supervisorActive(system: Lookup, supervisorId: string): boolean {
  const supervisor = system.get(supervisorId) as { getSnapshot(): { status: string } } | undefined;
  return supervisor !== undefined && supervisor.getSnapshot().status === 'active';
}

/** Resolves true once the supervisor stopped, false when it still runs after timeoutMs. */
export async function untilSupervisorStopped(system: Lookup, supervisorId: string, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!supervisorActive(system, supervisorId)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}
