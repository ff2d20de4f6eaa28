/**
 * The transaction life cycle of a transactional producer, as the TransactionManager drives it:
 * each public call asks this machine whether it may happen (`snapshot.can(event)`) and moves it.
 * It sees one event per call or failure, never one per record.
 *
 *   uninitialised --initialised--> ready --begin--> inTransaction --commit--> committing --done--> ready
 *                                    ^                    |  abortable                 | abortable
 *                                    |                    v                            v
 *                                    +--done-- aborting <--abort-- abortableError <----+
 *   any state --fatal--> fatal (fenced, unauthorised: the producer stops for good)
 */
import { setup } from 'xstate';

export type TransactionEvent =
  | { type: 'initialised' }
  | { type: 'begin' }
  | { type: 'commit' }
  | { type: 'abort' }
  | { type: 'done' }
  | { type: 'abortable' }
  | { type: 'fatal' };

export const transactionMachine = setup({
  types: { events: {} as TransactionEvent },
}).createMachine({
  id: 'transaction',
  initial: 'uninitialised',
  on: { fatal: { target: '.fatal' } },
  states: {
    uninitialised: { on: { initialised: { target: 'ready' } } },
    ready: { on: { begin: { target: 'inTransaction' } } },
    inTransaction: {
      on: {
        commit: { target: 'committing' },
        abort: { target: 'aborting' },
        abortable: { target: 'abortableError' },
      },
    },
    committing: {
      on: {
        done: { target: 'ready' },
        abortable: { target: 'abortableError' },
      },
    },
    abortableError: { on: { abort: { target: 'aborting' } } },
    aborting: {
      on: {
        done: { target: 'ready' },
        // An abort that fails on the way (a bump refused) stays abortable: abort again.
        abortable: { target: 'abortableError' },
      },
    },
    fatal: { type: 'final' },
  },
});
