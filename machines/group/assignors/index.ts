/** The assignors by the names of the `consumer.assignors` setting (the Java client's names). */
import { UnknownAssignorError } from '../errors.js';
import type { Assignor } from './assignor.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round-robin.js';
import { cooperativeStickyAssignor, stickyAssignor } from './sticky.js';

export const assignors: ReadonlyMap<string, Assignor> = new Map(
  [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
);

export function assignorNamed(name: string): Assignor {
  const found = assignors.get(name);
  if (!found) throw new UnknownAssignorError(name);
  return found;
}

export type { Assignor, MemberSubscription, RebalanceProtocol } from './assignor.js';
