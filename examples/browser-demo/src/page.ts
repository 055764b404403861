/**
 * The demo page: one session (`localStorage`, so other tabs of this origin start from the same
 * identity), the statechart drawn from `identityPoolMachine`'s own definition with the current
 * state highlighted, the identity, a countdown to the credentials' expiry, the emulator's
 * record of network calls (polled from its admin API) and the buttons.
 */
import { createIdentityPoolAuth, fetchTransport, identityPoolMachine } from '@identity-pool/core';
import { facebookLogin } from '@identity-pool/facebook-login';
import { googleLogin } from '@identity-pool/google-login';

interface DemoConfig {
  endpoint: string;
  identityPoolId: string;
  facebookAppId: string;
  facebookSdkUrl: string;
  googleClientId: string;
  googleSdkUrl: string;
}
interface CallRecord {
  operation: string;
  identityId?: string;
  identityPoolId?: string;
  loginProviders: string[];
  status: number;
  errorType?: string;
  at: number;
  requestId: string;
}

const config = (window as unknown as { __DEMO__: DemoConfig }).__DEMO__;
const $ = (id: string) => document.getElementById(id) as HTMLElement;
const el = (tag: string, className?: string, text?: string) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const auth = createIdentityPoolAuth({
  identityPoolId: config.identityPoolId,
  transport: fetchTransport({ endpoint: config.endpoint }),
  storage: window.localStorage,
});
const facebook = facebookLogin({ appId: config.facebookAppId, sdkUrl: config.facebookSdkUrl });
const google = googleLogin({ clientId: config.googleClientId, sdkUrl: config.googleSdkUrl });

// --- The statechart, from the machine definition --------------------------------------------

type StateNode = (typeof identityPoolMachine)['root'];

/** A transition's event as a short label. */
function eventLabel(eventType: string): string {
  if (eventType === '') return 'always';
  if (eventType.startsWith('xstate.done.actor.')) return `done ${eventType.slice(18)}`;
  if (eventType.startsWith('xstate.error.actor.')) return `error ${eventType.slice(19)}`;
  if (eventType.startsWith('xstate.after.')) return 'after refreshDelay';
  return eventType;
}

/** `event → target` lines of a state (root-level events, accepted everywhere, are left out). */
function transitionLines(node: StateNode): string[] {
  const lines = new Set<string>();
  const definitions = [...node.transitions.values()].flat().concat(node.always ?? []);
  for (const transition of definitions) {
    const targets = (transition.target ?? []).filter((target) => target !== node).map((target) => target.key);
    if (
      targets.length === 0 ||
      ['LOGIN', 'LOGOUT', 'CLEAR', 'CREDENTIALS.CLEAR'].includes(transition.eventType)
    )
      continue;
    lines.add(`${eventLabel(transition.eventType)} → ${targets.join(', ')}`);
  }
  return [...lines];
}

const boxes = new Map<string, HTMLElement>();
function drawState(node: StateNode, path: string): HTMLElement {
  const children = Object.values(node.states) as StateNode[];
  const box = el('div', `state ${children.length ? 'compound' : 'leaf'}`);
  box.dataset.state = path;
  box.append(el('div', 'name', node.key));
  const list = el('ul');
  for (const line of transitionLines(node)) list.append(el('li', undefined, line));
  if (list.childElementCount) box.append(list);
  if (children.length) {
    const inner = el('div', 'children');
    for (const child of children) inner.append(drawState(child, `${path}.${child.key}`));
    box.append(inner);
  }
  boxes.set(path, box);
  return box;
}
for (const node of Object.values(identityPoolMachine.root.states) as StateNode[]) {
  $('chart').append(drawState(node, node.key));
}

/** The active state paths of a snapshot value: `{ authenticated: 'fetching' }` → both levels. */
function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [
      `${prefix}${key}`,
      ...activePaths(inner, `${prefix}${key}.`),
    ]);
  }
  return [];
}

// --- Identity, countdown, events ----------------------------------------------------------------

