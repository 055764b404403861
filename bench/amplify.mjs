/**
 * `pnpm bench` (second part): Amplify v6 `fetchAuthSession()` with its own credentials provider
 * against the same Amplify with `amplifyCredentialsProvider` (`@identity-pool/amplify`), in one
 * process, against one local emulator. Writes its table to bench/RESULTS.md between its own
 * markers (run.mjs keeps the other table).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { amplifyCredentialsProvider } from '@identity-pool/amplify';
import { createIdentityPoolAuth, fetchTransport, memoryStorage } from '@identity-pool/core';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
import { cognitoCredentialsProvider } from 'aws-amplify/auth/cognito';
import { build } from 'esbuild';
import {
  kb,
  markdownTable,
  measure,
  plural,
  progress,
  rate,
  startBenchEmulator,
  writeGenerated,
} from './bench-lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();

// One time machine for Amplify, the session and the emulator: `Date.now()` and `new Date()` jump.

const { time, emulator, callsOf, identitiesOf, close } = await startBenchEmulator();
const { RealDate } = time;
const endpoint = emulator.endpoint;
const USER_POOL_ID = 'us-east-1_BenchAmp1';
const CLIENT_ID = 'bench-client';
const newPool = () =>
  emulator.createPool({
    supportedLoginProviders: { [`cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`]: CLIENT_ID },
  }).identityPoolId;

/** Credentials handed out expired, and with under a minute left, per subject (every scenario). */
const handedOut = { amplify: { expired: 0, underMinute: 0 }, ours: { expired: 0, underMinute: 0 } };
function checked(who, session) {
  const expiration = session.credentials?.expiration;
  if (!session.credentials) throw new Error(`${who}: no credentials`);
  const left = expiration instanceof RealDate ? expiration.getTime() - Date.now() : Number.NaN;
  if (!(left > 0)) handedOut[who].expired++;
  else if (left < 60_000) handedOut[who].underMinute++;
  return session;
}

/** A JWT as Amplify's token provider hands it out. */
const decodeJWT = (token) => ({
  payload: JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')),
  toString: () => token,
});

/** Amplify's token provider contract, holding a user pool user's tokens (or nobody). */
function tokenHolder() {
  let tokens = null;
  return {
    tokenProvider: { getTokens: async () => tokens },
    signIn(subject) {
      const minted = emulator.idp.mintUserPoolTokens(USER_POOL_ID, { clientId: CLIENT_ID, subject });
      tokens = { idToken: decodeJWT(minted.idToken), accessToken: decodeJWT(minted.accessToken) };
    },
    signOut() {
      tokens = null;
    },
  };
}

// Amplify is a singleton: each `make` is a fresh configure, `activate()` configures it again.
const subjects = {
  amplify: {
    label: 'Amplify v6, its own credentials provider',
    make(pool, { keepIdentity = false } = {}) {
      if (keepIdentity) cognitoCredentialsProvider.clearCredentials();
      else cognitoCredentialsProvider.clearCredentialsAndIdentityId();
      const holder = tokenHolder();
      const activate = () =>
        Amplify.configure(
          {
            Auth: {
              Cognito: { identityPoolId: pool, allowGuestAccess: true, identityPoolEndpoint: endpoint },
            },
          },
          { Auth: { tokenProvider: holder.tokenProvider, credentialsProvider: cognitoCredentialsProvider } },
        );
      activate();
      return {
        holder,
        activate,
        get: async () => checked('amplify', await fetchAuthSession()),
        signOut: () => cognitoCredentialsProvider.clearCredentialsAndIdentityId(),
        stop() {},
      };
    },
  },
  ours: {
    label: 'Amplify v6 + amplifyCredentialsProvider',
    make(pool, { storage = memoryStorage() } = {}) {
      const auth = createIdentityPoolAuth({
        identityPoolId: pool,
        transport: fetchTransport({ endpoint }),
        storage,
      });
      const credentialsProvider = amplifyCredentialsProvider(auth);
      const holder = tokenHolder();
      const activate = () =>
        Amplify.configure(
          { Auth: { Cognito: { identityPoolId: pool, allowGuestAccess: true } } },
          { Auth: { tokenProvider: holder.tokenProvider, credentialsProvider } },
        );
      activate();
      return {
        holder,
        activate,
        get: async () => checked('ours', await fetchAuthSession()),
        signOut: () => credentialsProvider.clearCredentialsAndIdentityId(),
        stop: () => auth.stop(),
      };
    },
  },
};
const order = ['amplify', 'ours'];
const phase = progress('bench amplify', started);

