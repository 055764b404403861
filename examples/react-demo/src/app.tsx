/**
 * The React demo: one `<IdentityPoolProvider>` under StrictMode; a status panel on
 * `useIdentityPool()` (guest, Facebook, logout) and a credentials panel on `useCredentials()`.
 * Each panel's commits are counted with `<Profiler>` (`window.__renders`), and the states the
 * status panel committed are listed as JSON (`window.__states`), so a test can check that a panel renders
 * once per change of the session's state and never in between.
 */
import type { IdentityPoolAuthOptions } from '@identity-pool/core';
import { facebookLogin } from '@identity-pool/facebook-login';
import { IdentityPoolProvider, useCredentials, useIdentityPool } from '@identity-pool/react';
import { memo, Profiler, StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

interface DemoConfig {
  endpoint: string;
  identityPoolId: string;
  facebookAppId: string;
  facebookSdkUrl: string;
}
interface DemoWindow {
  __DEMO__: DemoConfig;
  __renders: Record<string, number>;
  __states: string[];
  __commits: string[];
  __sessions: string[];
}
const demoWindow = window as unknown as DemoWindow;
const config = demoWindow.__DEMO__;
demoWindow.__renders = { status: 0, credentials: 0 };
demoWindow.__states = [];
demoWindow.__commits = [];
demoWindow.__sessions = [];

/**
 * The provider's options, read once at mount. The inspector (redacted copies of the machine's
 * inspection events) lists every session created: StrictMode creates two, stopping the first.
 */
const options: IdentityPoolAuthOptions = {
  identityPoolId: config.identityPoolId,
  endpoint: config.endpoint,
  storage: localStorage,
  inspect: (event) => {
    if (event.type === '@xstate.actor' && event.actorRef.sessionId === event.rootId)
      demoWindow.__sessions.push(event.rootId);
  },
};
const countCommit = (id: string, phase: string) => {
  demoWindow.__renders[id] = (demoWindow.__renders[id] ?? 0) + 1;
  demoWindow.__commits.push(`${id}:${phase}`);
};

const facebook = facebookLogin({ appId: config.facebookAppId, sdkUrl: config.facebookSdkUrl });

function StatusPanel() {
  const { state } = useIdentityPool();
  // One entry per committed state object (StrictMode's extra mount effect adds none: same object).
  const last = useRef<unknown>(undefined);
  useEffect(() => {
    if (last.current === state) return;
    last.current = state;
    demoWindow.__states.push(JSON.stringify(state));
  }, [state]);
  return (
    <section>
      <p>
        status <b id="status">{state.status}</b> · phase <code id="phase">{state.phase}</code>
      </p>
      <p>
        identity <code id="identity-id">{state.identityId ?? '—'}</code> · signed in with{' '}
        <span id="providers">{state.authenticated ? state.providers.join(', ') : 'guest'}</span>
      </p>
    </section>
  );
}

/** The status panel's commits, counted; memo: the app's own re-renders do not reach it. */
const ProfiledStatus = memo(function ProfiledStatus() {
  return (
    <Profiler id="status" onRender={countCommit}>
      <StatusPanel />
    </Profiler>
  );
});

/** The buttons, apart from the status panel: their result line re-renders only them. */
function Actions() {
  const { login, logout } = useIdentityPool();
  const [result, setResult] = useState('');
  const run = (label: string, action: () => Promise<unknown>) =>
    action().then(
      () => setResult(`${label}: done`),
      (error: Error) => setResult(`${label}: ${error.name}`),
    );
  return (
    <section>
      <button type="button" id="facebook" onClick={() => run('facebook', () => login(facebook))}>
        Continue with Facebook
      </button>
      <button type="button" id="logout" onClick={() => run('logout', logout)}>
        Log out
      </button>
      <p id="result">{result}</p>
    </section>
  );
}

function CredentialsPanel() {
  const { status, credentials, error } = useCredentials();
  return (
    <section>
      <p>
        credentials <b id="credentials-status">{status}</b>
        {credentials && (
          <>
            {' '}
            for <code id="credentials-identity">{credentials.identityId}</code>, expiring{' '}
            <span id="credentials-expiration">{credentials.expiration.toISOString()}</span>
          </>
        )}
        {error && <span id="credentials-error"> {error.name}</span>}
      </p>
    </section>
  );
}

function App() {
  const [wantCredentials, setWantCredentials] = useState(false);
  return (
    <IdentityPoolProvider options={options}>
      <h1>identity-pool + React</h1>
      <ProfiledStatus />
      <Actions />
      {wantCredentials ? (
        <Profiler id="credentials" onRender={countCommit}>
          <CredentialsPanel />
        </Profiler>
      ) : (
        <button type="button" id="guest" onClick={() => setWantCredentials(true)}>
          Continue as guest
        </button>
      )}
    </IdentityPoolProvider>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
