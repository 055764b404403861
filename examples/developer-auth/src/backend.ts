/**
 * The backend half: one route, `POST /api/cognito-token`. Your backend authenticates the user
 * (here, a bearer session token looked up in a map), then asks Cognito — signed with the
 * backend's AWS credentials, which never reach the app — for that user's identity and an OpenID
 * token, and returns `{ identityId, token, expiresAt }` to the app.
 */
import { createServer, type Server } from 'node:http';
import { getOpenIdTokenForDeveloperIdentity } from '@identity-pool/node';

export interface BackendOptions {
  identityPoolId: string;
  /** The pool's developer provider name. */
  developerProviderName: string;
  /** Bearer session token → your user ID (your own user directory). */
  sessions: ReadonlyMap<string, string>;
  /** The AWS credentials of the backend (allowed GetOpenIdTokenForDeveloperIdentity). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A custom Cognito endpoint (the emulator). */
  endpoint?: string;
}

/** The route as a plain function: a bearer session in, the Cognito answer (or a status) out. */
export async function cognitoTokenRoute(
  options: BackendOptions,
  authorization: string | undefined,
): Promise<{ status: number; body: unknown }> {
  const session = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const userId = session && options.sessions.get(session);
  if (!userId) return { status: 401, body: { error: 'not signed in' } };
  try {
    const answer = await getOpenIdTokenForDeveloperIdentity({
      identityPoolId: options.identityPoolId,
      developerProviderName: options.developerProviderName,
      userId,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    return { status: 200, body: answer };
  } catch (error) {
    // Log the details on the server; the app only needs to know it failed.
    console.error(error);
    return { status: 502, body: { error: 'could not get a Cognito token' } };
  }
}

/** Serves the route on `port` (0: a free one). */
export async function startBackend(
  options: BackendOptions,
  port = 0,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/api/cognito-token') {
      response.writeHead(404).end();
      return;
    }
    request.resume();
    void cognitoTokenRoute(options, request.headers.authorization).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${actual}`, server };
}
