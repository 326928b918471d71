/**
 * Who is calling: Slurm-compatible JWTs, verified here before anything reaches Slurm.
 *
 * slurmctld closes the connection on a token it rejects, so a client library only sees "Zero
 * Bytes were transmitted or received", indistinguishable from a network fault; verifying here is
 * what turns a bad token into a clear 401. Tokens are as `scontrol token` issues them (HS256 with
 * the cluster's jwt_hs256.key, claims `sun`, `iat`, `exp`), or RS256 from a JWKS file (an OIDC provider's). The
 * verified token itself is what the executors hand to Slurm, which checks it again and enforces
 * that user's permissions: this module decides who may try, Slurm decides what they may do.
 */
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { GatewayError } from '../errors.js';
import type { Identity } from '../context.js';
import { lookupAccount } from './accounts.js';
import { callerPolicy, callerProblem, type CallerPolicy } from './callers.js';
import { noLocalAccount } from '../slurm/identity.js';

export interface AuthSettings {
  /** Raw bytes of Slurm's jwt_hs256.key (AuthAltParameters=jwt_key=…): accepts HS256 tokens. */
  hs256Key?: Uint8Array;
  /** A JWKS document (e.g. an OIDC provider's): accepts RS256 tokens signed by its keys. */
  jwks?: JSONWebKeySet;
}

/** Headers that carry a token, in the forms slurmrestd and OAuth clients send. */
export interface TokenHeaders {
  authorization?: string;
  'x-slurm-user-token'?: string;
  'x-slurm-user-name'?: string;
}

const MAX_TOKEN = 8192;
/** Verified tokens remembered (Authenticator): at most 8 MB of token text (MAX_TOKEN each). */
const VERIFIED_TOKENS = 1_000;
/** Seconds a token's `iat` may lie ahead of this host's clock (clocks drift a little, not hours). */
export const CLOCK_SKEW_S = 60;
/** POSIX portable user names, as Slurm resolves them with getpwnam(). */
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/;

const unauthorized = (message: string) => new GatewayError('unauthorized', message);

export function readAuthSettings(options: { jwtKey?: string; jwks?: string }): AuthSettings {
  const settings: AuthSettings = {};
  if (options.jwtKey) {
    const key = readFileSync(options.jwtKey);
    if (key.length < 16) throw new Error(`--jwt-key ${options.jwtKey}: the key is ${key.length} bytes; Slurm's jwt_hs256.key is at least 16`);
    settings.hs256Key = new Uint8Array(key);
  }
  if (options.jwks) {
    const jwks = JSON.parse(readFileSync(options.jwks, 'utf8')) as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) throw new Error(`--jwks ${options.jwks}: expected a JWKS document with a non-empty "keys" array`);
    settings.jwks = jwks;
  }
  return settings;
}

/**
 * Verifies tokens. A token that verified is remembered (the token text, its user and `exp`; at
 * most VERIFIED_TOKENS, the oldest forgotten first) until it expires: the same text with the same
 * key verifies the same way, and clients send one token with every request, so its signature is
 * checked once, not per request (with HS256 that was a key import and an HMAC on libuv's pool per
 * request). Everything that depends on the request or the clock is checked every time: `exp`,
 * X-SLURM-USER-NAME, the local account and the caller policy.
 */
export class Authenticator {
  readonly #hs256?: Uint8Array;
  /** The HS256 key imported once (jose imports a raw key again on every verification). */
  #hs256Key?: Promise<webcrypto.CryptoKey>;
  readonly #jwks?: ReturnType<typeof createLocalJWKSet>;
  readonly #accepted: string[];
  readonly #verified = new Map<string, { user: string; exp: number }>();

  readonly #callers: CallerPolicy;

