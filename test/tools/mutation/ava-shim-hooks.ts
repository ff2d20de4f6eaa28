/**
 * Module resolution hook for the mutation run: `import test from 'ava'` in a compiled test
 * file resolves to the node:test based shim next to this file (see ava-shim.ts).
 */
const shimUrl = new URL('./ava-shim.js', import.meta.url).href;

interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
}

export function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => ResolveResult | Promise<ResolveResult>,
): ResolveResult | Promise<ResolveResult> {
  if (specifier === 'ava') return { url: shimUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
