import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot } from './local-kafka.js';

/** The package version, read once from package.json beside dist/. */
export const version: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(installRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