const render = () => {
  const active = new Set(activePaths(auth.actor.getSnapshot().value));
  for (const [path, box] of boxes) box.classList.toggle('active', active.has(path));
  const state = auth.getState();
  $('status').textContent = state.status;
  $('identity-id').textContent = state.identityId ?? '—';
  $('providers').textContent = state.providers.length
    ? state.providers.join(', ')
    : state.identityId
      ? 'guest'
      : '—';
  $('coordination').textContent =
    state.coordination === 'tabs'
      ? 'shared with the other tabs (Web Lock + BroadcastChannel)'
      : 'this tab only (no Web Locks or BroadcastChannel here)';
  document.body.dataset.status = state.status;
  tick();
};
const tick = () => {
  const expiration = auth.getState().expiration;
  if (!expiration) {
    $('countdown').textContent = '—';
    return;
  }
  const left = Math.max(0, Math.round((expiration.getTime() - Date.now()) / 1000));
  $('countdown').textContent = `${Math.floor(left / 60)} min ${String(left % 60).padStart(2, '0')} s`;
};
auth.actor.subscribe(render);
auth.subscribe(render);
setInterval(tick, 1000);
render();

const events: { type: string; [key: string]: unknown }[] = [];
const logEvent = (text: string, event: { type: string; [key: string]: unknown }) => {
  events.push(event);
  const item = el('li', undefined, `${new Date().toLocaleTimeString()} ${text}`);
  $('events').prepend(item);
};
auth.on('identityChanged', (e) =>
  logEvent(`identityChanged ${e.reason}: ${e.previousIdentityId ?? '∅'} → ${e.identityId ?? '∅'}`, {
    type: 'identityChanged',
    ...e,
  }),
);
auth.on('loginRequired', (e) => logEvent(`loginRequired ${e.providerName}`, { type: 'loginRequired', ...e }));
auth.on('error', ({ error }) =>
  logEvent(`error ${error.name}: ${error.message}`, { type: 'error', name: error.name }),
);

// --- Network calls, as the emulator saw them -------------------------------------------------

let shownCalls = '';
async function pollCalls() {
  try {
    const response = await fetch(`${config.endpoint}/__admin/calls`);
    const calls = ((await response.json()) as CallRecord[]).slice(-12).reverse();
    const key = calls.map((call) => call.requestId).join();
    if (key === shownCalls) return;
    shownCalls = key;
    const body = $('calls').querySelector('tbody') as HTMLElement;
    body.replaceChildren(
      ...calls.map((call) => {
        const row = el('tr');
        row.append(
          el('td', undefined, new Date(call.at).toLocaleTimeString()),
          el('td', undefined, call.operation),
          el('td', undefined, call.identityId ? `…${call.identityId.slice(-12)}` : '(new)'),
          el('td', undefined, [...call.loginProviders].sort().join(', ') || '—'),
          el('td', call.errorType ? 'err' : 'ok', call.errorType ?? String(call.status)),
        );
        return row;
      }),
    );
  } catch {
    // The emulator is gone (the demo server stopped): keep the last table.
  }
}
setInterval(pollCalls, 500);
void pollCalls();

// --- Buttons ---------------------------------------------------------------------------------

const show = (label: string, what: Promise<{ identityId: string } | undefined>) => {
  $('result').textContent = `${label}…`;
  what.then(
    (credentials) => {
      $('result').textContent = credentials ? `${label}: ${credentials.identityId}` : `${label}: done`;
    },
    (error: Error) => {
      $('result').textContent = `${label}: ${error.name} ${error.message}`;
    },
  );
};
$('guest').addEventListener('click', () => show('guest', auth.getCredentials()));
$('facebook').addEventListener('click', () => show('Facebook', auth.login(facebook)));
$('google').addEventListener('click', () => show('Google', auth.login(google)));
$('refresh').addEventListener('click', () => show('refresh', auth.getCredentials({ forceRefresh: true })));
$('logout').addEventListener('click', () =>
  show(
    'logout',
    auth.logout().then(() => undefined),
  ),
);
$('tab').addEventListener('click', () => window.open(window.location.href, '_blank'));

Object.assign(window, { demo: { auth, events } });
