/**
 * A one-child supervisor (OTP's one_for_one with a single child): it runs the child under a
 * fixed system id, restarts it with exponential backoff when it fails, and escalates (fails
 * itself, with SupervisionEscalatedError) when the child fails more than the policy allows
 * within its window. XState has no built-in supervision; a failed child reaches its parent as
 * `xstate.error.actor.<id>`, which is what this machine handles.
 *
 * The child keeps its system id across restarts, so other actors keep reaching it with
 * `system.get(childSystemId)`; while it waits to restart, that lookup returns undefined.
 */
import { assign, enqueueActions, setup, type AnyActorLogic, type AnyActorRef, type InputFrom, type UnknownActorLogic } from 'xstate';
import { stopDescendants } from './orphans.js';
import { RestartBudget, type RestartPolicy, type SupervisionEscalatedError } from './restart-budget.js';

export interface SupervisorInput<TChildInput> {
  /** System id of the child, e.g. 'broker:1'. */
  readonly childSystemId: string;
  readonly childInput: TChildInput;
  readonly policy: RestartPolicy;
  /** Running this long without failing resets the backoff to its first step. */
  readonly stableAfterMs: number;
  /** Clock for the restart window (SimulatedClock's `now` in tests). */
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface SupervisorContext<TChildInput> {
  readonly childSystemId: string;
  readonly childInput: TChildInput;
  readonly stableAfterMs: number;
  readonly budget: RestartBudget;
  /** Restarts so far, for status pages and tests. */
  restarts: number;
  /** Delay chosen for the pending restart. */
  restartDelayMs: number;
  lastError: unknown;
  escalation: SupervisionEscalatedError | null;
  /** `supervisor.stop` arrived: the child is being stopped on purpose and is not restarted. */
  stopping: boolean;
}

/**
 * Tells a supervisor that its child is about to be stopped on purpose (the daemon shuts down):
 * a restart that waits for its backoff is dropped, and a failure from here on ends the
 * supervisor instead of restarting the child or escalating.
 */
export const SUPERVISOR_STOP = { type: 'supervisor.stop' } as const;

/** The id under which the supervisor spawns its child (its events arrive as xstate.*.actor.child). */
export const SUPERVISED_CHILD_ID = 'child';

/** Checks a supervisor's input against the input type of the child logic it will run. */
export function supervisorInput<TLogic extends AnyActorLogic>(
  _childLogic: TLogic,
  input: SupervisorInput<InputFrom<TLogic>>,
): SupervisorInput<unknown> {
  return input;
}

/**
 * The machine is typed over `unknown` child input (XState's setup does not type-check over a
 * generic logic); `supervisorInput` restores the check where the input is built.
 */
export function createSupervisorMachine(childLogic: AnyActorLogic) {
  type ChildInput = unknown;
  return setup({
    types: {
      context: {} as SupervisorContext<ChildInput>,
      input: {} as SupervisorInput<ChildInput>,
    },
    actors: { child: childLogic as UnknownActorLogic },
    delays: {
      restartDelay: ({ context }) => context.restartDelayMs,
      stableAfter: ({ context }) => context.stableAfterMs,
    },
    actions: {
      startChild: enqueueActions(({ context, enqueue }) => {
        enqueue.spawnChild('child', { id: SUPERVISED_CHILD_ID, systemId: context.childSystemId, input: context.childInput });
      }),
      stopChild: enqueueActions(({ enqueue }) => enqueue.stopChild(SUPERVISED_CHILD_ID)),
      // Runs at once (a custom action), so it also happens when `throwEscalation` follows.
      stopOrphans: ({ self }) => stopDescendants(self.getSnapshot().children[SUPERVISED_CHILD_ID] as AnyActorRef | undefined),
      markStable: ({ context }) => context.budget.onStable(),
      throwEscalation: ({ context }) => {
        // Throwing from an action fails this actor, which reports the error to its own parent.
        throw context.escalation ?? new Error(`${context.childSystemId}: escalated without an error`);
      },
    },
    guards: {
      withinBudget: ({ context }) => context.escalation === null,
      stopping: ({ context }) => context.stopping,
    },
  }).createMachine({
    id: 'supervisor',
    context: ({ input }) => ({
      childSystemId: input.childSystemId,
      childInput: input.childInput,
      stableAfterMs: input.stableAfterMs,
      budget: new RestartBudget(input.childSystemId, input.policy, input.now, input.random),
      restarts: 0,
      restartDelayMs: 0,
      lastError: null,
      escalation: null,
      stopping: false,
    }),
    initial: 'running',
    states: {
      running: {
        entry: 'startChild',
        after: { stableAfter: { actions: 'markStable' } },
        on: {
          [`xstate.error.actor.${SUPERVISED_CHILD_ID}`]: [
            {
              actions: assign(({ context, event }) => {
                const decision = context.budget.onFailure(event.error);
                return decision.kind === 'restart'
                  ? { lastError: event.error, restartDelayMs: decision.delayMs }
                  : { lastError: event.error, escalation: decision.error };
              }),
              target: 'deciding',
            },
          ],
          [`xstate.done.actor.${SUPERVISED_CHILD_ID}`]: { target: 'finished' },
          'supervisor.stop': { actions: assign({ stopping: true }) },
        },
      },
      deciding: {
        always: [{ guard: 'stopping', target: 'finished', actions: ['stopOrphans', 'stopChild'] }, { guard: 'withinBudget', target: 'restarting' }, { target: 'escalated' }],
      },
      restarting: {
        entry: ['stopOrphans', 'stopChild'],
        on: { 'supervisor.stop': { target: 'finished' } },
        after: {
          restartDelay: { target: 'running', actions: assign({ restarts: ({ context }) => context.restarts + 1 }) },
        },
      },
      escalated: { entry: ['stopOrphans', 'stopChild', 'throwEscalation'] },
      /** The child stopped (reached its final state, or was let go after `supervisor.stop`): nothing to supervise any more. */
      finished: { type: 'final' },
    },
  });
}
