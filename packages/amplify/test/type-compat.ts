// Compiled (not run) by types.test.ts: this package's structural types against Amplify's own.
import type {
  CredentialsAndIdentityId,
  CredentialsAndIdentityIdProvider,
  GetCredentialsOptions,
} from '@aws-amplify/core';
import type { IdentityPoolAuth } from '@identity-pool/core';
import { Amplify } from 'aws-amplify';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { amplifyCredentialsProvider } from '../src/index.js';

declare const auth: IdentityPoolAuth;
declare const amplifyOptions: GetCredentialsOptions;

// What Amplify.configure takes as `credentialsProvider`.
export const provider: CredentialsAndIdentityIdProvider = amplifyCredentialsProvider(auth);
// Every options object Amplify passes is one the provider accepts; its answer is Amplify's.
export const answer: Promise<CredentialsAndIdentityId | undefined> =
  amplifyCredentialsProvider(auth).getCredentialsAndIdentityId(amplifyOptions);
// The docs' configure line, as written there.
Amplify.configure(
  { Auth: { Cognito: { userPoolId: 'us-east-1_x', userPoolClientId: 'c', identityPoolId: 'us-east-1:x' } } },
  {
    Auth: {
      tokenProvider: cognitoUserPoolsTokenProvider,
      credentialsProvider: amplifyCredentialsProvider(auth),
    },
  },
);
