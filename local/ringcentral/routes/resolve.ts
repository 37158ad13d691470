/** Path parameters `~`-aware: the account and extension a request addresses. */
import { RcError } from '../errors.ts';
import type { RequestContext } from '../http.ts';
import type { EmulatorState } from '../state.ts';

/** The account id of the path (`~` or the real id), else 404 CMN-102. */
export function resolveAccount(state: EmulatorState, context: RequestContext): string {
  const accountId = context.params.accountId ?? '~';
  if (accountId !== '~' && accountId !== state.mailbox.accountId) {
    throw new RcError(404, 'CMN-102', 'Resource for parameter [accountId] is not found', {
      parameterName: 'accountId',
    });
  }
  return state.mailbox.accountId;
}

/** The extension id of the path (`~` = the token's user), else 404 CMN-102. */
export function resolveExtension(state: EmulatorState, context: RequestContext): string {
  resolveAccount(state, context);
  const requested = context.params.extensionId ?? '~';
  const extensionId = requested === '~' ? context.principal?.extensionId : requested;
  if (!extensionId || !state.mailbox.extension(extensionId)) {
    throw new RcError(404, 'CMN-102', 'Resource for parameter [extensionId] is not found', {
      parameterName: 'extensionId',
    });
  }
  return extensionId;
}

/** The owner key of subscriptions and rate limits: user + app. */
export function ownerKey(context: RequestContext): string {
  return `${context.principal?.extensionId ?? ''}|${context.principal?.clientId ?? ''}`;
}
