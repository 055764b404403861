/**
 * design.md §7 "A login is a transaction", at the machine: the committed identity, logins and
 * credentials stay as they are while a login is requested and saved; it is then committed (and
 * announced), or dropped with nothing of it kept — refused, cancelled, replaced by a later login,
 * or undone when its caller gave up mid-save — and the session goes back where it was.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  LoginFailedError,
  LoginRequiredError,
  LoginSupersededError,
  NetworkError,
} from '../../src/errors.js';
import type { LoginResult } from '../../src/login-transaction.js';
import type { IdentityPoolEvent } from '../../src/machine.js';
import type { SessionDeps } from '../../src/session.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, serviceErrors } from '../support/fixtures.js';
import {
  authenticated,
  guest,
  guestWithCredentials,
  type Harness,
  HOUR,
  startMachine,
  T0,
} from '../support/machine-harness.js';

const GOOGLE = 'accounts.google.com';
const FACEBOOK = 'graph.facebook.com';
const provider = { id: 'fb', loginsKey: FACEBOOK, signIn: async () => ({ token: 'x' }) };

const login = (ticket: number, providerName = GOOGLE, token = `token-${ticket}`) =>
  ({ type: 'LOGIN', ticket, providerName, token }) as const satisfies IdentityPoolEvent;

/** What `requestLogin` answers for `identityId`, linked to `providerName`. */
function loginResult(
  identityId: string,
  options: Partial<LoginResult> = {},
  providerName = GOOGLE,
): LoginResult {
  return {
    identityId,
    authenticated: true,
    providers: [providerName],
    logins: { [providerName]: { token: 'used' } },
    credentials: credentialsFor(identityId, T0 + HOUR, 'login'),
    reset: false,
    ...options,
  };
}

/** Requests and saves the pending login with `result`. */
async function answerAndSave(h: Harness, result: LoginResult) {
  await h.settle('requestLogin', { output: result });
  expect(h.value()).toEqual({ loggingIn: 'saving' });
  await h.settle('saveLogin', { output: undefined });
}

describe('a login is requested with the committed session, the session kept meanwhile', () => {
  it('LOGIN: the request carries the identity, the logins and the login’s entry', async () => {
    const h = await guestWithCredentials({ logins: {} });
    const held = h.context().credentials;
    await h.send({
      type: 'LOGIN',
      ticket: 3,
      providerName: FACEBOOK,
      token: 'fb',
      expiresAt: T0 + HOUR,
      identityId: IDENTITY_A,
      provider,
    });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect(h.inputs.requestLogin).toEqual([
      {
        deps: h.deps,
        identity: guest(),
        logins: {},
        providerName: FACEBOOK,
        entry: { token: 'fb', expiresAt: T0 + HOUR, identityId: IDENTITY_A, provider },
      },
    ]);
    expect(h.context().login).toEqual({
      ticket: 3,
      providerName: FACEBOOK,
      entry: { token: 'fb', expiresAt: T0 + HOUR, identityId: IDENTITY_A, provider },
    });
    expect(h.context().credentials).toBe(held);
    expect(h.context().identity).toEqual(guest());
  });

  it('a login without a ticket is ticket 0', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'LOGIN', providerName: GOOGLE, token: 't' });
    expect(h.context().login?.ticket).toBe(0);
  });

  it('a login while restoring is made once restored, with what was restored', async () => {
    const h = startMachine();
    await h.send(login(1));
    expect(h.value()).toBe('restoring');
    await h.restore({ identity: guest() });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect((h.inputs.requestLogin[0] as { identity: unknown }).identity).toEqual(guest());
  });

  it('a login cancelled while restoring is dropped, its caller told; another ticket’s cancel is not it', async () => {
    const h = startMachine();
    await h.send(login(1));
    await h.send({ type: 'LOGIN.CANCEL', ticket: 2 });
    expect(h.context().login?.ticket).toBe(1);
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    expect(h.context().login).toBeUndefined();
    const [settled] = h.emittedOf('loginSettled');
    expect(settled).toMatchObject({ ticket: 1 });
    expect(settled?.error).toBeInstanceOf(AbortError);
    await h.restore({});
    expect(h.value()).toBe('unauthenticated');
  });

  it('a cancel while restoring with no login pending changes nothing', async () => {
    const h = startMachine();
    await h.send({ type: 'LOGIN.CANCEL', ticket: 0 });
    expect(h.value()).toBe('restoring');
    expect(h.emitted).toEqual([]);
  });

  it('what another tab obtained is not taken in the middle of a login', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send(login(1));
    await h.send({ type: 'SYNC', identity: guest(IDENTITY_B) });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect(h.context().identity).toBeUndefined();
  });

  it('CREDENTIALS.CLEAR in a login drops the committed credentials, the login goes on', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect(h.context().credentials).toBeUndefined();
    expect(h.context().discardedExpiration).toBe(T0 + HOUR);
    expect(h.aborted).toEqual([]);
  });
});

