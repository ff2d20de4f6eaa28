// Version ranges of Kafka's message definitions ("0+", "3-5", "7", "none") and the TypeScript
// conditions that test a `version` variable against them.

/** @typedef {{lo: number, hi: number}} Range  (hi is Infinity for open ranges) */

/** Parses a version spec; returns null for "none" or a missing spec. */
export function parseRange(spec, what) {
  if (spec === undefined || spec === null || spec === 'none') return null;
  const s = String(spec).trim();
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { lo: Number(m[1]), hi: Infinity };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) {
    const r = { lo: Number(m[1]), hi: Number(m[2]) };
    if (r.lo > r.hi) throw new Error(`${what}: empty version range "${s}"`);
    return r;
  }
  m = /^(\d+)$/.exec(s);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]) };
  throw new Error(`${what}: cannot parse version range "${s}"`);
}

export function intersect(a, b) {
  if (!a || !b) return null;
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo <= hi ? { lo, hi } : null;
}

/** Smallest range covering both (used when a struct is reached through several fields). */
export function hull(a, b) {
  if (!a) return b;
  if (!b) return a;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export function covers(outer, inner) {
  if (!inner) return true;
  if (!outer) return false;
  return outer.lo <= inner.lo && outer.hi >= inner.hi;
}

export function sameRange(a, b) {
  if (!a || !b) return a === b;
  return a.lo === b.lo && a.hi === b.hi;
}

/**
 * How `range` looks from inside `ctx` (the versions the surrounding code can run at):
 * 'all' when every version of ctx is in range, 'none' when none is, otherwise the condition
 * text to test at run time.
 */
export function condition(range, ctx) {
  const r = intersect(range, ctx);
  if (!r) return 'none';
  if (covers(r, ctx)) return 'all';
  const parts = [];
  if (r.lo === r.hi) return `version === ${r.lo}`;
  if (r.lo > ctx.lo) parts.push(`version >= ${r.lo}`);
  if (r.hi < ctx.hi) parts.push(`version <= ${r.hi}`);
  return parts.join(' && ');
}

export function formatRange(r) {
  if (!r) return 'none';
  if (r.hi === Infinity) return `${r.lo}+`;
  if (r.lo === r.hi) return `${r.lo}`;
  return `${r.lo}-${r.hi}`;
}
