/**
 * `@identity-pool/react` in Node: server-side rendering (no `window`, no session, no request), the
 * session holder's StrictMode sequence (start → stop → start on one storage), bad options as a
 * typed `failed` state, and the hooks outside a provider.
 */
import { type CognitoIdentityTransport, ConfigurationError, memoryStorage } from '@identity-pool/core';
import { createElement, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { IdentityPoolProvider, STARTING_STATE, useCredentials, useIdentityPool } from '../src/index.js';
import { SessionHolder } from '../src/session-holder.js';

const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';
const ID = 'us-east-1:11111111-1111-4111-8111-111111111111';

function countingTransport() {
  const calls: string[] = [];
  const transport: CognitoIdentityTransport = {
    async getId() {
      calls.push('GetId');
      return { identityId: ID };
    },
    async getCredentialsForIdentity() {
      calls.push('GetCredentialsForIdentity');
      return {
        identityId: ID,
        credentials: {
          accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
          secretAccessKey: 'secret-secret-secret-secret-0001',
          sessionToken: 'session-token-session-token-0001',
          expiration: new Date(Date.now() + 3_600_000),
        },
      };
    },
  };
  return { calls, transport };
}

function Status() {
  const { state } = useIdentityPool();
  const credentials = useCredentials();
  return createElement('p', null, `${state.status}/${state.phase}/${credentials.status}`);
}

describe('server-side rendering', () => {
  it('renders the starting state with no window, no session and no request', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const { calls, transport } = countingTransport();
    const html = renderToString(
      createElement(
        StrictMode,
        null,
        createElement(
          IdentityPoolProvider,
          { options: { identityPoolId: POOL, transport } },
          createElement(Status),
        ),
      ),
    );
    expect(html).toBe('<p>starting/starting/loading</p>');
    expect(calls).toEqual([]);
  });

  it('a hook outside a provider is a ConfigurationError naming the hook', () => {
    expect(() => renderToString(createElement(Status))).toThrow(ConfigurationError);
    expect(() => renderToString(createElement(Status))).toThrow(/useIdentityPool\(\)/);
  });
});

describe('SessionHolder (the provider effect’s mount / cleanup)', () => {
  it("StrictMode's start → stop → start on one storage gives one live, working session", async () => {
    const storage = memoryStorage();
    const { calls, transport } = countingTransport();
    const options = { identityPoolId: POOL, transport, storage, coordinateTabs: false };
    const holder = new SessionHolder();
    let notified = 0;
    holder.subscribe(() => notified++);
    expect(holder.getState()).toBe(STARTING_STATE);

    const first = holder.start(options);
    holder.stop(first);
    expect(holder.getState()).toBe(STARTING_STATE);
    const second = holder.start(options);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(holder.getState().status).not.toBe('failed');

    const credentials = await (await holder.whenReady()).getCredentials();
    expect(credentials.identityId).toBe(ID);
    expect(calls).toEqual(['GetId', 'GetCredentialsForIdentity']);
    expect(holder.getState().phase).toBe('credentialed');
    expect(notified).toBeGreaterThan(2);
    // Why the order matters: core refuses a second live session on the same storage.
    const other = new SessionHolder();
    expect(other.start(options)).toBeUndefined();
    expect(other.getState()).toMatchObject({ status: 'failed', error: { name: 'ConfigurationError' } });
    holder.stop(second);
  });

  it('a call made before the session exists waits for it', async () => {
    const { transport } = countingTransport();
    const holder = new SessionHolder();
    const waiting = holder.whenReady();
    const session = holder.start({ identityPoolId: POOL, transport, coordinateTabs: false });
    await expect(waiting).resolves.toBe(session);
    holder.stop(session);
  });

  it('bad options become the failed state with a typed error, never a throw', async () => {
    const holder = new SessionHolder();
    expect(holder.start({ identityPoolId: 'not-a-pool' })).toBeUndefined();
    expect(holder.getState()).toMatchObject({
      status: 'failed',
      error: { name: 'ConfigurationError', message: expect.stringContaining('identityPoolId') },
    });
    await expect(holder.whenReady()).rejects.toBeInstanceOf(ConfigurationError);
  });
});
