/**
 * Small machines that use every construct the graph conversion handles: nested, parallel and
 * history states, final states with onDone, guards (named, parameterised, combined, inline),
 * named and numeric delays, eventless transitions, targetless transitions, invoked logic by
 * name and inline, wildcard events.
 */
import { and, assign, createMachine, fromPromise, not, sendTo, setup, spawnChild, stateIn } from 'xstate';

export const childMachine = setup({}).createMachine({ id: 'child', initial: 'a', states: { a: { on: { go: 'b' } }, b: { type: 'final' } } });

export const sampleMachine = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'start' } | { type: 'tick' } | { type: 'stop' } | { type: 'left.flip' } | { type: 'any.thing' } },
  actors: { fetchThing: fromPromise(async () => 1), child: childMachine },
  delays: { retryDelay: () => 50 },
  guards: { isReady: () => true, isBig: (_, params: { min: number }) => params.min > 1 },
  actions: { log: () => undefined, bump: assign({ n: ({ context }) => context.n + 1 }) },
}).createMachine({
  id: 'sample',
  context: { n: 0 },
  initial: 'idle',
  on: { stop: '.done' },
  states: {
    idle: {
      on: { start: { target: 'working', guard: 'isReady', actions: 'log' }, tick: { actions: ['bump', 'log'] }, 'any.*': { actions: 'log' } },
      after: { 1000: 'working' },
    },
    working: {
      type: 'parallel',
      onDone: 'done',
      entry: spawnChild('child', { id: 'spawned' }),
      states: {
        left: {
          initial: 'l1',
          states: {
            l1: { on: { 'left.flip': { target: 'l2', guard: and(['isReady', not({ type: 'isBig', params: { min: 3 } })]) } } },
            l2: { type: 'final' },
            hist: { type: 'history', history: 'deep' },
          },
        },
        right: {
          initial: 'fetching',
          states: {
            fetching: {
              invoke: { src: 'fetchThing', onDone: 'fetched', onError: { target: 'failed', actions: sendTo('spawned', { type: 'go' }) } },
            },
            fetched: { always: [{ guard: stateIn('#sample.working.left.l2'), target: 'settled' }, { guard: ({ context }) => context.n > 5, target: 'settled' }] },
            failed: { after: { retryDelay: 'fetching' } },
            settled: { type: 'final' },
          },
        },
      },
    },
    done: { type: 'final' },
  },
});

/** Logic given in place rather than by name in setup: a machine is named by its id. */
export const inlineInvokeMachine = createMachine({
  id: 'outer',
  initial: 'x',
  states: {
    x: {
      invoke: [
        { id: 'inlineChild', src: childMachine, onDone: 'y' },
        { id: 'inlinePromise', src: fromPromise(async () => 1), systemId: 'promise:1' },
      ],
    },
    y: {},
  },
});
