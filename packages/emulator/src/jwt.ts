/** Minimal compact-JWT helpers (JWS compact serialisation) over node:crypto signatures. */

/** A JSON object as decoded from a token segment. */
export type JsonObject = Record<string, unknown>;

/** A compact JWT split into its parts. */
export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Encodes text or bytes as unpadded base64url. */
export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Builds `base64url(header).base64url(payload).base64url(sign(signingInput))`. */
export function encodeJwt(
  header: JsonObject,
  payload: JsonObject,
  sign: (signingInput: string) => Buffer,
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(sign(signingInput))}`;
}

const segmentPattern = /^[A-Za-z0-9_-]+$/;

/** Splits and decodes a compact JWT; `undefined` when it is not one. Does not verify anything. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (![headerPart, payloadPart, signaturePart].every((part) => segmentPattern.test(part))) return undefined;
  const header = parseJsonObject(Buffer.from(headerPart, 'base64url').toString('utf8'));
  const payload = parseJsonObject(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  if (!header || !payload) return undefined;
  return {
    header,
    payload,
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

/** Parses JSON text that must be an object; `undefined` otherwise. */
export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
