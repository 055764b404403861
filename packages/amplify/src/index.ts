/**
 * `@identity-pool/amplify`: an Amplify v6 credentials provider backed by an identity-pool session.
 *
 * @packageDocumentation
 */
export type {
  AmplifyAuthTokens,
  AmplifyCredentials,
  AmplifyCredentialsAndIdentityId,
  AmplifyCredentialsProvider,
  AmplifyGetCredentialsOptions,
  AmplifyJwt,
} from './amplify-types.js';
export { amplifyCredentialsProvider } from './provider.js';
export { type AmplifyLogin, amplifyLoginOf } from './user-pool-token.js';
