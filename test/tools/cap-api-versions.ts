/**
 * Lowers the API versions a broker advertises to the ones our generated definitions know, so
 * a client newer than the definitions (Kafka 4.1's Java client uses Metadata v13, Produce v13
 * and Fetch v18; the definitions are Kafka 4.0's) talks in versions we can decode. This is the
 * same negotiation our own client does: the highest version both sides support.
 */
import { decodeResponseFrame, encodeResponseFrame } from '../../protocol/frame.js';
import { ApiVersionsApi, type ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import { apiByKey } from '../../protocol/messages/registry.js';
import type { RecordedFrame } from './recording-proxy.js';

export interface VersionCap {
  /** e.g. "Metadata 13 -> 12", or "key 90 (unknown) dropped". */
  readonly note: string;
}

/**
 * For an ApiVersions response frame that advertises something our definitions lack, the
 * replacement frame and what was changed; otherwise undefined (forward it unchanged).
 */
export function capApiVersions(frame: RecordedFrame): { frame: Buffer; caps: VersionCap[] } | undefined {
  if (frame.direction !== 'response' || frame.apiKey !== ApiVersionsApi.key) return undefined;
  const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, frame.apiVersion, frame.frame) as {
    correlationId: number;
    body: ApiVersionsResponse;
  };
  if (body.errorCode !== 0) return undefined;
  const caps: VersionCap[] = [];
  const apiKeys = body.apiKeys.flatMap((entry) => {
    const ours = apiByKey.get(entry.apiKey);
    if (!ours || entry.minVersion > ours.maxVersion) {
      caps.push({ note: `key ${entry.apiKey} (${ours?.name ?? 'unknown'}) ${entry.minVersion}-${entry.maxVersion} dropped` });
      return [];
    }
    if (entry.maxVersion <= ours.maxVersion) return [entry];
    caps.push({ note: `${ours.name} ${entry.maxVersion} -> ${ours.maxVersion}` });
    return [{ ...entry, maxVersion: ours.maxVersion }];
  });
  if (caps.length === 0) return undefined;
  const encoded = Buffer.concat(encodeResponseFrame(ApiVersionsApi, frame.apiVersion, correlationId, { ...body, apiKeys }));
  return { frame: encoded.subarray(4), caps };
}