describe('a committed login becomes the session, announced to its caller and to listeners', () => {
  it('a guest identity linked: identityChanged "linked", credentials, loginSettled with them', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    const result = loginResult(IDENTITY_A);
    await h.settle('requestLogin', { output: result });
    expect(h.context().login?.result).toBe(result);
    expect(h.inputs.saveLogin).toEqual([{ deps: h.deps, result }]);
    expect(h.context().identity).toEqual(guest()); // not yet: the save may still fail
    const before = h.emitted.length;
    await h.settle('saveLogin', { output: undefined });
    expect(h.emitted.slice(before)).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_A, reason: 'linked' },
      { type: 'credentials', credentials: result.credentials },
      { type: 'loginSettled', ticket: 1, credentials: result.credentials },
    ]);
    const c = h.context();
    expect(c.identity).toEqual(authenticated(IDENTITY_A, GOOGLE));
    expect(c.logins).toEqual(result.logins);
    expect(c.credentials).toBe(result.credentials);
    expect(c.login).toBeUndefined();
    expect(c.wanted).toBe('nothing');
    expect(c.resumeIn).toBe('routing');
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
  });

  it('the bookkeeping of earlier failures is cleared by the commit', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(h.context().replacedIdentityId).toBe(IDENTITY_A);
    await h.send(login(1));
    await answerAndSave(h, loginResult(IDENTITY_B));
    const c = h.context();
    expect(c.error).toBeUndefined();
    expect(c.recoveries).toEqual([]);
    expect(c.forceTokenRenewal).toBe(false);
    expect(c.replacedIdentityId).toBeUndefined();
    expect(c.refreshFailures).toBe(0);
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' },
    ]);
  });

  it('no identity before: "created"', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send(login(1));
    await answerAndSave(h, loginResult(IDENTITY_A));
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_A, reason: 'created' },
    ]);
  });

  it('another identity: "merged", or "reset" when the committed one was gone', async () => {
    for (const reset of [false, true]) {
      const h = await guestWithCredentials();
      await h.send(login(1));
      await answerAndSave(h, loginResult(IDENTITY_B, { reset }));
      expect(h.emittedOf('identityChanged')).toEqual([
        {
          type: 'identityChanged',
          previousIdentityId: IDENTITY_A,
          identityId: IDENTITY_B,
          reason: reset ? 'reset' : 'merged',
        },
      ]);
    }
  });

  it('a second login for the same authenticated identity: no identityChanged', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.send(login(1, FACEBOOK));
    await answerAndSave(h, loginResult(IDENTITY_A, { providers: [GOOGLE, FACEBOOK] }, FACEBOOK));
    expect(h.emittedOf('identityChanged')).toEqual([]);
    expect(h.emittedOf('loginSettled')).toHaveLength(1);
  });

  it('a new identity is adopted under the sign-out record it was obtained under (null: none)', async () => {
    for (const signOutId of ['record-7', null]) {
      const adopted: unknown[] = [];
      const signOuts = { adopt: (id: unknown) => adopted.push(id) } as unknown as SessionDeps['signOuts'];
      const h = startMachine({ deps: { signOuts } });
      await h.restore({});
      await h.send(login(1));
      await answerAndSave(h, loginResult(IDENTITY_A, { signOutId }));
      expect(adopted).toEqual([signOutId]);
    }
  });

  it('a linked identity keeps its record: nothing adopted', async () => {
    const adopted: unknown[] = [];
    const signOuts = { adopt: (id: unknown) => adopted.push(id) } as unknown as SessionDeps['signOuts'];
    const h = startMachine({ deps: { signOuts } });
    await h.restore({ identity: guest() });
    await h.send(login(1));
    await answerAndSave(h, loginResult(IDENTITY_A));
    expect(adopted).toEqual([]);
  });
});

