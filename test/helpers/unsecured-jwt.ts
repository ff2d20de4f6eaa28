/**
 * Unsecured JWTs (RFC 7519 section 6) as Kafka's built-in OAUTHBEARER validator accepts them:
 * header {"alg":"none"}, claims sub/iat/exp (in seconds), base64url parts and an empty signature.
 */
export interface UnsecuredJwtClaims {
  readonly sub: string;
  /** Seconds since the epoch; defaults to now. */
  readonly iat?: number;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly scope?: string;
}

const part = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function unsecuredJwt(claims: UnsecuredJwtClaims): string {
  return `${part({ alg: 'none' })}.${part({ iat: Math.floor(Date.now() / 1000), ...claims })}.`;
}

/** A token for `sub` valid from a moment ago for `lifetimeMs`. */
export function freshJwt(sub: string, lifetimeMs: number): string {
  const now = Math.floor(Date.now() / 1000);
  // iat a second in the past: the broker refuses tokens issued in its future.
  return unsecuredJwt({ sub, iat: now - 1, exp: now + Math.ceil(lifetimeMs / 1000) });
}