const N = 1000;
const results = {};
for (const who of order) {
  const s = subjects[who];
  const row = {};
  results[who] = row;
  phase(`network calls: ${who}`);

  row.concurrent = await measure(async () => {
    const pool = newPool();
    const a = s.make(pool);
    await Promise.all(Array.from({ length: N }, () => a.get()));
    a.stop();
    return { calls: callsOf(pool), identities: identitiesOf(pool) };
  });

  row.warm = await measure(async () => {
    const pool = newPool();
    const storage = memoryStorage();
    const first = s.make(pool, { storage });
    await first.get();
    first.stop();
    const before = callsOf(pool);
    const second = s.make(pool, { storage, keepIdentity: true });
    await second.get();
    second.stop();
    return { calls: callsOf(pool) - before };
  });

  // The service issues credentials that live 45 minutes; the clock then moves on 44.5 minutes
  // (30 s of life left), or 46 (expired by every clock); 100 callers ask.
  const expiryAfter = (minutes) =>
    measure(async () => {
      const pool = newPool();
      emulator.setCredentialsTtlSeconds(45 * 60);
      const a = s.make(pool);
      const counts = { ...handedOut[who] };
      try {
        await a.get();
        const before = callsOf(pool);
        time.skewMs = minutes * 60_000;
        await Promise.all(Array.from({ length: 100 }, () => a.get()));
        return {
          calls: callsOf(pool) - before,
          expired: handedOut[who].expired - counts.expired,
          underMinute: handedOut[who].underMinute - counts.underMinute,
        };
      } finally {
        time.skewMs = 0;
        emulator.setCredentialsTtlSeconds(3600);
        a.stop();
      }
    });
  row.nearExpiry = await expiryAfter(44.5);
  row.expired = await expiryAfter(46);

  // A guest, then a user pool sign-in (1,000 callers), then sign-out and a guest again.
  row.signIn = await measure(async () => {
    const pool = newPool();
    const a = s.make(pool);
    const guest = await a.get();
    const before = callsOf(pool);
    a.holder.signIn(`user-${who}`);
    const signedIn = await Promise.all(Array.from({ length: N }, () => a.get()));
    const calls = callsOf(pool) - before;
    const identities = identitiesOf(pool);
    const linked = signedIn.every((session) => session.identityId === guest.identityId);
    a.holder.signOut();
    await a.signOut();
    const after = await a.get();
    a.stop();
    return {
      calls,
      linked,
      identities,
      freshGuest:
        after.identityId !== guest.identityId && !signedIn.some((x) => x.identityId === after.identityId),
    };
  });
}

// Hot path: fetchAuthSession() per second with valid credentials; best of three interleaved rounds.
phase('hot path');
const live = Object.fromEntries(order.map((who) => [who, subjects[who].make(newPool())]));
const hot = {};
for (let round = 0; round < 3; round++) {
  for (const who of order) {
    live[who].activate();
    await live[who].get();
    const r = await measure(() => rate(() => live[who].get(), 500));
    hot[who] = typeof r === 'number' ? Math.max(r, hot[who] ?? 0) : r;
  }
}
for (const who of order) live[who].stop();

