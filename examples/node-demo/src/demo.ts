/**
 * A walk through one identity pool on the embedded emulator, in simulated time: a guest gets
 * credentials, they are refreshed ahead of expiry, the guest logs in with Facebook (linked: same
 * identity), a second device's guest logs in as the same Facebook user (merged into the first
 * device's identity), and the first device logs out (a fresh guest next time).
 *
 * Every state change, event and network call is printed; secrets never are.
 */
import {
  createIdentityPoolAuth,
  type IdentityPoolAuth,
  type IdentityPoolCredentials,
  type IdentityPoolEvents,
  type IdentityPoolEventType,
  memoryStorage,
} from '@identity-pool/core';
import { type CallRecord, type Emulator, startEmulator } from '@identity-pool/emulator';
import { SimulatedClock } from 'xstate';

export interface DemoOptions {
  /** Receives each line of output. Default: none (silent). */
  log?: (line: string) => void;
}

/** One step of the walk and the service calls it caused (as the emulator saw them). */
export interface DemoStep {
  title: string;
  /** Operation names, in order. */
  calls: string[];
}

/** An event one of the sessions emitted. */
export type DemoEvent = {
  [T in IdentityPoolEventType]: { device: 1 | 2; type: T; event: IdentityPoolEvents[T] };
}[IdentityPoolEventType];

export interface DemoOutcome {
  identityPoolId: string;
  device1: {
    /** The guest identity of step 1. */
    guestId: string;
    /** The identity after the Facebook login (Cognito linked the login: the same ID). */
    linkedId: string;
    /** The fresh guest identity after logout. */
    afterLogoutId: string;
  };
  device2: {
    guestId: string;
    /** The identity after logging in as the same Facebook user (device 1's). */
    mergedId: string;
    /** The status the emulator gives device 2's guest identity afterwards (`disabled`). */
    guestStatusAfterMerge: string | undefined;
  };
  /** Whether the refresh timer fired on its own when the clock moved 56 minutes. */
  refreshedByTimer: boolean;
  steps: DemoStep[];
  events: DemoEvent[];
}

const POOL_PROVIDER = 'graph.facebook.com';
const FACEBOOK_USER = 'fb-user-1';
const MINUTE = 60_000;

/** `us-east-1:0c3f9a1e-…` → `us-east-1:0c3f9a1e…` (IDs are not secrets, but they are long). */
export function shortId(identityId: string | undefined): string {
  if (!identityId) return '(none)';
  const [region, guid = ''] = identityId.split(':');
  return `${region}:${guid.slice(0, 8)}…`;
}

/** The first characters of the access key ID; the secret key and session token are never shown. */
function describeCredentials(credentials: IdentityPoolCredentials, now: number): string {
  const minutes = Math.round((credentials.expiration.getTime() - now) / MINUTE);
  return `accessKeyId ${credentials.accessKeyId.slice(0, 8)}…, expires in ${minutes} min`;
}

function describeCall(call: CallRecord): string {
  const who = call.identityId ? ` ${shortId(call.identityId)}` : '';
  const logins = call.loginProviders.length ? ` Logins=[${call.loginProviders.join(', ')}]` : ' (guest)';
  const outcome = call.errorType ? `${call.status} ${call.errorType}` : String(call.status);
  return `${call.operation}${who}${logins} → ${outcome}`;
}

function countCalls(calls: readonly string[]): string {
  if (calls.length === 0) return 'no network calls';
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call, (counts.get(call) ?? 0) + 1);
  return [...counts].map(([operation, n]) => `${n} × ${operation}`).join(', ');
}

