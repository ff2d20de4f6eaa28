/**
 * The shape of one Kafka API as the generated registry describes it (protocol/messages/),
 * so code that sends or serves requests can work with any API through one type.
 */
import type { Reader } from './primitives/reader.js';
import type { Writer } from './primitives/writer.js';

export interface ApiDescriptor<Req = unknown, Res = unknown> {
  readonly key: number;
  /** Kafka's API name without Request/Response, e.g. 'ApiVersions'. */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First version with flexible encoding (compact types, tagged fields), or null if none has it. */
  readonly flexibleMinVersion: number | null;
  /** The highest version is still in development; brokers do not advertise it. */
  readonly latestVersionUnstable: boolean;
  /** Request header version to use, indexed by API version. */
  readonly requestHeaderVersions: readonly number[];
  /** Response header version to expect, indexed by API version (always 0 for ApiVersions). */
  readonly responseHeaderVersions: readonly number[];
  encodeRequest(w: Writer, version: number, m: Req): void;
  decodeRequest(r: Reader, version: number): Req;
  encodeResponse(w: Writer, version: number, m: Res): void;
  decodeResponse(r: Reader, version: number): Res;
}

export type RequestOf<A> = A extends ApiDescriptor<infer Req, unknown> ? Req : never;
export type ResponseOf<A> = A extends ApiDescriptor<unknown, infer Res> ? Res : never;