  constructor(settings: AuthSettings, callers: CallerPolicy = callerPolicy()) {
    this.#callers = callers;
    this.#hs256 = settings.hs256Key;
    this.#jwks = settings.jwks && createLocalJWKSet(settings.jwks);
    this.#accepted = [...(this.#hs256 ? ['HS256'] : []), ...(this.#jwks ? ['RS256'] : [])];
    if (!this.#accepted.length) throw new Error('--auth=jwt needs --jwt-key (HS256, Slurm\'s jwt_hs256.key) or --jwks (RS256)');
  }

  /**
   * The caller's identity, from a verified token.
   * @throws GatewayError 401 for a missing, malformed, unsigned, wrongly signed or expired token;
   *   403 for a valid token of an identity the gateway never acts as (root, no local account).
   */
  async authenticate(headers: TokenHeaders): Promise<Required<Identity>> {
    const token = tokenOf(headers);
    const claimed = this.#remembered(token) ?? await this.#verify(token);
    const asked = headers['x-slurm-user-name'];
    if (asked !== undefined && asked !== claimed) {
      throw unauthorized(`The token is for user ${claimed}, but X-SLURM-USER-NAME says ${JSON.stringify(asked.slice(0, 64))}; this gateway does not act for other users`);
    }
    const account = await lookupAccount(claimed).catch((error: unknown) => {
      throw new GatewayError('scheduler_unavailable', `Cannot look up user ${claimed}: ${(error as Error).message}`);
    });
    if (!account) throw noLocalAccount(claimed);
    const refused = callerProblem(account, this.#callers);
    if (refused) throw new GatewayError('forbidden', refused);
    return { user: claimed, token };
  }

  /** The user of a token that verified before and has not expired since (as jose judges `exp`: expired at `exp`). */
  #remembered(token: string): string | undefined {
    const hit = this.#verified.get(token);
    if (!hit) return undefined;
    if (hit.exp > Date.now() / 1000) return hit.user;
    this.#verified.delete(token); // verified again below, which says it expired
    return undefined;
  }

  /** Verifies the token's signature and claims; remembers it; returns its user. */
  async #verify(token: string): Promise<string> {
    let alg: string | undefined;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      throw unauthorized('The token is not a JWT (header.payload.signature)');
    }
    if (!alg || alg.toLowerCase() === 'none') throw unauthorized('Unsigned tokens (alg "none") are refused');
    if (!this.#accepted.includes(alg)) {
      // The token goes on to slurmctld, whose auth/jwt (22.05) verifies HS256 and, from its JWKS,
      // RS256 only: a token Slurm cannot verify is refused here rather than failing there.
      throw unauthorized(`Tokens signed with ${alg} are not accepted; this gateway accepts ${this.#accepted.join(', ')}${alg.startsWith('ES') ? ' (Slurm\'s auth/jwt cannot verify ES tokens, so they could not be passed on)' : ''}`);
    }

    // slurmctld 22.05 finds an RS256 key by its kid only, and drops the connection of a token
    // without one: refuse it here, where the caller can be told why.
    if (alg === 'RS256' && !kid) throw unauthorized('RS256 tokens must name their key ("kid" in the header), as Slurm looks the key up by it');

    let payload: JWTPayload;
    try {
      const options = { algorithms: [alg], requiredClaims: ['exp'] };
      payload = alg === 'HS256'
        ? (await jwtVerify(token, await this.#hmacKey(), options)).payload
        : (await jwtVerify(token, this.#jwks!, options)).payload;
    } catch (error) {
      throw unauthorized(reason(error));
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_SKEW_S) {
      throw unauthorized(`The token was issued in the future (iat ${new Date(payload.iat * 1000).toISOString()}); check the issuer's clock`);
    }
    const claimed = typeof payload.sun === 'string' ? payload.sun : typeof payload.username === 'string' ? payload.username : undefined;
    if (!claimed) throw unauthorized('The token names no user (claim "sun", as scontrol token issues, or "username")');
    if (!USER_NAME.test(claimed)) throw unauthorized('The token\'s user name is not a valid user name');
    if (typeof payload.exp === 'number') {
      if (this.#verified.size >= VERIFIED_TOKENS) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(token, { user: claimed, exp: payload.exp });
    }
    return claimed;
  }

  #hmacKey(): Promise<webcrypto.CryptoKey> {
    this.#hs256Key ??= webcrypto.subtle.importKey('raw', this.#hs256!, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    return this.#hs256Key;
  }
}

function tokenOf(headers: TokenHeaders): string {
  const bearer = headers.authorization;
  const slurm = headers['x-slurm-user-token'];
  let token: string | undefined;
  if (bearer !== undefined) {
    const match = /^Bearer +([^ ]+) *$/i.exec(bearer);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <token>"');
    token = match[1];
  }
  if (slurm !== undefined) {
    if (token !== undefined && token !== slurm) throw unauthorized('Authorization and X-SLURM-USER-TOKEN carry different tokens');
    token = slurm.trim();
  }
  if (!token) throw unauthorized('A token is required: send "Authorization: Bearer <token>" or X-SLURM-USER-TOKEN (scontrol token prints one)');
  if (token.length > MAX_TOKEN) throw unauthorized(`The token is longer than ${MAX_TOKEN} characters`);
  return token;
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : '';
    return `The token expired${exp}; get a new one (scontrol token)`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token\'s signature does not verify: it was not signed with this cluster\'s key';
  if (error instanceof errors.JWKSNoMatchingKey) return 'No key in the gateway\'s JWKS matches the token';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's "${error.claim}" claim is invalid: ${error.reason === 'missing' ? 'missing' : error.message}`;
  if (error instanceof errors.JOSEError) return `The token is invalid: ${error.message}`;
  return 'The token is invalid';
}

/** When a token the Authenticator accepted expires (its required `exp`), epoch ms; undefined for anything else. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