// Browser bundles (esbuild, minified, gzip -9) of an app that gets guest credentials.
phase('bundles');
const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';
const entries = {
  amplify: `import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
Amplify.configure({ Auth: { Cognito: { identityPoolId: '${POOL}', allowGuestAccess: true } } });
fetchAuthSession().then(console.log);`,
  ours: `import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
import { createIdentityPoolAuth, fetchTransport } from '@identity-pool/core';
import { amplifyCredentialsProvider } from '@identity-pool/amplify';
const config = { Auth: { Cognito: { identityPoolId: '${POOL}', allowGuestAccess: true } } };
Amplify.configure(config);
const auth = createIdentityPoolAuth({ identityPoolId: '${POOL}', transport: fetchTransport() });
Amplify.configure(config, { Auth: { credentialsProvider: amplifyCredentialsProvider(auth) } });
fetchAuthSession().then(console.log);`,
};
const bundles = {};
for (const [name, contents] of Object.entries(entries)) {
  bundles[name] = await measure(async () => {
    const result = await build({
      stdin: { contents, resolveDir: here, sourcefile: `${name}.js` },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source', 'browser', 'module'],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
  });
}

await close();

// The table.
const ids = (n) => `${n} ${n === 1 ? 'identity' : 'identities'}`;
const cell = (r, format) => (r?.error ? `error: ${r.error}` : format(r));
const rows = [
  [
    '1,000 concurrent cold `fetchAuthSession()`',
    (r) => cell(r.concurrent, (x) => `${plural(x.calls, 'call')}, ${ids(x.identities)}`),
  ],
  ['warm start (identity ID kept)', (r) => cell(r.warm, (x) => plural(x.calls, 'call'))],
  ...[
    ['nearExpiry', '45-min credentials, +44.5 min (30 s left), 100 callers'],
    ['expired', '45-min credentials, +46 min (expired), 100 callers'],
  ].map(([key, metric]) => [
    metric,
    (r) =>
      cell(
        r[key],
        (x) =>
          `${plural(x.calls, 'call')}; handed out expired: ${x.expired}, with < 1 min left: ${x.underMinute}`,
      ),
  ]),
  [
    'guest → user pool sign-in (1,000 callers)',
    (r) =>
      cell(
        r.signIn,
        (x) =>
          `${plural(x.calls, 'call')}, ${x.linked ? 'guest identity linked (same ID)' : 'NOT the guest identity'}, ${ids(x.identities)}`,
      ),
  ],
  [
    'sign-out, then a guest again',
    (r) => cell(r.signIn, (x) => (x.freshGuest ? 'fresh guest identity' : 'an earlier identity')),
  ],
];
const table = [
  ['metric', ...order.map((w) => subjects[w].label)],
  ...rows.map(([metric, fn]) => [metric, ...order.map((w) => fn(results[w]))]),
  [
    '`fetchAuthSession()` per second, cached credentials',
    ...order.map((w) =>
      typeof hot[w] === 'number' ? `${Math.round(hot[w]).toLocaleString('en')}/s` : cell(hot[w]),
    ),
  ],
  [
    'credentials handed out expired / with < 1 min left (all runs)',
    ...order.map((w) => `${handedOut[w].expired} / ${handedOut[w].underMinute}`),
  ],
  [
    'browser bundle, gzip -9 (min)',
    ...order.map((w) => cell(bundles[w], (b) => `${kb(b.gzip)} (${kb(b.min)} min)`)),
  ],
];
const text = markdownTable(table);
console.log(text);

const seconds = ((performance.now() - started) / 1000).toFixed(0);
writeGenerated(
  join(here, 'RESULTS.md'),
  'bench/amplify.mjs',
  `Run ${new RealDate().toISOString().slice(0, 10)}, ${seconds} s, Node ${process.version}; aws-amplify ${JSON.parse(readFileSync(join(here, 'node_modules/aws-amplify/package.json'), 'utf8')).version}.

${text}`,
);
console.log(`\n${seconds} s. Written to bench/RESULTS.md.`);
