/**
 * The demo page: one session (`localStorage`, so other tabs of this origin start from the same
 * identity), the statechart drawn from `identityPoolMachine`'s own definition (by the server,
 * with elkjs) with the current state and the last step's transitions highlighted live, the identity, a countdown to the credentials' expiry, the emulator's
 * record of network calls (polled from its admin API) and the buttons.
 */
import { createIdentityPoolAuth, fetchTransport } from '@identity-pool/core';
import { facebookLogin } from '@identity-pool/facebook-login';
import { googleLogin } from '@identity-pool/google-login';
import { highlightStatechart, type TakenTransition } from './statechart/highlight.js';

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

// --- The statechart, drawn by the server from identityPoolMachine (src/statechart) ----------

const chart = $('chart');
/** The last step's transitions as text: the drawing's labels are small when the chart is fitted. */
const steps: (readonly TakenTransition[])[] = [];
const showTaken = () => {
  const taken = highlighter.taken();
  steps.push([...taken]);
  $('last-transition').textContent = taken.length
    ? taken.map(({ from, to, text }) => `${from} → ${to} (${text})`).join(', then ')
    : '—';
};
const highlighter = highlightStatechart(chart.querySelector('svg')!, showTaken);

/** Zoomed in, scrolls the chart (not the page) so that the current state is in view. */
const follow = () => {
  const current = chart.querySelector('g.state.leaf.active');
  if (!current || chart.classList.contains('fit')) return;
  const box = current.getBoundingClientRect();
  const view = chart.getBoundingClientRect();
  const margin = 48; // near the edge counts as out of view: the arrows into it would be hidden
  const outside =
    box.left < view.left + margin ||
    box.right > view.right - margin ||
    box.top < view.top + margin ||
    box.bottom > view.bottom - margin;
  if (!outside) return;
  chart.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
  chart.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
};
const svg = chart.querySelector('svg')!;
/** `fit`: the whole chart in the panel's width; a number: that scale, scrolled to follow the session. */
const zoom = (level: 'fit' | number) => {
  chart.classList.toggle('fit', level === 'fit');
  svg.style.width = level === 'fit' ? '' : `${svg.viewBox.baseVal.width * level}px`;
  svg.style.height = level === 'fit' ? '' : 'auto';
  for (const button of document.querySelectorAll<HTMLElement>('.zoom button')) {
    button.setAttribute('aria-pressed', String(button.dataset.zoom === String(level)));
  }
  follow();
};
for (const button of document.querySelectorAll<HTMLElement>('.zoom button')) {
  const level = button.dataset.zoom === 'fit' ? 'fit' : Number(button.dataset.zoom);
  button.addEventListener('click', () => zoom(level));
}
zoom(0.75);

const auth = createIdentityPoolAuth({
  identityPoolId: config.identityPoolId,
  transport: fetchTransport({ endpoint: config.endpoint }),
  storage: window.localStorage,
  // The drawing follows the machine through xstate's inspection API (secrets redacted by core).
  inspect: (event) => highlighter.inspect(event),
});
const facebook = facebookLogin({ appId: config.facebookAppId, sdkUrl: config.facebookSdkUrl });
const google = googleLogin({ clientId: config.googleClientId, sdkUrl: config.googleSdkUrl });

// --- Identity, countdown, events ----------------------------------------------------------------

const render = () => {
  highlighter.showState(auth.actor.getSnapshot().value);
  follow();
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

// For the tests: the session, its events, and every change of the highlighted transitions.
Object.assign(window, { demo: { auth, events, steps } });
