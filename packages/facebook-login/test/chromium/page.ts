/**
 * The page the Chromium test drives (bundled with esbuild): a session over the emulator, with
 * "Continue with Facebook" and "Continue with Google" buttons backed by the real providers,
 * which load the localhost stand-ins of the vendors' SDKs through `sdkUrl`.
 */
import { type CognitoIdentityTransport, createIdentityPoolAuth, ServiceError } from '@identity-pool/core';
import { googleLogin } from '@identity-pool/google-login';
import { facebookLogin } from '../../src/index.js';

interface PageConfig {
  endpoint: string;
  identityPoolId: string;
  facebookAppId: string;
  facebookSdkUrl: string;
  googleClientId: string;
  googleSdkUrl: string;
}
const config = (window as unknown as { __CONFIG__: PageConfig }).__CONFIG__;

/** Test-only: AWS JSON 1.1 over fetch, the two calls the session makes. */
function testTransport(endpoint: string): CognitoIdentityTransport {
  async function call(operation: string, body: Record<string, unknown>, signal?: AbortSignal) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityService.${operation}`,
      },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) {
      throw new ServiceError({
        code: String(json.__type ?? 'UnknownError')
          .split('#')
          .pop()!,
        message: String(json.message ?? json.Message ?? ''),
        operation,
        statusCode: response.status,
      });
    }
    return json;
  }
  return {
    async getId({ identityPoolId, logins, signal }) {
      const out = await call('GetId', { IdentityPoolId: identityPoolId, Logins: logins }, signal);
      return { identityId: out.IdentityId as string };
    },
    async getCredentialsForIdentity({ identityId, logins, signal }) {
      const out = await call('GetCredentialsForIdentity', { IdentityId: identityId, Logins: logins }, signal);
      const c = out.Credentials as Record<string, string | number>;
      return {
        identityId: out.IdentityId as string,
        credentials: {
          accessKeyId: c.AccessKeyId as string,
          secretAccessKey: c.SecretKey as string,
          sessionToken: c.SessionToken as string,
          expiration: new Date((c.Expiration as number) * 1000),
        },
      };
    },
  };
}

const auth = createIdentityPoolAuth({
  identityPoolId: config.identityPoolId,
  transport: testTransport(config.endpoint),
  storage: window.localStorage,
});
const facebook = facebookLogin({ appId: config.facebookAppId, sdkUrl: config.facebookSdkUrl });
const google = googleLogin({ clientId: config.googleClientId, sdkUrl: config.googleSdkUrl });

const events: { type: string; [key: string]: unknown }[] = [];
auth.on('identityChanged', (e) => events.push({ type: 'identityChanged', ...e }));
auth.on('loginRequired', (e) => events.push({ type: 'loginRequired', ...e }));
auth.on('error', ({ error }) => events.push({ type: 'error', name: error.name, message: error.message }));

const $ = (id: string) => document.getElementById(id)!;
const render = () => {
  $('state').textContent = JSON.stringify(auth.getState());
};
auth.subscribe(render);
render();

const show = (what: Promise<{ identityId: string }>) =>
  what.then(
    (credentials) => {
      $('result').textContent = `ok ${credentials.identityId}`;
    },
    (error: Error) => {
      $('result').textContent = `error ${error.name}`;
    },
  );

$('guest').addEventListener('click', () => show(auth.getCredentials()));
$('facebook').addEventListener('click', () => show(auth.login(facebook)));
$('google').addEventListener('click', () => show(auth.login(google)));
$('logout').addEventListener('click', () =>
  auth.logout().then(() => {
    $('result').textContent = 'logged out';
  }),
);

Object.assign(window, { app: { auth, events } });
