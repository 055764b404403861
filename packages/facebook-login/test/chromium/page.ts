/**
 * The page the Chromium test drives (bundled with esbuild): a session over the emulator, with
 * "Continue with Facebook" and "Continue with Google" buttons backed by the real providers,
 * which load the localhost stand-ins of the vendors' SDKs through `sdkUrl`.
 */
import { pageSession } from './page-session.js';

const { auth, facebook, google } = pageSession(window.localStorage);

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
