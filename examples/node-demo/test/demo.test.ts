import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoOutcome, runDemo } from '../src/demo.js';

describe('the node demo', () => {
  const lines: string[] = [];
  let outcome: DemoOutcome;

  beforeAll(async () => {
    outcome = await runDemo({ log: (line) => lines.push(line) });
  });

  it('runs to the end and prints a summary of the network calls', () => {
    expect(lines[0]).toMatch(/^Emulator at http:\/\/127\.0\.0\.1:\d+, identity pool us-east-1:/);
    expect(lines.at(-1)).toBe('  total: 3 × GetId, 6 × GetCredentialsForIdentity');
  });

  it('keeps the guest identity when the Facebook login is linked', () => {
    expect(outcome.device1.linkedId).toBe(outcome.device1.guestId);
    expect(outcome.events).toContainEqual({
      device: 1,
      type: 'identityChanged',
      event: {
        previousIdentityId: outcome.device1.guestId,
        identityId: outcome.device1.guestId,
        reason: 'linked',
      },
    });
  });

  it("merges the second device's guest into the first device's identity", () => {
    expect(outcome.device2.guestId).not.toBe(outcome.device1.guestId);
    expect(outcome.device2.mergedId).toBe(outcome.device1.linkedId);
    expect(outcome.device2.guestStatusAfterMerge).toBe('disabled');
    expect(outcome.events).toContainEqual({
      device: 2,
      type: 'identityChanged',
      event: {
        previousIdentityId: outcome.device2.guestId,
        identityId: outcome.device1.linkedId,
        reason: 'merged',
      },
    });
  });

  it('gives a fresh guest identity after logout', () => {
    const { guestId, linkedId, afterLogoutId } = outcome.device1;
    expect(afterLogoutId).not.toBe(linkedId);
    expect(afterLogoutId).not.toBe(guestId);
    expect(afterLogoutId).not.toBe(outcome.device2.guestId);
    const device1Changes = outcome.events
      .filter((e) => e.device === 1 && e.type === 'identityChanged')
      .map((e) => (e.type === 'identityChanged' ? e.event.reason : undefined));
    expect(device1Changes).toEqual(['created', 'linked', 'logout', 'created']);
  });

  it('refreshes on the timer, ahead of expiry', () => {
    expect(outcome.refreshedByTimer).toBe(true);
  });

  it('makes the fewest network calls each step', () => {
    expect(outcome.steps.map((step) => step.calls)).toEqual([
      ['GetId', 'GetCredentialsForIdentity'], // 3 concurrent callers share one flight
      ['GetCredentialsForIdentity'], // the refresh timer
      ['GetCredentialsForIdentity'], // login links the guest: no new GetId
      ['GetId', 'GetCredentialsForIdentity'], // device 2's guest
      ['GetCredentialsForIdentity'], // login merges device 2's guest
      ['GetId', 'GetCredentialsForIdentity'], // a fresh guest after logout
    ]);
  });

  it('never prints a secret', () => {
    const output = lines.join('\n');
    expect(output).not.toMatch(/secretAccessKey|sessionToken|IQoJb3JpZ2lu/i);
    expect(output).not.toMatch(/ASIA[A-Z0-9]{16}/); // only an access key prefix
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no login token (JWT)
  });
});
