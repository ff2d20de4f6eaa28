/**
 * Sets of topic partitions as the group works with them: what a member owns, what an assignor
 * hands out, what a rebalance revokes. Kept as topic -> sorted partition numbers so that the
 * consumer protocol's layout (one entry per topic) and the listeners' payloads come for free.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** topic -> partitions; the form assignments travel in. */
export type TopicPartitions = ReadonlyMap<string, readonly number[]>;

export function byTopicThenPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** A stable string key for maps and sets ("topic" may contain any character but the partition cannot). */
export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

export function toList(partitions: TopicPartitions): TopicPartition[] {
  const list: TopicPartition[] = [];
  for (const [topic, numbers] of partitions) for (const partition of numbers) list.push({ topic, partition });
  return list.sort(byTopicThenPartition);
}

export function fromList(list: Iterable<TopicPartition>): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const { topic, partition } of list) {
    const numbers = map.get(topic) ?? [];
    if (!numbers.includes(partition)) numbers.push(partition);
    map.set(topic, numbers);
  }
  for (const numbers of map.values()) numbers.sort((a, b) => a - b);
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Partitions of `a` that are not in `b`. */
export function minus(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const exclude = new Set(b.map((p) => partitionKey(p.topic, p.partition)));
  return a.filter((p) => !exclude.has(partitionKey(p.topic, p.partition)));
}
