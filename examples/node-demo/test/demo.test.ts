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

  /** The printed lines of each step: from its `──` header up to the next one. */
  const stepLines = (): string[][] => {
    const sections: string[][] = [];
    for (const line of lines) {
      if (line.startsWith('── ')) sections.push([]);
      sections.at(-1)?.push(line);
    }
    return sections;
  };

  it('stamps the simulated time where the clock moves, before what the move caused', () => {
    const refresh = stepLines()[1] ?? [];
    expect(refresh[0]).toMatch(/\[t\+0:00\]$/);
    const stamp = refresh.findIndex((line) => line.includes('[t+0:56]'));
    const refreshing = refresh.findIndex((line) => line.includes('state refreshing'));
    expect(stamp).toBeGreaterThan(0);
    expect(refreshing).toBeGreaterThan(stamp);
  });

  it("prints each device's state after its login, whether or not the identity changed", () => {
    const [, , login1 = [], , login2 = []] = stepLines();
    expect(login1).toContainEqual(expect.stringMatching(/\[device 1\] state authenticated\.credentialed/));
    expect(login2).toContainEqual(expect.stringMatching(/\[device 2\] state authenticated\.credentialed/));
  });

  it('never says "no call" in a step whose network line counts a call', () => {
    for (const section of stepLines()) {
      const network = section.find((line) => line.startsWith('   network:')) ?? '';
      if (network.includes('no network calls')) continue;
      expect(section.filter((line) => /no call/.test(line))).toEqual([]);
    }
  });

  it('never prints a secret', () => {
    const output = lines.join('\n');
    expect(output).not.toMatch(/secretAccessKey|sessionToken|IQoJb3JpZ2lu/i);
    expect(output).not.toMatch(/ASIA[A-Z0-9]{16}/); // only an access key prefix
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no login token (JWT)
  });
});
