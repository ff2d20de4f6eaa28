/**
 * Ratios of this project to a peer, oriented so that > 1 always means this project is better:
 * ours/theirs for a higher-is-better metric (throughput), theirs/ours for a lower-is-better
 * one (time, memory). A reader of any ratio then needs no table of directions.
 */
import type { Better } from './scenario.js';

/** The oriented ratio of two medians, or null when it has no finite positive value. */
export function advantage(ours: number, theirs: number, better: Better): number | null {
  const ratio = better === 'higher' ? ours / theirs : theirs / ours;
  return Number.isFinite(ratio) && ratio > 0 ? ratio : null;
}

/**
 * The key of a ratio in results: `<candidate>/<metric>`. Candidate names may contain '/'
 * ('@platformatic/kafka'); metric names may not, so the last '/' separates the two.
 */
export function ratioKey(candidate: string, metric: string): string {
  return `${candidate}/${metric}`;
}

export function splitRatioKey(key: string): { candidate: string; metric: string } {
  const at = key.lastIndexOf('/');
  if (at <= 0) throw new RangeError(`ratio key '${key}' has no '<candidate>/<metric>' form`);
  return { candidate: key.slice(0, at), metric: key.slice(at + 1) };
}
