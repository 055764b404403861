export { type CredentialsResult, type IdentityPoolView, useCredentials, useIdentityPool } from './hooks.js';
export { IdentityPoolProvider, type IdentityPoolProviderProps } from './provider.js';
export { STARTING_STATE } from './session-holder.js';
