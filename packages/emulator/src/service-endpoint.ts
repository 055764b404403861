/**
 * The service over HTTP: reads the request, applies injected faults, asks the core, frames the
 * result as AWS JSON 1.1 (headers, status codes) and records the call.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from './core.js';
import type { Delays } from './delays.js';
import { ServiceError, type StatusCodeMode, statusCodeFor } from './errors.js';
import type { AnsweringFault, FaultQueue } from './faults.js';
import {
  amzJsonContentType,
  corsHeaders,
  type HttpResponse,
  headerNames,
  headerValue,
  readBody,
  toHeaderText,
  writeResponse,
} from './http.js';
import type { JsonObject } from './jwt.js';
import { type ErrorType, messages } from './messages.js';
import { operationNameOf, parseBodyLeniently } from './service.js';
import {
  assumeRoleWithWebIdentityXml,
  isStsRequest,
  StsError,
  stsActionOf,
  stsErrorXml,
  stsMessages,
  tokenSubjectOf,
} from './sts.js';
import type { CallRecord } from './types.js';

/** What the service endpoint needs. */
export interface ServiceEndpointDependencies {
  readonly core: EmulatorCore;
  readonly faults: FaultQueue;
  readonly calls: CallRecord[];
  readonly statusCodes: StatusCodeMode;
  readonly delays: Delays;
  readonly log?: ((line: string) => void) | undefined;
}

/** What to send: a response (and the error type it carries), or nothing at all. */
type Answer = { response: HttpResponse; errorType?: ErrorType | string } | 'drop';

/** The content type of STS (awsQuery) responses. */
export const xmlContentType = 'text/xml';

/** The headers of every service response: CORS, content type, request ID and `Date` on the service clock. */
export function baseHeaders(requestId: string, now: number): Record<string, string> {
  return {
    ...corsHeaders(),
    [headerNames.contentType]: amzJsonContentType,
    [headerNames.requestId]: requestId,
    [headerNames.date]: new Date(now).toUTCString(),
  };
}

/** The AWS JSON 1.1 error response: `{"__type","message"}` and `x-amzn-ErrorType: <Name>:`. */
export function errorResponse(
  error: ServiceError,
  statusCodes: StatusCodeMode,
  headers: Record<string, string>,
): HttpResponse {
  return {
    status: statusCodeFor(error.type, statusCodes),
    headers: {
      ...headers,
      [headerNames.errorType]: `${error.type}:`,
      [headerNames.errorMessage]: toHeaderText(error.message),
    },
    body: JSON.stringify({ __type: error.type, message: error.message }),
  };
}

function defaultFaultBody(status: number): string {
  if (status >= 200 && status < 300) return '';
  return `<html><head><title>${status}</title></head><body><h1>${status} Injected fault</h1></body></html>`;
}

/** The answer of a service error. */
function errorAnswer(
  error: ServiceError,
  statusCodes: StatusCodeMode,
  headers: Record<string, string>,
): Answer {
  return { response: errorResponse(error, statusCodes, headers), errorType: error.type };
}

function faultAnswer(
  fault: AnsweringFault,
  statusCodes: StatusCodeMode,
  headers: Record<string, string>,
): Answer {
  switch (fault.kind) {
    case 'throttle': {
      const throttleHeaders: Record<string, string> = { ...headers };
      if (fault.retryAfterSeconds !== undefined) {
        throttleHeaders[headerNames.retryAfter] = String(fault.retryAfterSeconds);
      }
      return errorAnswer(
        new ServiceError('TooManyRequestsException', messages.rateExceeded),
        statusCodes,
        throttleHeaders,
      );
    }
    case 'internal':
      return errorAnswer(
        new ServiceError('InternalErrorException', messages.internalError),
        statusCodes,
        headers,
      );
    case 'status': {
      const success = fault.status >= 200 && fault.status < 300;
      const contentType = fault.contentType ?? (success ? amzJsonContentType : 'text/html; charset=utf-8');
      const response: HttpResponse = {
        status: fault.status,
        headers: { ...headers, [headerNames.contentType]: contentType },
        body: fault.body ?? defaultFaultBody(fault.status),
      };
      return { response };
    }
    case 'drop':
      return 'drop';
  }
}

/** The answer of an STS error: its XML, status and `text/xml`. */
function stsErrorAnswer(error: StsError, requestId: string, headers: Record<string, string>): Answer {
  return {
    response: {
      status: error.status,
      headers: { ...headers, [headerNames.contentType]: xmlContentType },
      body: stsErrorXml(error, requestId),
    },
    errorType: error.code,
  };
}

