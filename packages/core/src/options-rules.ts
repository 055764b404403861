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

export const isHttpUrl = (value: string): boolean => /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value);
