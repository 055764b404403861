/** Rules of the options shared by the zod schema and the production check. */
import type { LoginProvider } from './types.js';

export const IDENTITY_POOL_ID_PATTERN = /^[\w-]+:[0-9a-f-]+$/;

export const hasFunctions =
  (...names: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

export const isLoginProvider = (value: unknown): value is LoginProvider =>
  hasFunctions('signIn')(value) &&
  typeof (value as LoginProvider).loginsKey === 'string' &&
  typeof (value as LoginProvider).id === 'string';

/**
 * `URL.canParse` where the engine has it. Engines embedded in an application (QuickJS, `jsc`)
 * have no `URL`, and React Native's `URL` has no `canParse` (and takes any string): there the
 * endpoint's pattern alone decides, rather than every endpoint failing.
 */
const canParseUrl = (value: string): boolean =>
  typeof URL === 'undefined' || typeof URL.canParse !== 'function' || URL.canParse(value);

export const isHttpUrl = (value: string): boolean => /^https?:\/\/[^\s]+$/.test(value) && canParseUrl(value);

export const LIFECYCLE_RULE =
  'must have a subscribe(onPausedChange) function, e.g. appStateLifecycle(AppState)';
