import { ServiceError } from '../errors.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requireActiveIdentity, rules } from './operation.js';

/**
 * UnlinkIdentity: with `Logins` proving the caller owns the identity (at least one of its
 * linked logins), removes the logins of the providers in `LoginsToRemove`. An unlinked login is a
 * new user the next time it is seen; an identity without logins stays authenticated, so it is
 * then inaccessible ("Logins don't match").
 */
export const unlinkIdentity = defineOperation({
  auth: 'none',
  input: {
    IdentityId: rules.identityId,
    Logins: { ...rules.logins, required: true },
    LoginsToRemove: { ...rules.providerNames, required: true },
  },
  run(context, input) {
    const { identity, pool } = requireActiveIdentity(context, input.IdentityId);
    const logins = verifyLogins(pool, input.Logins, context.verifyToken, context.now());
    const ownsOne = logins.some((login) => identity.logins.get(login.providerName) === login.subject);
    if (!ownsOne) throw new ServiceError('NotAuthorizedException', messages.loginsDontMatch);
    for (const providerName of input.LoginsToRemove) context.store.unlink(identity, providerName);
    return {};
  },
});
