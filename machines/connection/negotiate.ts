/**
 * The negotiating step of a connection: one ApiVersions exchange. We ask with our newest
 * version; a broker that does not know it answers UNSUPPORTED_VERSION in the v0 layout with
 * its own range for ApiVersions, and we ask again with the highest version both know.
 */
import { decodeResponseFrame } from '../../protocol/frame.js';
import { kafkaErrorFor } from '../../protocol/errors/kafka-error.js';
import { ApiVersionsApi, type ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import { ApiVersionTable, clientRange } from './versions.js';
import type { RequestPipeline } from './pipeline.js';
import { UnsupportedApiVersionError } from './errors.js';

/** Kafka's UNSUPPORTED_VERSION error code. */
const UNSUPPORTED_VERSION = 35;

export interface NegotiateOptions {
  readonly timeoutMs: number;
  readonly softwareName: string;
  readonly softwareVersion: string;
}

/** Reads the response at the version asked, or in the v0 layout a broker uses to refuse that version. */
function decodeWithFallback(version: number): (frame: Buffer) => ApiVersionsResponse {
  return (frame) => {
    try {
      const body = decodeResponseFrame(ApiVersionsApi, version, frame).body;
      if (body.errorCode !== UNSUPPORTED_VERSION || version === 0) return body;
    } catch (err) {
      if (version === 0) throw err;
    }
    return decodeResponseFrame(ApiVersionsApi, 0, frame).body;
  };
}

/** Software names may only hold letters, digits, '-' and '.' (KIP-511); others are replaced. */
export function cleanSoftwareField(value: string): string {
  const cleaned = value.replace(/[^a-zA-Z0-9.-]/g, '-').replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  return cleaned.length > 0 ? cleaned : 'unknown';
}

export async function negotiateVersions(pipeline: RequestPipeline, options: NegotiateOptions): Promise<ApiVersionTable> {
  const ours = clientRange(ApiVersionsApi);
  const request = {
    clientSoftwareName: cleanSoftwareField(options.softwareName),
    clientSoftwareVersion: cleanSoftwareField(options.softwareVersion),
  };
  let version = ours.max;
  for (let attempt = 0; attempt < 2; attempt++) {
    const response = await pipeline.send(ApiVersionsApi, version, request, {
      timeoutMs: options.timeoutMs,
      decode: decodeWithFallback(version),
    });
    if (response.errorCode === 0) return ApiVersionTable.fromResponse(response, pipeline.options.broker);
    if (response.errorCode !== UNSUPPORTED_VERSION) throw kafkaErrorFor(response.errorCode);
    const theirs = response.apiKeys.find((a) => a.apiKey === ApiVersionsApi.key);
    const next = theirs ? Math.min(theirs.maxVersion, ours.max) : -1;
    if (!theirs || next < Math.max(theirs.minVersion, ours.min) || next >= version) {
      throw new UnsupportedApiVersionError(
        ApiVersionsApi.name,
        ours,
        theirs ? { min: theirs.minVersion, max: theirs.maxVersion } : null,
        pipeline.options.broker,
      );
    }
    version = next;
  }
  throw new UnsupportedApiVersionError(ApiVersionsApi.name, ours, null, pipeline.options.broker);
}
