/**
 * What every SASL mechanism provides: the client side of a challenge/response exchange. The
 * connection carries each message in a SaslAuthenticate request and hands the broker's answer
 * back to `next` until the mechanism has nothing more to say.
 */

export const SaslMechanismName = {
  plain: 'PLAIN',
  scramSha256: 'SCRAM-SHA-256',
  scramSha512: 'SCRAM-SHA-512',
  oauthBearer: 'OAUTHBEARER',
} as const;
export type SaslMechanismName = (typeof SaslMechanismName)[keyof typeof SaslMechanismName];

/** A bearer token from the application's token provider (KIP-255). */
export interface OAuthBearerToken {
  readonly value: string;
  /** SASL extensions sent with the token (KIP-342), e.g. a logical cluster id. */
  readonly extensions?: Readonly<Record<string, string>>;
}

/** Called before every (re-)authentication, so a token can be renewed before it expires. */
export type OAuthBearerTokenProvider = () => Promise<OAuthBearerToken>;

export type SaslConfig =
  | { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'OAUTHBEARER'; readonly tokenProvider: OAuthBearerTokenProvider; readonly principal?: string };

export interface SaslExchange {
  readonly mechanism: SaslMechanismName;
  /** The user being authenticated, for error messages; null when the mechanism has none. */
  readonly user: string | null;
  /** The first client message. */
  start(): Promise<Buffer>;
  /**
   * The reply to a server message, or null when the exchange is complete. Throws
   * SaslAuthenticationError when the server's message proves something is wrong (a SCRAM
   * server signature that does not verify).
   */
  next(serverMessage: Buffer): Buffer | null;
}
