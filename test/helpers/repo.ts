import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** The repository root, found from this file's place (dist/test/helpers or test/helpers). */
export const repoRoot: string = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${'/dist/'}`) ? resolve(here, '../../..') : resolve(here, '../..');
})();