/** Waits for the next `type` event of `auth`, failing after `ms` real milliseconds. */
function nextEvent<T extends IdentityPoolEventType>(
  auth: IdentityPoolAuth,
  type: T,
  ms = 10_000,
): Promise<IdentityPoolEvents[T]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${ms} ms`));
    }, ms);
    const off = auth.on(type, (event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/**
 * Runs the walk-through against an emulator started in-process (and closed at the end).
 * @returns what happened, for tests to check.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  const log = options.log ?? (() => {});
  // One simulated clock for the emulator and both sessions: moving it fires the refresh timers
  // and ages the credentials and tokens the emulator issued, without waiting an hour.
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const startedAt = clock.now();
  const emu: Emulator = await startEmulator({ clock });
  const sessions: IdentityPoolAuth[] = [];
  try {
    const pool = emu.createPool();
    const { identityPoolId } = pool;
    log(`Emulator at ${emu.endpoint}, identity pool ${identityPoolId}`);

    const events: DemoEvent[] = [];
    const steps: DemoStep[] = [];
    let printedCalls = 0;
    let stepStart = 0;

    /** Prints the service calls that arrived since the last print. */
    const flushCalls = () => {
      for (const call of emu.calls.slice(printedCalls)) log(`      ⇄ ${describeCall(call)}`);
      printedCalls = emu.calls.length;
    };
    const clockLabel = (at = clock.now()) => {
      const minutes = Math.round((at - startedAt) / MINUTE);
      return `t+${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
    };
    const step = (title: string) => {
      flushCalls();
      stepStart = emu.calls.length;
      log('');
      log(`── ${title}  [${clockLabel()}]`);
    };
    /**
     * Moves the simulated clock, first printing the time it moves to: timers fire inside the move,
     * so what they cause is printed after this stamp, not under the step's starting time.
     */
    const advanceClock = (ms: number, why: string) => {
      log(`   [${clockLabel(clock.now() + ms)}] the clock moves ${Math.round(ms / MINUTE)} minutes ${why}`);
      clock.increment(ms);
    };
    const endStep = (title: string) => {
      flushCalls();
      const calls = emu.calls.slice(stepStart).map((call) => call.operation);
      steps.push({ title, calls });
      log(`   network: ${countCalls(calls)}`);
    };

    const openDevice = (device: 1 | 2): IdentityPoolAuth => {
      const tag = `   [device ${device}]`;
      const auth = createIdentityPoolAuth({
        identityPoolId,
        endpoint: emu.endpoint,
        storage: memoryStorage(),
        clock,
      });
      sessions.push(auth);
      let lastStateLine = '';
      const printState = () => {
        const state = auth.getState();
        const value = auth.actor.getSnapshot().value;
        const sub = typeof value === 'object' ? `.${Object.values(value)[0]}` : '';
        const who = state.identityId ? ` · ${shortId(state.identityId)}` : '';
        const kind = state.authenticated
          ? ` · [${state.providers.join(', ')}]`
          : state.identityId
            ? ' · guest'
            : '';
        const line = `${tag} state ${state.status}${sub}${who}${kind}`;
        if (line === lastStateLine) return;
        lastStateLine = line;
        log(line);
      };
      // getState() changes only when what it shows does (status, identity, providers, expiry), so
      // a login that keeps the identity moves authenticated.fetching → .credentialed unseen by
      // subscribe(): the actor's snapshots show every state; printState() prints each one once.
      const onChange = () => {
        flushCalls();
        printState();
      };
      auth.subscribe(onChange);
      auth.actor.subscribe(onChange);
      const record = <T extends IdentityPoolEventType>(
        type: T,
        describe: (e: IdentityPoolEvents[T]) => string,
      ) =>
        auth.on(type, (event) => {
          flushCalls();
          events.push({ device, type, event } as DemoEvent);
          log(`${tag} event ${type} ${describe(event)}`);
        });
      record('identityChanged', (e) => {
        const from = e.previousIdentityId ? `${shortId(e.previousIdentityId)} → ` : '';
        return `{ reason: '${e.reason}' } ${from}${shortId(e.identityId)}`;
      });
      record('credentials', (e) => {
        const minutes = Math.round((e.expiration.getTime() - clock.now()) / MINUTE);
        return `for ${shortId(e.identityId)}, expires in ${minutes} min`;
      });
      record('error', (e) => `${e.error.name}: ${e.error.message}`);
      record('loginRequired', (e) => `{ providerName: '${e.providerName}' }`);
      printState();
      return auth;
    };

    // 1. A guest: three callers at once, one GetId and one GetCredentialsForIdentity.
    let title = 'Device 1: a guest asks for credentials (3 callers at once)';
    step(title);
    const device1 = openDevice(1);
    const [first] = await Promise.all([
      device1.getCredentials(),
      device1.getCredentials(),
      device1.credentialProvider(),
    ]);
    log(`   credentials: ${describeCredentials(first, clock.now())}`);
    const guestId = first.identityId;
    endStep(title);

    // 2. 56 minutes later the refresh timer (refreshWindowSeconds = 300) has fired by itself.
    title = 'Device 1: the clock moves 56 minutes; the refresh timer fires on its own';
    step(title);
    const refreshed = nextEvent(device1, 'credentials');
    advanceClock(56 * MINUTE, '(the credentials expire at minute 60)');
    const refreshEvent = await refreshed;
    const afterRefresh = await device1.getCredentials();
    const refreshedByTimer = refreshEvent.identityId === guestId && afterRefresh !== first;
    log(
      `   credentials: ${describeCredentials(afterRefresh, clock.now())} (getCredentials() is answered from memory: the timer's refresh above fetched them, so this call made none)`,
    );
    endStep(title);

    // 3. The guest logs in with Facebook: Cognito links the login to the same identity.
    title = 'Device 1: Facebook login upgrades the guest';
    step(title);
    const token1 = emu.idp.mintToken(POOL_PROVIDER, { subject: FACEBOOK_USER });
    const linked = await device1.login({ providerName: POOL_PROVIDER, token: token1 });
    log(`   credentials: ${describeCredentials(linked, clock.now())}`);
    log(`   same identity as the guest: ${linked.identityId === guestId ? 'yes' : 'NO'}`);
    endStep(title);

    // 4. A second device starts as a guest of its own.
    title = 'Device 2: another guest asks for credentials';
    step(title);
    const device2 = openDevice(2);
    const guest2 = await device2.getCredentials();
    log(`   credentials: ${describeCredentials(guest2, clock.now())}`);
    endStep(title);

    // 5. …and logs in as the same Facebook user: merged into device 1's identity.
    title = 'Device 2: logs in as the same Facebook user';
    step(title);
    const token2 = emu.idp.mintToken(POOL_PROVIDER, { subject: FACEBOOK_USER });
    const merged = await device2.login({ providerName: POOL_PROVIDER, token: token2 });
    const guestStatusAfterMerge = emu.identity(guest2.identityId)?.status;
    log(`   credentials: ${describeCredentials(merged, clock.now())}`);
    log(`   device 1's identity: ${merged.identityId === linked.identityId ? 'yes' : 'NO'}`);
    log(`   emulator: device 2's guest identity is now ${guestStatusAfterMerge ?? 'unknown'}`);
    endStep(title);

    // 6. Device 1 logs out; its next request is a brand-new guest.
    title = 'Device 1: logout, then a guest again';
    step(title);
    await device1.logout();
    log(`   after logout: cached identity ${shortId(device1.getCachedIdentityId())}`);
    const fresh = await device1.getCredentials();
    log(`   credentials: ${describeCredentials(fresh, clock.now())}`);
    log(`   a new identity: ${fresh.identityId !== linked.identityId ? 'yes' : 'NO'}`);
    endStep(title);

    log('');
    log('Summary of network calls');
    steps.forEach((s, i) => {
      log(`  ${i + 1}. ${s.title}: ${countCalls(s.calls)}`);
    });
    log(`  total: ${countCalls(steps.flatMap((s) => s.calls))}`);

    return {
      identityPoolId,
      device1: { guestId, linkedId: linked.identityId, afterLogoutId: fresh.identityId },
      device2: { guestId: guest2.identityId, mergedId: merged.identityId, guestStatusAfterMerge },
      refreshedByTimer,
      steps,
      events,
    };
  } finally {
    for (const auth of sessions) auth.stop();
    await emu.close();
  }
}
