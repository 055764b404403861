export { type BackendOptions, cognitoTokenRoute, startBackend } from './backend.js';
export { backendLogin, signInThroughBackend } from './client.js';
