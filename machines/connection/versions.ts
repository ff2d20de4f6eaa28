/**
 * API version negotiation: what this client implements (from the generated registry) against
 * what a broker advertises in its ApiVersions response. Each request uses the highest version
 * both sides support. Kafka 4 removed many old versions, so nothing here assumes a version
 * exists: an API with no common version fails with an error naming both ranges.
 */
import type { ApiDescriptor } from '../../protocol/api.js';
import type { ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import { allApis } from '../../protocol/messages/registry.js';
import { UnsupportedApiVersionError } from './errors.js';

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** The versions of an API this client can send: the unstable newest version is left out. */
export function clientRange(api: ApiDescriptor): VersionRange {
  const max = api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion;
  return { min: api.minVersion, max: Math.max(api.minVersion, max) };
}

export interface NegotiatedApi {
  readonly api: ApiDescriptor;
  readonly client: VersionRange;
  /** null when the broker does not advertise the API. */
  readonly broker: VersionRange | null;
  /** Highest common version, or null when there is none. */
  readonly version: number | null;
}

function intersect(a: VersionRange, b: VersionRange): number | null {
  const hi = Math.min(a.max, b.max);
  return hi >= Math.max(a.min, b.min) ? hi : null;
}

export class ApiVersionTable {
  private readonly brokerRanges: ReadonlyMap<number, VersionRange>;

  constructor(
    brokerApis: ReadonlyArray<{ readonly apiKey: number; readonly minVersion: number; readonly maxVersion: number }>,
    /** Broker address for error messages. */
    readonly broker?: string,
  ) {
    this.brokerRanges = new Map(brokerApis.map((a) => [a.apiKey, { min: a.minVersion, max: a.maxVersion }]));
  }

  static fromResponse(response: ApiVersionsResponse, broker?: string): ApiVersionTable {
    return new ApiVersionTable(response.apiKeys, broker);
  }

  brokerRange(apiKey: number): VersionRange | null {
    return this.brokerRanges.get(apiKey) ?? null;
  }

  /**
   * The version to send `api` with: the highest both sides support, optionally narrowed by the
   * caller (a machine that needs a feature of v3+ asks for {min: 3}).
   */
  pick(api: ApiDescriptor, wanted?: Partial<VersionRange>): number {
    const ours = clientRange(api);
    const client = { min: Math.max(ours.min, wanted?.min ?? ours.min), max: Math.min(ours.max, wanted?.max ?? ours.max) };
    const broker = this.brokerRange(api.key);
    const version = broker ? intersect(client, broker) : null;
    if (version === null) throw new UnsupportedApiVersionError(api.name, client, broker, this.broker);
    return version;
  }

  /** Whether `pick` would succeed. */
  supports(api: ApiDescriptor, wanted?: Partial<VersionRange>): boolean {
    try {
      this.pick(api, wanted);
      return true;
    } catch {
      return false;
    }
  }

  /** Every API this client implements, with the broker's range and the version that will be used. */
  entries(apis: readonly ApiDescriptor[] = allApis): NegotiatedApi[] {
    return apis.map((api) => {
      const client = clientRange(api);
      const broker = this.brokerRange(api.key);
      return { api, client, broker, version: broker ? intersect(client, broker) : null };
    });
  }
}
