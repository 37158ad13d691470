/**
 * Which extensions the archive covers: the default policy and the include/exclude rules.
 *
 * Default: every extension whose type keeps a message store, whatever its status.
 * - Types with a mailbox: `User`, `FlexibleUser`, `VirtualUser`, `DigitalUser` (users of every
 *   kind), `FaxUser` (a fax-only mailbox), `Department` (a call queue: FACTS.md's shared
 *   mailboxes, voicemail and SMS of shared numbers) and `Voicemail` (a message-only extension).
 *   The others route calls and keep no messages of their own: IVR menus, announcements, paging
 *   groups, shared/delegated lines groups (their calls ring users, whose mailboxes take the
 *   messages), park locations, limited extensions, group call pickup, rooms, bots, sites, tie
 *   lines, application and proxy-admin extensions. The local RingCentral keeps the same list.
 * - Every status: disabled and frozen users' mailboxes still hold records (issue 12), and
 *   FACTS.md names no status that drops a mailbox. A `NotActivated` or `Unassigned` extension of
 *   a mailbox type costs one empty Light sync per sweep; skipping one that does hold records
 *   would be a hole in a compliance archive. Rules narrow it when that cost matters.
 *
 * Rules: an id rule wins over a type rule, and exclude wins over include, so
 * `excludeTypes: ['User'], includeIds: ['101005']` archives one user and no other.
 */
import { EXTENSION_TYPES } from '../ringcentral/index.ts';
import { describeIssues } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';
import { InvalidArchivePolicyError } from './errors.ts';
import type { ArchivePolicy } from './ports.ts';

/** Types whose extensions keep a message store (the default policy archives these). */
export const MAILBOX_TYPES: readonly string[] = [
  'User',
  'FlexibleUser',
  'VirtualUser',
  'DigitalUser',
  'FaxUser',
  'Department',
  'Voicemail',
];

/** The default: no rules, so every extension of a mailbox type. */
export const DEFAULT_ARCHIVE_POLICY: ArchivePolicy = {};

/** What the policy decided for one extension. */
export interface PolicyDecision {
  archived: boolean;
  /** Why not, when not archived. */
  skipReason?: string;
}

/** Why an extension was left out; the skip reasons discovery counts by. */
export const SKIP_REASONS = {
  excludedById: 'excluded by id',
  excludedByType: (type: string) => `type ${type} excluded`,
  noMailbox: (type: string) => `type ${type} has no mailbox`,
} as const;

/** Decides one extension: id rules, then type rules, then the default. Pure. */
export function decide(
  policy: ArchivePolicy,
  extension: { id: string; type: string },
): PolicyDecision {
  if (policy.excludeIds?.includes(extension.id)) {
    return { archived: false, skipReason: SKIP_REASONS.excludedById };
  }
  if (policy.includeIds?.includes(extension.id)) return { archived: true };
  if (policy.excludeTypes?.includes(extension.type)) {
    return { archived: false, skipReason: SKIP_REASONS.excludedByType(extension.type) };
  }
  if (policy.includeTypes?.includes(extension.type)) return { archived: true };
  if (MAILBOX_TYPES.includes(extension.type)) return { archived: true };
  return { archived: false, skipReason: SKIP_REASONS.noMailbox(extension.type) };
}

const extensionId = z.string().check(z.regex(/^\d{1,20}$/, 'must be a decimal extension id'));
const extensionType = z.enum(EXTENSION_TYPES as [string, ...string[]]);
const idList = z.optional(z.readonly(z.array(extensionId)));
const typeList = z.optional(z.readonly(z.array(extensionType)));

/** The stored and written shape of a policy: known types, decimal ids, nothing else. */
export const archivePolicySchema = z.strictObject({
  includeTypes: typeList,
  excludeTypes: typeList,
  includeIds: idList,
  excludeIds: idList,
});

/**
 * Validates a policy (when written, and when read back) and drops duplicates and empty lists.
 * Throws InvalidArchivePolicyError naming the fields.
 */
export function parseArchivePolicy(value: unknown): ArchivePolicy {
  const result = z.safeParse(archivePolicySchema, value);
  if (!result.success) {
    const reasons = describeIssues(result.error, { whole: '(policy)', limit: 5 });
    throw new InvalidArchivePolicyError(`Invalid archive policy: ${reasons}`);
  }
  const policy: ArchivePolicy = {};
  for (const key of ['includeTypes', 'excludeTypes', 'includeIds', 'excludeIds'] as const) {
    const list = result.data[key];
    if (list && list.length > 0) policy[key] = [...new Set(list)];
  }
  return policy;
}
