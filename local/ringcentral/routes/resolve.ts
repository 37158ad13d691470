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

/**
 * The extension id of the path (`~` = the token's user) whose mailbox the request reaches:
 * 403 CMN-408 naming `permission` when a non-admin token addresses another extension, 404
 * CMN-102 when the extension does not exist or its type keeps no mailbox.
 */
export function resolveExtension(
  state: EmulatorState,
  context: RequestContext,
  permission: string,
): string {
  const extensionId = resolveDirectoryEntry(state, context, permission);
  if (!state.mailbox.hasMailbox(extensionId)) throw extensionNotFound();
  return extensionId;
}

/**
 * The extension id of the path (`~` = the token's user) for reading the extension itself: like
 * {@link resolveExtension}, but any type of extension will do.
 */
export function resolveDirectoryEntry(
  state: EmulatorState,
  context: RequestContext,
  permission: string,
): string {
  resolveAccount(state, context);
  const requested = context.params.extensionId ?? '~';
  const own = context.principal?.extensionId;
  const extensionId = requested === '~' ? own : requested;
  if (!extensionId) throw extensionNotFound();
  // RingCentral checks the role before it looks the extension up.
  if (extensionId !== own && context.principal?.admin === false) {
    throw insufficientPermissions(permission);
  }
  if (!state.mailbox.extension(extensionId)) throw extensionNotFound();
  return extensionId;
}

function extensionNotFound(): RcError {
  return new RcError(404, 'CMN-102', 'Resource for parameter [extensionId] is not found', {
    parameterName: 'extensionId',
  });
}

/**
 * 403 CMN-408, RingCentral's documented answer when the user's role lacks a permission for the
 * requested resource (the error tables of its API reference, e.g. "403 CMN-408 In order to call
 * this API endpoint, user needs to have [ReadMessages] permission for requested resource.");
 * `permissionName` is repeated in the body as RingCentral sends it.
 */
export function insufficientPermissions(permission: string): RcError {
  return new RcError(
    403,
    'CMN-408',
    `In order to call this API endpoint, user needs to have [${permission}] permission for requested resource.`,
    { permissionName: permission },
  );
}

/** The owner key of subscriptions and rate limits: user + app. */
export function ownerKey(context: RequestContext): string {
  return `${context.principal?.extensionId ?? ''}|${context.principal?.clientId ?? ''}`;
}