describe('a refused login leaves the session as it was: LoginFailedError to its caller and as an error event', () => {
  it('the service’s error is wrapped, naming the provider; the guest session goes on', async () => {
    const h = await guestWithCredentials();
    const held = h.context().credentials;
    const cause = serviceErrors.tokenExpired('GetId');
    await h.send(login(4));
    const before = h.emitted.length;
    await h.settle('requestLogin', { error: cause });
    const [event, settled] = h.emitted.slice(before);
    expect(event?.type).toBe('error');
    const error = (event as { error: Error }).error as LoginFailedError;
    expect(error).toBeInstanceOf(LoginFailedError);
    expect(error.providerName).toBe(GOOGLE);
    expect(error.cause).toBe(cause);
    expect(settled).toEqual({ type: 'loginSettled', ticket: 4, error });
    expect(h.emitted).toHaveLength(before + 2);
    expect(h.context().login).toBeUndefined();
    expect(h.context().credentials).toBe(held);
    expect(h.value()).toBe('credentialed');
  });

  it('a LoginFailedError already made is passed on as it is', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    const error = new LoginFailedError(GOOGLE, new Error('refused'));
    await h.settle('requestLogin', { error });
    expect(h.emittedOf('loginSettled')[0]?.error).toBe(error);
  });

  it('a save the tabs’ lock refused fails the login the same way', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_A) });
    await h.settle('saveLogin', { error: new Error('the lock manager refused') });
    expect(h.emittedOf('loginSettled')[0]?.error).toBeInstanceOf(LoginFailedError);
    expect(h.context().identity).toEqual(guest());
    expect(h.value()).toBe('credentialed');
  });
});

describe('a later login replaces the pending one, whose caller is told', () => {
  it('while requested: the first request is stopped, its caller gets LoginSupersededError', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1, GOOGLE));
    await h.send(login(2, FACEBOOK));
    expect(h.aborted).toEqual(['requestLogin']);
    expect(h.inputs.requestLogin).toHaveLength(2);
    expect((h.inputs.requestLogin[1] as { providerName: string }).providerName).toBe(FACEBOOK);
    const [settled] = h.emittedOf('loginSettled');
    expect(settled?.ticket).toBe(1);
    expect(settled?.error).toBeInstanceOf(LoginSupersededError);
    expect((settled!.error as LoginSupersededError).providerName).toBe(GOOGLE);
    expect(h.context().login?.ticket).toBe(2);
  });

  it('while saved: made next, after the commit; a third replaces the second in the queue', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_A) });
    await h.send(login(2, FACEBOOK));
    await h.send(login(3, FACEBOOK));
    expect(h.context().nextLogin?.ticket).toBe(3);
    expect(h.emittedOf('loginSettled')).toEqual([
      { type: 'loginSettled', ticket: 2, error: expect.any(LoginSupersededError) },
    ]);
    expect(h.aborted).toEqual([]);
    await h.settle('saveLogin', { output: undefined });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect(h.context().login?.ticket).toBe(3);
    expect(h.context().nextLogin).toBeUndefined();
    expect((h.inputs.requestLogin[1] as { identity: unknown }).identity).toEqual(
      authenticated(IDENTITY_A, GOOGLE),
    );
  });

  it('where the first began stays where the session goes back to', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: new NetworkError('GetCredentialsForIdentity', 'x') });
    expect(h.value()).toBe('failed');
    await h.send(login(1));
    await h.send(login(2));
    expect(h.context().resumeIn).toBe('failed');
    await h.settle('requestLogin', { error: new Error('refused') });
    expect(h.value()).toBe('failed');
    expect(h.context().resumeIn).toBe('routing');
  });
});

