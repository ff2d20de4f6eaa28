/**
 * Sending one admin request at the version the broker and we agree on, with a body built for
 * that version: several admin APIs changed shape between versions (DeleteTopics names became
 * topic states in v6, OffsetFetch moved to a list of groups in v8, ListOffsets v0 answers with
 * an array), so the caller must know the version before it builds the request.
 */
import type { ApiDescriptor } from '../../protocol/api.js';
import { negotiatedVersion } from '../connection/connection-client.js';
import type { VersionRange } from '../connection/versions.js';
import { Lane, type ClusterClient } from '../cluster/cluster-client.js';
import { ClusterNotReadyError } from './errors.js';
import type { Deadline } from './deadline.js';

export async function sendAdminRequest<Req, Res>(
  cluster: ClusterClient,
  nodeId: number,
  api: ApiDescriptor<Req, Res>,
  build: (version: number) => Req,
  deadline: Deadline,
  wanted?: Partial<VersionRange>,
): Promise<{ version: number; response: Res }> {
  const version = await negotiatedVersion(cluster.connection(nodeId, Lane.control), api, deadline.remaining(), wanted);
  const response = await cluster.request(nodeId, Lane.control, api, build(version), {
    timeoutMs: deadline.remaining(),
    versions: { min: version, max: version },
  });
  return { version, response };
}

/** Waits for the cluster's first metadata; a cluster that cannot bootstrap in time is not ready. */
export async function clusterReady(cluster: ClusterClient, deadline: Deadline): Promise<void> {
  try {
    await cluster.whenReady(deadline.remaining());
  } catch (error) {
    throw new ClusterNotReadyError(deadline.timeoutMs, error);
  }
}

/** Whether a failed request (not a per-item error code) may succeed when sent again. */
export function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown })?.retriable === true;
}
