import { defineOperation, requireIdentity, rules } from './operation.js';

/** DescribeIdentity (SigV4): the provider names of the identity's logins and its dates (epoch seconds). */
export const describeIdentity = defineOperation({
  auth: 'sigv4',
  input: { IdentityId: rules.identityId },
  run(context, input) {
    const { identity } = requireIdentity(context, input.IdentityId);
    return {
      IdentityId: identity.identityId,
      Logins: [...identity.logins.keys()],
      CreationDate: identity.createdAt / 1000,
      LastModifiedDate: identity.lastModifiedAt / 1000,
    };
  },
});
