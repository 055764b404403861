/** HTTP framing shared by the service and the admin API: bodies, CORS, writing responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messages } from './messages.js';

/** A response ready to write. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The content type of every AWS JSON 1.1 response. */
export const amzJsonContentType = 'application/x-amz-json-1.1';

/** Response header names, spelled as the real service sends them. */
export const headerNames = {
  contentType: 'Content-Type',
  date: 'Date',
  requestId: 'x-amzn-RequestId',
  errorType: 'x-amzn-ErrorType',
  errorMessage: 'x-amzn-ErrorMessage',
  retryAfter: 'Retry-After',
} as const;

/** The headers the real endpoint exposes to browsers. */
export const exposedHeaders = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date';

/** Longest `x-amzn-ErrorMessage` header sent (the body always has the whole message). */
const maxErrorMessageHeaderLength = 2048;

/** Bodies above this size are refused with 413. */
export const maxBodyBytes = 2 * 1024 * 1024;

/** CORS headers of every response, as the real endpoint sends them. */
export function corsHeaders(): Record<string, string> {
  return { 'access-control-allow-origin': '*', 'access-control-expose-headers': exposedHeaders };
}

/** The answer to an `OPTIONS` preflight: 204, echoing the requested headers (or `*`). */
export function preflightResponse(request: IncomingMessage, allowMethods: string): HttpResponse {
  return {
    status: 204,
    headers: {
      ...corsHeaders(),
      'access-control-allow-methods': allowMethods,
      'access-control-allow-headers': headerValue(request, 'access-control-request-headers') ?? '*',
      'access-control-max-age': '86400',
    },
    body: '',
  };
}

/** A header's value (the first one if repeated). */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Makes text safe for a header value: printable Latin-1 only, bounded length. */
export function toHeaderText(text: string): string {
  const safe = text.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');
  return safe.length > maxErrorMessageHeaderLength
    ? `${safe.slice(0, maxErrorMessageHeaderLength - 3)}...`
    : safe;
}

/** Thrown by {@link readBody} when a body exceeds {@link maxBodyBytes}. */
export class BodyTooLargeError extends Error {}

/** Reads a request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBodyBytes) throw new BodyTooLargeError(messages.requestEntityTooLarge(maxBodyBytes));
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON response with CORS headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { ...corsHeaders(), [headerNames.contentType]: 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Writes a response unless the socket is already gone; returns whether it was written. */
export function writeResponse(response: ServerResponse, { status, headers, body }: HttpResponse): boolean {
  if (response.destroyed || response.writableEnded || response.socket?.destroyed !== false) return false;
  response.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(body);
  return true;
}