describe('an aborted login leaves the session as if it had not been called', () => {
  it('before the service answered: the request stops, the caller gets AbortError', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.send({ type: 'LOGIN.CANCEL', ticket: 9 });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    expect(h.aborted).toEqual(['requestLogin']);
    expect(h.emittedOf('loginSettled')).toEqual([
      { type: 'loginSettled', ticket: 1, error: expect.any(AbortError) },
    ]);
    expect(h.context().login).toBeUndefined();
    expect(h.value()).toBe('credentialed');
  });

  it('while saved: its caller told at once; once saved, storage is put back to the committed session', async () => {
    const h = await guestWithCredentials();
    const held = h.context().credentials;
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_B) });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    expect(h.emittedOf('loginSettled')).toEqual([
      { type: 'loginSettled', ticket: 1, error: expect.any(AbortError) },
    ]);
    expect(h.context().login?.cancelled).toBe(true);
    expect(h.aborted).toEqual([]);
    await h.settle('saveLogin', { output: undefined });
    expect(h.value()).toEqual({ loggingIn: 'undoing' });
    expect(h.inputs.undoLogin).toEqual([
      { deps: h.deps, previous: { identity: guest(), credentials: held } },
    ]);
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 }); // nothing left to cancel
    await h.settle('undoLogin', { output: undefined });
    expect(h.value()).toBe('credentialed');
    expect(h.context().identity).toEqual(guest());
    expect(h.context().login).toBeUndefined();
    expect(h.emittedOf('loginSettled')).toHaveLength(1);
    expect(h.emittedOf('identityChanged')).toEqual([]);
  });

  it('an undo that fails still ends the login', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_B) });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    await h.settle('saveLogin', { output: undefined });
    await h.settle('undoLogin', { error: new Error('adapter down') });
    expect(h.value()).toBe('credentialed');
    expect(h.context().login).toBeUndefined();
  });

  it('cancelled, then the save refused: the login ends without a second answer to its caller', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_B) });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    const before = h.emitted.length;
    await h.settle('saveLogin', { error: new Error('the lock manager refused') });
    expect(h.emitted.slice(before)).toEqual([]);
    expect(h.value()).toBe('credentialed');
    expect(h.context().login).toBeUndefined();
  });

  it('the login queued behind a save can be cancelled, in the save or in the undo', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_A) });
    await h.send(login(2));
    await h.send({ type: 'LOGIN.CANCEL', ticket: 2 });
    expect(h.context().nextLogin).toBeUndefined();
    expect(h.emittedOf('loginSettled')).toEqual([
      { type: 'loginSettled', ticket: 2, error: expect.any(AbortError) },
    ]);
    expect(h.context().login?.cancelled).toBeUndefined();

    const k = await guestWithCredentials();
    await k.send(login(1));
    await k.settle('requestLogin', { output: loginResult(IDENTITY_A) });
    await k.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    await k.settle('saveLogin', { output: undefined });
    await k.send(login(2));
    await k.send(login(3));
    expect(k.context().nextLogin?.ticket).toBe(3);
    await k.send({ type: 'LOGIN.CANCEL', ticket: 3 });
    expect(k.context().nextLogin).toBeUndefined();
    expect(k.emittedOf('loginSettled').map((s) => s.ticket)).toEqual([1, 2, 3]);
  });

  it('a cancel for a ticket neither pending nor queued touches neither, in the save or in the undo', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_B) });
    await h.send(login(2));
    await h.send({ type: 'LOGIN.CANCEL', ticket: 7 });
    expect(h.context().nextLogin?.ticket).toBe(2);
    expect(h.context().login?.cancelled).toBeUndefined();
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    await h.settle('saveLogin', { output: undefined });
    expect(h.value()).toEqual({ loggingIn: 'undoing' });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 7 });
    expect(h.context().nextLogin?.ticket).toBe(2);
    expect(h.emittedOf('loginSettled').map((s) => s.ticket)).toEqual([1]);
  });

  it('a login queued behind an undo is made after it', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', { output: loginResult(IDENTITY_B) });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    await h.settle('saveLogin', { output: undefined });
    await h.send(login(2));
    await h.settle('undoLogin', { output: undefined });
    expect(h.value()).toEqual({ loggingIn: 'requesting' });
    expect(h.context().login?.ticket).toBe(2);
  });
});

describe('a login not committed goes back where the session was when it began', () => {
  async function failedSession() {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: new NetworkError('GetCredentialsForIdentity', 'x') });
    expect(h.value()).toBe('failed');
    return h;
  }

  it('from failed, nothing wanted: failed again, its error kept', async () => {
    const h = await failedSession();
    const error = h.context().error;
    await h.send(login(1));
    expect(h.context().resumeIn).toBe('failed');
    await h.settle('requestLogin', { error: new Error('refused') });
    expect(h.value()).toBe('failed');
    expect(h.context().error).toBe(error);
  });

  it('from failed, a request made meanwhile: tried again at once, as a request in failed would be', async () => {
    const h = await failedSession();
    await h.send(login(1));
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('requestLogin', { error: new Error('refused') });
    expect(h.value()).toBe('fetching');
    expect(h.context().error).toBeUndefined();
  });

  async function loginRequiredSession() {
    const h = startMachine({ logins: { [GOOGLE]: {} } });
    await h.restore({ identity: authenticated(IDENTITY_A, GOOGLE) });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: new LoginRequiredError([GOOGLE]) });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    return h;
  }

  it('from loginRequired: loginRequired again, a request made meanwhile refused at once', async () => {
    const h = await loginRequiredSession();
    await h.send(login(1));
    expect(h.context().resumeIn).toBe('loginRequired');
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    const before = h.emitted.length;
    await h.settle('requestLogin', { error: new Error('refused') });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.emittedOf('requestFailed', before)).toEqual([
      { type: 'requestFailed', error: expect.any(LoginRequiredError) },
    ]);
    expect(h.context().wanted).toBe('nothing');
  });

  it('from loginRequired, nothing wanted: loginRequired again, nothing reported', async () => {
    const h = await loginRequiredSession();
    await h.send(login(1));
    const before = h.emitted.length;
    await h.settle('requestLogin', { error: new Error('refused') });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.emittedOf('requestFailed', before)).toEqual([]);
  });

  it('a committed login from failed or loginRequired goes on through routing', async () => {
    const h = await failedSession();
    await h.send(login(1));
    await answerAndSave(h, loginResult(IDENTITY_A));
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
  });
});
