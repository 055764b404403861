/**
 * Reads a JWT's claims without verifying it — only to route a token (its issuer, its subject,
 * its expiry), never to trust it: the service verifies every token it is sent.
 * Runtime-agnostic: no `atob`, `Buffer` or `TextDecoder`.
 */
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64UrlToText(input: string): string {
  let bits = 0;
  let value = 0;
  let percent = '';
  for (const char of input.replace(/=+$/, '')) {
    const digit = BASE64URL.indexOf(char === '+' ? '-' : char === '/' ? '_' : char);
    if (digit < 0) throw new Error('not base64url');
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      percent += `%${((value >> bits) & 0xff).toString(16).padStart(2, '0')}`;
    }
  }
  return decodeURIComponent(percent);
}

/** The claims of a compact JWT, or `undefined` when `token` is not one. */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(base64UrlToText(parts[1]));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A JWT's `exp` in epoch ms, or `undefined`. */
export function jwtExpiresAt(token: string): number | undefined {
  const exp = decodeJwtClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
