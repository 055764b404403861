/**
 * One suite, both transports: the AWS SDK client and `fetch` must be indistinguishable to the
 * session — the same answers, the same error classes and fields, the same retry classification.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  type CognitoIdentityTransport,
  createIdentityPoolAuth,
  fetchTransport,
  InvalidResponseError,
  NetworkError,
  retryKind,
  ServiceError,
  sdkTransport,
} from '../../src/index.js';
import { checkCredentials, checkIdentityId } from '../../src/transports/validate.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();
const UNKNOWN_POOL = 'us-east-1:00000000-0000-4000-8000-00000000dead';
const ID = 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000';

const transports: Array<[string, (endpoint: string) => CognitoIdentityTransport]> = [
  ['sdkTransport', (endpoint) => sdkTransport({ region: 'us-east-1', endpoint })],
  ['fetchTransport', (endpoint) => fetchTransport({ endpoint })],
];

/** What the session does with a transport's answers: check them. */
async function getId(
  transport: CognitoIdentityTransport,
  input: Parameters<CognitoIdentityTransport['getId']>[0],
) {
  return checkIdentityId('GetId', (await transport.getId(input)).identityId);
}
async function getCredentials(
  transport: CognitoIdentityTransport,
  input: Parameters<CognitoIdentityTransport['getCredentialsForIdentity']>[0],
) {
  const out = await transport.getCredentialsForIdentity(input);
  return {
    identityId: checkIdentityId('GetCredentialsForIdentity', out.identityId),
    credentials: checkCredentials('GetCredentialsForIdentity', out.credentials),
  };
}
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );

