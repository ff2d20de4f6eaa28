/**
 * Kafka's framing: every request and response is an int32 size followed by a header and a body.
 * Requests are built in one pass into a chunked Writer (the size is patched at the end) and
 * returned as a list of Buffers for a vectored socket write; responses are decoded from the
 * frames a FrameSplitter cuts out of the socket's byte stream. "Frame" below means the bytes
 * after the size prefix.
 */
import type { ApiDescriptor } from './api.js';
import { FrameTooLargeError, ProtocolDecodeError, UnsupportedVersionError } from './primitives/errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
} from './messages/headers.js';
import { apiByKey } from './messages/registry.js';

function checkApiVersion(api: ApiDescriptor, version: number): void {
  if (!(version >= api.minVersion && version <= api.maxVersion) || (version | 0) !== version) {
    throw new UnsupportedVersionError(`${api.name} has no version ${String(version)} (valid ${api.minVersion}-${api.maxVersion})`);
  }
}

function lookupApi(key: number): ApiDescriptor {
  const api = apiByKey.get(key);
  if (!api) throw new UnsupportedVersionError(`unknown API key ${key}`);
  return api;
}

/** A size-prefixed request frame, ready for `socket.write` of each Buffer (or writev). */
export function encodeRequestFrame<Req>(
  api: ApiDescriptor<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Req,
): Buffer[] {
  checkApiVersion(api, version);
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, api.requestHeaderVersions[version], {
    requestApiKey: api.key,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  api.encodeRequest(w, version, body);
  w.patchInt32(size, w.length - 4);
  return w.toBuffers();
}

/** A size-prefixed response frame (what a broker sends; used by test brokers and tools). */
export function encodeResponseFrame<Res>(
  api: ApiDescriptor<unknown, Res>,
  version: number,
  correlationId: number,
  body: Res,
): Buffer[] {
  checkApiVersion(api, version);
  const w = new Writer();
  const size = w.reserveInt32();
  encodeResponseHeader(w, api.responseHeaderVersions[version], { correlationId });
  api.encodeResponse(w, version, body);
  w.patchInt32(size, w.length - 4);
  return w.toBuffers();
}

/** The correlation id that starts every response frame, to find the request it answers. */
export function readCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolDecodeError(`response frame of ${frame.length} bytes (no correlation id)`, 0);
  return frame.readInt32BE(0);
}

function checkConsumed(r: Reader, what: string): void {
  if (r.remaining() !== 0) throw new ProtocolDecodeError(`${what} (${r.remaining()} trailing bytes)`, r.offset);
}

export interface DecodedResponse<Res> {
  correlationId: number;
  body: Res;
}

/**
 * Decodes a response frame for the API and version of the request it answers, using the
 * response header version that API version calls for (v0 always for ApiVersions, so a client
 * can read the answer whatever version it asked for). Byte fields of the body are subarrays of
 * `frame`.
 */
export function decodeResponseFrame<Res>(api: ApiDescriptor<unknown, Res>, version: number, frame: Buffer): DecodedResponse<Res>;
export function decodeResponseFrame(apiKey: number, version: number, frame: Buffer): DecodedResponse<unknown>;
export function decodeResponseFrame(
  apiOrKey: ApiDescriptor | number,
  version: number,
  frame: Buffer,
): DecodedResponse<unknown> {
  const api = typeof apiOrKey === 'number' ? lookupApi(apiOrKey) : apiOrKey;
  checkApiVersion(api, version);
  const r = new Reader(frame);
  const header = decodeResponseHeader(r, api.responseHeaderVersions[version]);
  const body = api.decodeResponse(r, version);
  checkConsumed(r, `${api.name} response v${version}`);
  return { correlationId: header.correlationId, body };
}

export interface DecodedRequest {
  api: ApiDescriptor;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  body: unknown;
}

/** Decodes a request frame as a broker would (for test brokers and protocol tools). */
export function decodeRequestFrame(frame: Buffer): DecodedRequest {
  if (frame.length < 4) throw new ProtocolDecodeError(`request frame of ${frame.length} bytes (no api key and version)`, 0);
  const api = lookupApi(frame.readInt16BE(0));
  const apiVersion = frame.readInt16BE(2);
  checkApiVersion(api, apiVersion);
  const r = new Reader(frame);
  const header = decodeRequestHeader(r, api.requestHeaderVersions[apiVersion]);
  const body = api.decodeRequest(r, apiVersion);
  checkConsumed(r, `${api.name} request v${apiVersion}`);
  return { api, apiVersion, correlationId: header.correlationId, clientId: header.clientId ?? null, body };
}

/**
 * Cuts a socket byte stream into frames. Complete frames inside one chunk are returned as
 * subarrays of it (no copy); a frame split across chunks is joined once, when its last byte
 * arrives. A size above `maxFrameSize` (or a negative one) throws FrameTooLargeError before any
 * of it is buffered; after an error the stream is unusable and the connection should close.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Size of the frame being collected in `pending`, once its prefix is complete. */
  private nextSize = -1;

  constructor(readonly maxFrameSize: number) {
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < 0) {
      throw new RangeError(`maxFrameSize must be a non-negative integer, got ${maxFrameSize}`);
    }
  }

  /** Bytes received but not yet part of a returned frame. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Feeds bytes; returns the frames completed by them, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let data = chunk;
    if (this.pendingLength > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (this.nextSize < 0) {
        if (this.pendingLength < 4) return frames;
        const head = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
        this.nextSize = this.checkSize(head.readInt32BE(0));
      }
      if (this.pendingLength < 4 + this.nextSize) return frames;
      data = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
      this.nextSize = -1;
    }
    let off = 0;
    while (data.length - off >= 4) {
      const size = this.checkSize(data.readInt32BE(off));
      if (data.length - off - 4 < size) break;
      frames.push(data.subarray(off + 4, off + 4 + size));
      off += 4 + size;
    }
    if (off < data.length) {
      const rest = data.subarray(off);
      this.pending = [rest];
      this.pendingLength = rest.length;
      this.nextSize = rest.length >= 4 ? rest.readInt32BE(0) : -1;
    }
    return frames;
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameSize) throw new FrameTooLargeError(size, this.maxFrameSize);
    return size;
  }
}
