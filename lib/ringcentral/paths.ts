import { InvalidInputError } from './errors.ts';

/** Which mailbox an operation addresses; `~` is the token's own account or extension. */
export interface MailboxRef {
  accountId?: string;
  extensionId?: string;
}

const SEGMENT = /^(~|\d{1,20})$/;

function segment(value: string | undefined, field: string): string {
  const resolved = value ?? '~';
  if (!SEGMENT.test(resolved)) {
    throw new InvalidInputError(
      `${field} must be "~" or a decimal id string, got ${JSON.stringify(value)}`,
    );
  }
  return resolved;
}

/** `/restapi/v1.0/account/{accountId}` */
export function accountPath(ref: MailboxRef = {}): string {
  return `/restapi/v1.0/account/${segment(ref.accountId, 'accountId')}`;
}

/** `/restapi/v1.0/account/{accountId}/extension/{extensionId}` */
export function extensionPath(ref: MailboxRef = {}): string {
  return `${accountPath(ref)}/extension/${segment(ref.extensionId, 'extensionId')}`;
}