describe.each(transports)('%s against the emulator', (_name, make) => {
  const transport = () => make(env.emulator.endpoint);

  describe('answers', () => {
    it('GetId then GetCredentialsForIdentity for a guest', async () => {
      const pool = env.pool();
      const t = transport();
      const identityId = await getId(t, { identityPoolId: pool });
      expect(identityId).toMatch(/^us-east-1:[0-9a-f-]+$/);
      const before = Date.now();
      const out = await getCredentials(t, { identityId });
      expect(out.identityId).toBe(identityId);
      expect(out.credentials).toEqual({
        accessKeyId: expect.stringMatching(/^ASIA/),
        secretAccessKey: expect.any(String),
        sessionToken: expect.any(String),
        expiration: expect.any(Date),
      });
      const lifetime = out.credentials.expiration.getTime() - before;
      expect(lifetime).toBeGreaterThan(3590_000);
      expect(lifetime).toBeLessThanOrEqual(3601_000);
      expect(env.calls(pool).map((c) => [c.operation, c.status])).toEqual([
        ['GetId', 200],
        ['GetCredentialsForIdentity', 200],
      ]);
    });

    it('an authenticated identity with a Logins map, and GetOpenIdToken', async () => {
      const pool = env.pool();
      const t = transport();
      const logins = { 'graph.facebook.com': env.emulator.idp.mintToken('graph.facebook.com') };
      const identityId = await getId(t, { identityPoolId: pool, logins });
      const out = await getCredentials(t, { identityId, logins });
      expect(out.identityId).toBe(identityId);
      expect(env.emulator.identity(identityId)?.authenticated).toBe(true);
      const token = await t.getOpenIdToken?.({ identityId, logins });
      expect(token?.identityId).toBe(identityId);
      expect(token?.token.split('.')).toHaveLength(3);
      expect(env.calls(pool).map((c) => c.loginProviders)).toEqual([
        ['graph.facebook.com'],
        ['graph.facebook.com'],
        ['graph.facebook.com'],
      ]);
    });

    it('a guest linked by a login keeps its ID', async () => {
      const pool = env.pool();
      const t = transport();
      const guest = await getId(t, { identityPoolId: pool });
      const logins = { 'accounts.google.com': env.emulator.idp.mintToken('accounts.google.com') };
      const out = await getCredentials(t, { identityId: guest, logins });
      expect(out.identityId).toBe(guest);
    });
  });

  describe('service errors', () => {
    it.each([
      ['an unknown pool', 'ResourceNotFoundException', `IdentityPool '${UNKNOWN_POOL}' not found.`],
      ['a bad pool ID', 'ValidationException', "at 'identityPoolId' failed to satisfy constraint"],
    ])('GetId for %s → ServiceError %s', async (what, code, text) => {
      const identityPoolId = what === 'a bad pool ID' ? 'us-east-1_nocolon' : UNKNOWN_POOL;
      const error = await failure(transport().getId({ identityPoolId }));
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ name: 'ServiceError', code, operation: 'GetId', statusCode: 400 });
      expect((error as ServiceError).serviceMessage).toContain(text);
      expect((error as ServiceError).requestId).toEqual(expect.any(String));
      expect(error.message).toBe(`GetId failed: ${code}: ${(error as ServiceError).serviceMessage}`);
      expect(retryKind(error)).toBe('none');
    });

    it('guest access disabled → NotAuthorizedException', async () => {
      const pool = env.pool({ allowUnauthenticatedIdentities: false });
      const error = await failure(transport().getId({ identityPoolId: pool }));
      expect(error).toMatchObject({
        code: 'NotAuthorizedException',
        serviceMessage: 'Unauthenticated access is not supported for this identity pool.',
      });
    });

    it('a deleted identity → ResourceNotFoundException; a disabled one → NotAuthorizedException', async () => {
      const pool = env.pool();
      const t = transport();
      const deleted = await getId(t, { identityPoolId: pool });
      const disabled = await getId(t, { identityPoolId: pool });
      env.emulator.deleteIdentity(deleted);
      env.emulator.disableIdentity(disabled);
      await expect(failure(t.getCredentialsForIdentity({ identityId: deleted }))).resolves.toMatchObject({
        code: 'ResourceNotFoundException',
        operation: 'GetCredentialsForIdentity',
        serviceMessage: `Identity '${deleted}' not found.`,
      });
      await expect(failure(t.getCredentialsForIdentity({ identityId: disabled }))).resolves.toMatchObject({
        code: 'NotAuthorizedException',
        serviceMessage: `Access to Identity '${disabled}' is forbidden.`,
      });
    });

    it('an authenticated identity without its login → "Logins don\'t match"', async () => {
      const pool = env.pool();
      const t = transport();
      const logins = { 'graph.facebook.com': env.emulator.idp.mintToken('graph.facebook.com') };
      const identityId = await getId(t, { identityPoolId: pool, logins });
      const error = await failure(t.getCredentialsForIdentity({ identityId }));
      expect(error).toMatchObject({ code: 'NotAuthorizedException' });
      expect((error as ServiceError).serviceMessage).toContain("Logins don't match");
    });

    it('login tokens echoed in a validation error are redacted', async () => {
      const pool = env.pool();
      const logins = Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`p${i}.example.com`, `tok-${i}-secret`]),
      );
      const error = (await failure(transport().getId({ identityPoolId: pool, logins }))) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.code).toBe('ValidationException');
      expect(error.serviceMessage).toContain("at 'logins'");
      expect(error.serviceMessage).toContain('[redacted]');
      for (const token of Object.values(logins)) {
        expect(error.message).not.toContain(token);
        expect(error.serviceMessage).not.toContain(token);
        expect(String(error.stack)).not.toContain(token);
      }
    });
  });

  describe('faults', () => {
    it('throttling → TooManyRequestsException, classified as throttling', async () => {
      env.emulator.faults.inject({ kind: 'throttle', operation: 'GetId' });
      const error = await failure(transport().getId({ identityPoolId: env.pool() }));
      expect(error).toMatchObject({
        name: 'ServiceError',
        code: 'TooManyRequestsException',
        serviceMessage: 'Rate exceeded',
        statusCode: 400,
      });
      expect(retryKind(error)).toBe('throttling');
    });

    it('a 500 → InternalErrorException, classified as transient', async () => {
      env.emulator.faults.inject({ kind: 'internal', operation: 'GetId' });
      const error = await failure(transport().getId({ identityPoolId: env.pool() }));
      expect(error).toMatchObject({ code: 'InternalErrorException', statusCode: 500 });
      expect(retryKind(error)).toBe('transient');
    });

    it.each([502, 503, 504])('a proxy %i page → ServiceError with that status, transient', async (status) => {
      env.emulator.faults.inject({ kind: 'status', status, operation: 'GetId' });
      const error = await failure(transport().getId({ identityPoolId: env.pool() }));
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ statusCode: status, operation: 'GetId' });
      expect(retryKind(error)).toBe('transient');
    });

    it('a dropped connection → NetworkError, transient', async () => {
      env.emulator.faults.inject({ kind: 'drop', operation: 'GetId' });
      const error = await failure(transport().getId({ identityPoolId: env.pool() }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ name: 'NetworkError', operation: 'GetId' });
      expect(retryKind(error)).toBe('transient');
    });

    it('a refused connection → NetworkError', async () => {
      const t = make('http://127.0.0.1:1');
      const error = await failure(t.getId({ identityPoolId: env.pool() }));
      expect(error).toBeInstanceOf(NetworkError);
    });

    it('latency only delays the answer', async () => {
      env.emulator.faults.inject({ kind: 'latency', ms: 50, operation: 'GetId' });
      const started = Date.now();
      await expect(getId(transport(), { identityPoolId: env.pool() })).resolves.toMatch(/^us-east-1:/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    });

    it('one attempt per call: retries are the session’s', async () => {
      const pool = env.pool();
      env.emulator.faults.inject({ kind: 'internal', operation: 'GetId' });
      await failure(transport().getId({ identityPoolId: pool }));
      expect(env.calls(pool, 'GetId')).toHaveLength(1);
    });
  });

  describe('malformed answers', () => {
    const body = (value: unknown) => JSON.stringify(value);
    it.each([
      ['GetId', 'not json at all'],
      ['GetId', body({})],
      ['GetId', body({ IdentityId: 5 })],
      ['GetId', body({ IdentityId: 'not an id' })],
      ['GetCredentialsForIdentity', body({ IdentityId: ID })],
      [
        'GetCredentialsForIdentity',
        body({ IdentityId: ID, Credentials: { AccessKeyId: 'A', SecretKey: 'S', SessionToken: 'T' } }),
      ],
      [
        'GetCredentialsForIdentity',
        body({
          IdentityId: ID,
          Credentials: {
            AccessKeyId: 'A',
            SecretKey: 'S',
            SessionToken: 'T',
            Expiration: '2030-01-01T00:00:00Z',
          },
        }),
      ],
      [
        'GetCredentialsForIdentity',
        body({
          IdentityId: ID,
          Credentials: { AccessKeyId: 7, SecretKey: 'S', SessionToken: 'T', Expiration: 1.9e9 },
        }),
      ],
    ])('%s answering 200 %s → InvalidResponseError', async (operation, responseBody) => {
      env.emulator.faults.inject({ kind: 'status', status: 200, operation, body: responseBody });
      const t = transport();
      const error = await failure(
        operation === 'GetId'
          ? getId(t, { identityPoolId: env.pool() })
          : getCredentials(t, { identityId: ID }),
      );
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ operation });
      expect(retryKind(error)).toBe('none');
    });

    it('epoch seconds as a numeric string are accepted, as by the SDK', async () => {
      env.emulator.faults.inject({
        kind: 'status',
        status: 200,
        operation: 'GetCredentialsForIdentity',
        body: body({
          IdentityId: ID,
          Credentials: { AccessKeyId: 'A', SecretKey: 'S', SessionToken: 'T', Expiration: '1900000000' },
        }),
      });
      const out = await getCredentials(transport(), { identityId: ID });
      expect(out.credentials.expiration.getTime()).toBe(1.9e12);
    });
  });

  describe('cancellation', () => {
    it('an abort during the request → AbortError', async () => {
      env.emulator.faults.inject({ kind: 'latency', ms: 200, operation: 'GetId' });
      const controller = new AbortController();
      const pending = failure(transport().getId({ identityPoolId: env.pool(), signal: controller.signal }));
      setTimeout(() => controller.abort(), 20);
      const error = await pending;
      expect(error).toBeInstanceOf(AbortError);
      expect(error.name).toBe('AbortError');
    });

    it('an already-aborted signal → AbortError', async () => {
      const error = await failure(
        transport().getId({ identityPoolId: env.pool(), signal: AbortSignal.abort() }),
      );
      expect(error).toBeInstanceOf(AbortError);
    });
  });

  describe('inside a session', () => {
    const session = (pool: string, options: { persistCredentials?: boolean } = {}) => {
      const auth = createIdentityPoolAuth({
        identityPoolId: pool,
        transport: transport(),
        retry: { baseDelayMs: 1 },
        ...options,
      });
      return auth;
    };

    it('throttling, 5xx and a drop are retried by the session (3 attempts)', async () => {
      const pool = env.pool();
      env.emulator.faults.inject({ kind: 'throttle', operation: 'GetId' });
      env.emulator.faults.inject({ kind: 'drop', operation: 'GetId' });
      env.emulator.faults.inject({ kind: 'internal', operation: 'GetCredentialsForIdentity', count: 2 });
      const auth = session(pool);
      try {
        await expect(auth.getCredentials()).resolves.toMatchObject({
          identityId: expect.stringMatching(/^us-east-1:/),
        });
        expect(env.calls(pool, 'GetId')).toHaveLength(3);
        expect(env.calls(pool, 'GetCredentialsForIdentity')).toHaveLength(3);
      } finally {
        auth.stop();
      }
    });

    it('100 concurrent callers: one GetId, one GetCredentialsForIdentity', async () => {
      const pool = env.pool();
      const auth = session(pool);
      try {
        const all = await Promise.all(Array.from({ length: 100 }, () => auth.getCredentials()));
        expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
        expect(env.calls(pool)).toHaveLength(2);
      } finally {
        auth.stop();
      }
    });
  });
});

