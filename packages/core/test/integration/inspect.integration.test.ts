/**
 * The `inspect` option: an xstate inspector sees the session's events and states — guest →
 * credentialed → signed in — and no secret (secret key, session token, login token) in any event,
 * snapshot, action or actor snapshot it receives.
 */

import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent, SnapshotFrom } from 'xstate';
import { type ConfigurationError, createIdentityPoolAuth, IdentityPoolError } from '../../src/index.js';
import type { IdentityPoolMachine } from '../../src/machine.js';
import { recordEvents, useEmulator } from '../support/emulator.js';
import { findSecrets } from '../support/secret-scan.js';

/** What the root actor's `@xstate.snapshot` events carry (xstate types them as any actor's). */
type SessionSnapshot = SnapshotFrom<IdentityPoolMachine>;

const env = useEmulator();
const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';

/** The dotted state of a (copied) machine snapshot. */
const pathOf = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Object.entries(value as Record<string, unknown>)
        .map(([key, child]) => `${key}.${pathOf(child)}`)
        .join(',');

describe('inspect option', () => {
  it('an inspector receives guest → credentialed → authenticated, with no secret anywhere', async () => {
    const identityPoolId = env.pool({ supportedLoginProviders: { 'graph.facebook.com': 'app' } });
    const received: InspectionEvent[] = [];
    const auth = env.auth({ identityPoolId, inspect: (event) => received.push(event) });

    const guest = await auth.getCredentials();
    const token = env.emulator.idp.mintToken('graph.facebook.com', { subject: 'u1', audience: 'app' });
    const signedIn = await auth.login({ providerName: 'graph.facebook.com', token });

    const root = received.filter((event) => event.actorRef.sessionId === auth.actor.sessionId);
    const states = root
      .filter((event) => event.type === '@xstate.snapshot')
      .map((event) => pathOf((event.snapshot as SessionSnapshot).value));
    const unique = states.filter((state, i) => state !== states[i - 1]);
    // Restored (nothing stored), a guest identity and its credentials, then the login.
    expect(unique).toEqual([
      'restoring',
      'identifying',
      'fetching',
      'credentialed',
      'loggingIn.requesting',
      'loggingIn.saving',
      'authenticated.credentialed',
    ]);
    const events = root.filter((event) => event.type === '@xstate.event').map((event) => event.event.type);
    expect(events).toContain('CREDENTIALS.NEEDED');
    expect(events).toContain('LOGIN');
    // The invoked requests are seen as actors too.
    expect(
      received.some((event) => event.type === '@xstate.actor' && event.actorRef !== root[0]?.actorRef),
    ).toBe(true);

    const secrets = [
      guest.secretAccessKey,
      guest.sessionToken,
      signedIn.secretAccessKey,
      signedIn.sessionToken,
      token,
    ];
    // What an inspector reaches: the events, and the snapshot of every actor it was shown.
    const actorSnapshots = received.map((event) => event.actorRef.getSnapshot());
    expect(findSecrets(received, secrets)).toEqual([]);
    expect(findSecrets(actorSnapshots, secrets)).toEqual([]);
    // The inspector still sees what happened: the LOGIN event names its provider, the context
    // names the identity and the credentials' key id and expiry.
    const login = root.find((event) => event.type === '@xstate.event' && event.event.type === 'LOGIN');
    expect(login?.type === '@xstate.event' && login.event).toMatchObject({
      providerName: 'graph.facebook.com',
      token: '[redacted]',
    });
    const snapshots = root.filter((event) => event.type === '@xstate.snapshot');
    const last = snapshots.at(-1)?.snapshot as SessionSnapshot | undefined;
    expect(last?.context.credentials).toMatchObject({
      identityId: signedIn.identityId,
      accessKeyId: signedIn.accessKeyId,
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
    });
    expect(last?.context.logins).toEqual({ 'graph.facebook.com': '[redacted]' });
  });

  it("@statelyai/inspect's inspector gets the machine's definition and the states, without a secret", async () => {
    const identityPoolId = env.pool({ supportedLoginProviders: { 'graph.facebook.com': 'app' } });
    const sent: StatelyInspectionEvent[] = [];
    const inspector = createInspector({ send: (event) => sent.push(event) });
    const auth = env.auth({ identityPoolId, inspect: inspector.inspect });
    const guest = await auth.getCredentials();
    const token = env.emulator.idp.mintToken('graph.facebook.com', { subject: 'u2', audience: 'app' });
    const signedIn = await auth.login({ providerName: 'graph.facebook.com', token });
    // It converts events on a timer (no requestIdleCallback in Node).
    await new Promise((resolve) => setTimeout(resolve, 50));

    const ofSession = sent.filter((event) => event.sessionId === auth.actor.sessionId);
    const root = ofSession.find((event) => event.type === '@xstate.actor');
    expect(root?.name).toBe('identityPool');
    expect(String(root?.definition)).toContain('"authenticated"');
    const values = ofSession
      .filter((event) => event.type === '@xstate.snapshot')
      .map((event) => JSON.stringify((event.snapshot as SessionSnapshot).value));
    expect(values).toContain('"credentialed"');
    expect(values.at(-1)).toBe('{"authenticated":"credentialed"}');
    const secrets = [
      guest.secretAccessKey,
      guest.sessionToken,
      signedIn.secretAccessKey,
      signedIn.sessionToken,
      token,
    ];
    expect(findSecrets(sent, secrets)).toEqual([]);
  });

  it('an observer inspector works, and one that throws never breaks the session', async () => {
    const identityPoolId = env.pool();
    let seen = 0;
    const observed = env.auth({ identityPoolId, inspect: { next: () => seen++ } });
    await observed.getCredentials();
    expect(seen).toBeGreaterThan(5);
    const throwing = env.auth({
      identityPoolId,
      storageKeyPrefix: 'throwing',
      inspect: () => {
        throw new Error('inspector bug');
      },
    });
    const events = recordEvents(throwing);
    await expect(throwing.getCredentials()).resolves.toMatchObject({ identityId: expect.any(String) });
    const errors = events.filter((event) => event.type === 'error').map((event) => event.error as Error);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(IdentityPoolError);
    expect(errors[0]?.message).toContain('inspector bug');
  });

  it.each([
    ['a string', 'inspector'],
    ['an object without next()', { complete() {} }],
  ])('inspect as %s is a ConfigurationError naming the option', (_, inspect) => {
    expect(() => createIdentityPoolAuth({ identityPoolId: POOL, inspect } as never)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        field: 'inspect',
      }) as unknown as ConfigurationError,
    );
  });
});
