import { randomBytes, randomInt } from 'node:crypto';

/** Temporary credentials as GetCredentialsForIdentity sends them (note `SecretKey`, epoch-second `Expiration`). */
export interface WireCredentials {
  AccessKeyId: string;
  SecretKey: string;
  SessionToken: string;
  /** Epoch seconds (a JSON number; fractional when the clock is not on a whole second). */
  Expiration: number;
}

const upperAlphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomString(alphabet: string, length: number): string {
  let result = '';
  for (let index = 0; index < length; index++) result += alphabet[randomInt(alphabet.length)];
  return result;
}

/**
 * Fake STS session credentials: `ASIA` + 16 uppercase alphanumerics, a 40-character secret, an
 * opaque session token, expiring `ttlSeconds` after `now` (epoch ms on the service clock).
 */
export function issueCredentials(now: number, ttlSeconds: number): WireCredentials {
  return {
    AccessKeyId: `ASIA${randomString(upperAlphanumeric, 16)}`,
    SecretKey: randomString(secretAlphabet, 40),
    SessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(480).toString('base64')}`,
    Expiration: (now + ttlSeconds * 1000) / 1000,
  };
}