describe('fetchTransport options', () => {
  it('defaults to the regional endpoint, with the AWS JSON 1.1 framing', async () => {
    const seen: Array<{ url: string; init: unknown }> = [];
    const t = fetchTransport({
      fetch: async (url, init) => {
        seen.push({ url, init });
        return {
          status: 200,
          headers: { get: () => null },
          text: async () => JSON.stringify({ IdentityId: 'eu-west-1:1234' }),
        };
      },
    });
    await t.getId({ identityPoolId: 'eu-west-1:0000', logins: { 'graph.facebook.com': 'tok' } });
    await fetchTransport({
      region: 'cn-north-1',
      fetch: async (url, init) => {
        seen.push({ url, init });
        return { status: 200, headers: { get: () => null }, text: async () => '{}' };
      },
    }).getId({ identityPoolId: 'us-east-1:0000' });
    expect(seen).toEqual([
      {
        url: 'https://cognito-identity.eu-west-1.amazonaws.com/',
        init: {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'AWSCognitoIdentityService.GetId',
          },
          body: '{"IdentityPoolId":"eu-west-1:0000","Logins":{"graph.facebook.com":"tok"}}',
        },
      },
      expect.objectContaining({ url: 'https://cognito-identity.cn-north-1.amazonaws.com.cn/' }),
    ]);
  });

  it('reads the error code as the SDK does: header, then body code, then __type; sanitised', async () => {
    const answer = (headers: Record<string, string>, body: unknown) =>
      fetchTransport({
        fetch: async () => ({
          status: 400,
          headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
          text: async () => JSON.stringify(body),
        }),
      })
        .getId({ identityPoolId: 'us-east-1:0000' })
        .catch((e: unknown) => e as ServiceError);
    await expect(
      answer({ 'x-amzn-errortype': 'NotAuthorizedException:http://x/' }, { __type: 'Other', message: 'm' }),
    ).resolves.toMatchObject({ code: 'NotAuthorizedException', serviceMessage: 'm' });
    await expect(answer({}, { Code: 'aws.protocols#Foo:http://x', Message: 'M' })).resolves.toMatchObject({
      code: 'Foo',
      serviceMessage: 'M',
    });
    await expect(answer({}, { __type: 'com.amazon#Bar,x' })).resolves.toMatchObject({
      code: 'Bar',
      serviceMessage: 'Unknown',
    });
    await expect(answer({ 'x-amzn-requestid': 'r-1' }, 'nope')).resolves.toMatchObject({
      code: 'Http400',
      statusCode: 400,
      requestId: 'r-1',
    });
  });

  it('calls a user fetch unbound (window.fetch throws "Illegal invocation" otherwise)', async () => {
    let receiver: unknown = 'unset';
    const fetch = function (this: unknown) {
      receiver = this;
      return Promise.resolve({ status: 200, headers: { get: () => null }, text: async () => '{}' });
    };
    await fetchTransport({ fetch }).getId({ identityPoolId: 'us-east-1:0000' });
    expect(receiver).toBeUndefined();
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => fetchTransport({ endpoint: 'ftp://x' })).toThrow(/endpoint/);
  });
});
