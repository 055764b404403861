import { randomInt } from 'node:crypto';
import { createFakeIdentityProvider, type FakeIdentityProviderWithVerifier } from './fake-idp.js';
import { IdentityStore } from './identity-store.js';
import { createOpenIdTokenSigner, type OpenIdTokenSigner } from './openid-token.js';
import type { ServiceContext } from './operations/index.js';
import { invokeService, type ServiceOutcome, type ServiceRequest } from './service.js';
import type { DeveloperCredentials } from './sigv4.js';
import { invokeSts, type StsOutcome } from './sts.js';
import type { Clock, PoolOptions } from './types.js';

/** Options of {@link createEmulatorCore}. */
export interface EmulatorCoreOptions {
  /** Epoch ms; default `Date.now`. */
  clock?: Clock;
  /** Region of generated pool IDs; default `'us-east-1'`. */
  region?: string;
  /** Pools to create. */
  pools?: PoolOptions[];
  /** Default 3600. */
  credentialsTtlSeconds?: number;
  /** The access key that signs GetOpenIdTokenForDeveloperIdentity; default a random `AKIA…` pair. */
  developerCredentials?: DeveloperCredentials;
  /** Called with exceptions that are not service errors (they become InternalErrorException). */
  onUnexpectedError?: (error: unknown) => void;
}

/**
 * The emulated service without HTTP: state, fake IdP, OpenID signer and the service clock.
 * `invoke()` answers an AWS JSON 1.1 request in-process.
 */
export interface EmulatorCore {
  readonly store: IdentityStore;
  readonly idp: FakeIdentityProviderWithVerifier;
  readonly openIdSigner: OpenIdTokenSigner;
  /** The access key SigV4-verified operations accept. */
  readonly developerCredentials: DeveloperCredentials;
  /** Region of generated pool IDs. */
  readonly defaultRegion: string;
  /** The service clock: base clock + offset, epoch ms. */
  now(): number;
  clockOffset(): number;
  setClockOffset(ms: number): void;
  /** The lifetime of the credentials GetCredentialsForIdentity issues from now on, in seconds. */
  setCredentialsTtlSeconds(seconds: number): void;
  invoke(request: ServiceRequest): ServiceOutcome;
  /** Answers an STS awsQuery (form-encoded) request body in-process. */
  invokeSts(body: string): StsOutcome;
}

function randomCharacters(alphabet: string, length: number): string {
  let result = '';
  for (let index = 0; index < length; index++) result += alphabet[randomInt(alphabet.length)];
  return result;
}

/** A random long-term access key pair: `AKIA` + 16 characters, and a 40-character secret. */
export function generateDeveloperCredentials(): DeveloperCredentials {
  return {
    accessKeyId: `AKIA${randomCharacters('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    secretAccessKey: randomCharacters('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 40),
  };
}

const defaultClock: Clock = { now: () => Date.now() };

/** Creates the in-memory service (generates the OpenID signing key, so it is async). */
export async function createEmulatorCore(options: EmulatorCoreOptions = {}): Promise<EmulatorCore> {
  const clock = options.clock ?? defaultClock;
  const credentialsTtlSeconds = options.credentialsTtlSeconds ?? 3600;
  if (!(Number.isFinite(credentialsTtlSeconds) && credentialsTtlSeconds > 0)) {
    throw new RangeError('credentialsTtlSeconds must be a positive number');
  }
  let offsetMs = 0;
  const now = (): number => clock.now() + offsetMs;
  const defaultRegion = options.region ?? 'us-east-1';
  const store = new IdentityStore(now, defaultRegion);
  for (const pool of options.pools ?? []) store.createPool(pool);
  const idp = createFakeIdentityProvider(() => clock.now());
  const openIdSigner = await createOpenIdTokenSigner();
  const developerCredentials = { ...(options.developerCredentials ?? generateDeveloperCredentials()) };
  if (!(developerCredentials.accessKeyId && developerCredentials.secretAccessKey)) {
    throw new TypeError('developerCredentials needs a non-empty accessKeyId and secretAccessKey');
  }
  const context: ServiceContext = {
    store,
    now,
    verifyToken: (token) => idp.verify(token),
    openIdSigner,
    credentialsTtlSeconds,
    developerCredentials: [developerCredentials],
  };

  return {
    store,
    idp,
    openIdSigner,
    developerCredentials,
    defaultRegion,
    now,
    clockOffset: () => offsetMs,
    setCredentialsTtlSeconds(seconds: number): void {
      if (!(Number.isFinite(seconds) && seconds > 0))
        throw new RangeError('credentialsTtlSeconds must be a positive number');
      (context as { credentialsTtlSeconds: number }).credentialsTtlSeconds = seconds;
    },
    setClockOffset(ms: number): void {
      if (!Number.isFinite(ms)) throw new RangeError('The clock offset must be a finite number of ms');
      offsetMs = ms;
    },
    invoke: (request) => invokeService(context, request, options.onUnexpectedError),
    invokeSts: (body) => invokeSts(context, body, options.onUnexpectedError),
  };
}
