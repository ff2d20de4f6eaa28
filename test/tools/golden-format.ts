/**
 * The layout of the golden fixtures under test/fixtures/golden/<kafka version>/, shared by the
 * capture script that writes them and the unit test that reads them, plus the fixed records
 * the capture's clients are given (so the test knows what the record batches must hold).
 */

export type GoldenClient = 'kcat' | 'java';

/** Codec names as both kcat (-z) and the Java client (compression.type) spell them. */
export const GOLDEN_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type GoldenCodec = (typeof GOLDEN_CODECS)[number];

export const GOLDEN_RECORDS_PER_TOPIC = 3;

export interface GoldenRecord {
  readonly key: string;
  readonly value: string;
}

/** One topic per client and codec, so every batch in it was written with that codec. */
export function goldenTopic(client: GoldenClient, codec: string): string {
  return `golden-${client}-${codec}`;
}

/** What a client produced into its topic for `codec`, in order (offset i holds element i). */
export function expectedGoldenRecords(client: GoldenClient, codec: string): GoldenRecord[] {
  return Array.from({ length: GOLDEN_RECORDS_PER_TOPIC }, (_, i) => ({ key: `key-${i}`, value: `${client}-${codec}-value-${i}` }));
}

export interface GoldenFrameEntry {
  readonly direction: 'request' | 'response';
  /** The client connection (in accept order) that carried the frame. */
  readonly connection: number;
  readonly apiKey: number;
  readonly api: string;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** Where the frame (after its int32 size prefix) starts in the .bin file, and its length. */
  readonly offset: number;
  readonly length: number;
}

export interface GoldenTopic {
  readonly codec: string;
  readonly records: readonly GoldenRecord[];
}

/** The JSON index of one capture; its frames are in `file`, next to it. */
export interface GoldenCapture {
  readonly name: string;
  readonly client: GoldenClient;
  readonly clientVersion: string;
  readonly kafkaVersion: string;
  readonly description: string;
  /**
   * APIs whose advertised versions the capture proxy lowered to our definitions' maximum
   * before the client saw the broker's ApiVersions answer (e.g. "Metadata 13 -> 12").
   */
  readonly versionCaps: readonly string[];
  readonly file: string;
  /** Topics whose record batches appear in this capture, with what they must contain. */
  readonly topics: Readonly<Record<string, GoldenTopic>>;
  readonly frames: readonly GoldenFrameEntry[];
}
