/**
 * Loads the golden captures committed under test/fixtures/golden (written by
 * test/tools/capture-golden.ts) for the golden unit tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/repo.js';
import type { GoldenCapture, GoldenFrameEntry } from '../../tools/golden-format.js';

export const goldenRoot = join(repoRoot, 'test', 'fixtures', 'golden');

/** The Kafka versions captured, and the captures made against each. */
export const GOLDEN_KAFKA_VERSIONS = ['4.1.1', '3.9.1', '2.8.2'] as const;
export const GOLDEN_CAPTURE_NAMES = [
  'java-create-topics',
  'kcat-metadata',
  'kcat-produce',
  'kcat-consume',
  'kcat-group',
  'java-produce',
  'java-consume',
] as const;

export interface LoadedFrame extends GoldenFrameEntry {
  /** The frame's bytes (after its size prefix), a view of the capture's file. */
  readonly bytes: Buffer;
}

export interface LoadedCapture extends GoldenCapture {
  readonly loadedFrames: readonly LoadedFrame[];
}

/** Reads one capture and cuts its file into frames, checking the index against the size prefixes. */
export function loadCapture(version: string, name: string): LoadedCapture {
  const dir = join(goldenRoot, version);
  const index = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as GoldenCapture;
  const data = readFileSync(join(dir, index.file));
  let expectedOffset = 4;
  const loadedFrames = index.frames.map((entry) => {
    if (entry.offset !== expectedOffset) {
      throw new Error(`${version}/${name}: frame at ${entry.offset}, expected ${expectedOffset} (frames must be back to back)`);
    }
    const size = data.readInt32BE(entry.offset - 4);
    if (size !== entry.length) throw new Error(`${version}/${name}: size prefix ${size} but index says ${entry.length}`);
    expectedOffset = entry.offset + entry.length + 4;
    return { ...entry, bytes: data.subarray(entry.offset, entry.offset + entry.length) };
  });
  if (expectedOffset - 4 !== data.length) throw new Error(`${version}/${name}: ${data.length - expectedOffset + 4} bytes after the last frame`);
  return { ...index, loadedFrames };
}

/** Every capture of every version; a missing file fails loudly rather than shrinking the test. */
export function loadAllCaptures(): LoadedCapture[] {
  const captures: LoadedCapture[] = [];
  for (const version of GOLDEN_KAFKA_VERSIONS) {
    const present = new Set(readdirSync(join(goldenRoot, version)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)));
    for (const name of GOLDEN_CAPTURE_NAMES) {
      if (!present.has(name)) throw new Error(`golden capture ${version}/${name} is missing; run test/tools/capture-golden.ts`);
      captures.push(loadCapture(version, name));
    }
  }
  return captures;
}