/** A fault on an STS request: throttling and internal errors in STS's own XML. */
function stsFaultAnswer(
  fault: AnsweringFault,
  statusCodes: StatusCodeMode,
  requestId: string,
  headers: Record<string, string>,
): Answer {
  switch (fault.kind) {
    case 'throttle': {
      const throttleHeaders: Record<string, string> = { ...headers };
      if (fault.retryAfterSeconds !== undefined) {
        throttleHeaders[headerNames.retryAfter] = String(fault.retryAfterSeconds);
      }
      const status = statusCodes === 'model' ? 429 : 400;
      return stsErrorAnswer(
        new StsError('Throttling', stsMessages.rateExceeded, status),
        requestId,
        throttleHeaders,
      );
    }
    case 'internal':
      return stsErrorAnswer(
        new StsError('InternalFailure', stsMessages.internalFailure, 500, 'Receiver'),
        requestId,
        headers,
      );
    default:
      return faultAnswer(fault, statusCodes, headers);
  }
}

function recordRequestDetails(
  record: CallRecord,
  core: EmulatorCore,
  input: JsonObject,
  output: JsonObject | undefined,
): void {
  const identityId = typeof input.IdentityId === 'string' ? input.IdentityId : output?.IdentityId;
  if (typeof identityId === 'string') record.identityId = identityId;
  const poolId =
    typeof input.IdentityPoolId === 'string'
      ? input.IdentityPoolId
      : record.identityId && core.store.identity(record.identityId)?.identityPoolId;
  if (typeof poolId === 'string' && poolId !== '') record.identityPoolId = poolId;
  const logins = input.Logins;
  if (typeof logins === 'object' && logins !== null && !Array.isArray(logins)) {
    record.loginProviders = Object.keys(logins);
  }
}

/** Handles one service request (a `POST` outside `/__admin/`). */
export async function handleServiceRequest(
  deps: ServiceEndpointDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  const target = headerValue(request, 'x-amz-target');
  const contentType = headerValue(request, 'content-type');
  const sts = isStsRequest(contentType, target);
  const requestId = randomUUID();
  const record: CallRecord = {
    operation: sts ? stsActionOf(body) : operationNameOf(target),
    loginProviders: [],
    status: 0,
    at: deps.core.now(),
    requestId,
  };
  const attempt = headerValue(request, 'amz-sdk-request');
  if (attempt !== undefined) record.attempt = attempt;
  deps.calls.push(record);

  const { latencyMs, answer: fault } = deps.faults.take(record.operation);
  const headers = baseHeaders(requestId, deps.core.now());
  let answer: Answer;
  if (sts) {
    Object.assign(record, tokenSubjectOf(body));
    if (fault) {
      record.fault = fault.kind;
      answer = stsFaultAnswer(fault, deps.statusCodes, requestId, headers);
    } else {
      const outcome = deps.core.invokeSts(body);
      const xmlHeaders = { ...headers, [headerNames.contentType]: xmlContentType };
      answer = outcome.ok
        ? {
            response: {
              status: 200,
              headers: xmlHeaders,
              body: assumeRoleWithWebIdentityXml(outcome.result, requestId),
            },
          }
        : stsErrorAnswer(outcome.error, requestId, headers);
    }
  } else if (fault) {
    record.fault = fault.kind;
    recordRequestDetails(record, deps.core, parseBodyLeniently(body), undefined);
    answer = faultAnswer(fault, deps.statusCodes, headers);
  } else {
    const rawUrl = request.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const outcome = deps.core.invoke({
      target,
      contentType,
      body,
      signed: headerValue(request, 'authorization') !== undefined,
      http: {
        method: request.method ?? 'POST',
        path: queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart),
        query: queryStart === -1 ? '' : rawUrl.slice(queryStart + 1),
        headers: request.headersDistinct,
      },
    });
    recordRequestDetails(record, deps.core, outcome.input, outcome.ok ? outcome.output : undefined);
    answer = outcome.ok
      ? { response: { status: 200, headers, body: JSON.stringify(outcome.output) } }
      : errorAnswer(outcome.error, deps.statusCodes, headers);
  }

  if (latencyMs > 0) await deps.delays.wait(latencyMs);
  if (answer === 'drop') {
    request.socket.destroy();
  } else if (writeResponse(response, answer.response)) {
    record.status = answer.response.status;
    if (answer.errorType !== undefined) record.errorType = answer.errorType;
  }
  deps.log?.(
    `${request.method} ${record.operation || '(no target)'} -> ${answer === 'drop' ? 'dropped' : record.status || 'not sent (closed)'}` +
      `${record.errorType ? ` ${record.errorType}` : ''}${record.fault ? ` [fault: ${record.fault}]` : ''}`,
  );
}
