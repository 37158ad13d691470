/**
 * The extensions of a realistic account: mostly users, some disabled, frozen or never
 * activated, fax users, departments (call queues) with shared mailboxes, and the types without
 * a mailbox (IVR menus, park locations, limited extensions, ...). Ids, numbers and names follow
 * from the position in the account, so the same count and seed always give the same account.
 */
import type { ExtensionStatus, ExtensionType } from './extension-types.ts';
import type { ExtensionInfo } from './mailbox.ts';

/** What one extension is: its type and status. */
export interface ExtensionKind {
  type: ExtensionType;
  status: ExtensionStatus;
}

const FIRST_ID = 101_001;
const USER_NAMES = ['Alice Example', 'Bob Example', 'Carol Example', 'Dan Example', 'Eve Example'];
const ENABLED_USER: ExtensionKind = { type: 'User', status: 'Enabled' };

/**
 * Right after the two enabled users every account of enough extensions has one of each kind, so
 * a small account (a test's, or `--extensions 20`) shows the whole variety.
 */
const SHOWCASE: readonly ExtensionKind[] = [
  { type: 'FaxUser', status: 'Enabled' },
  { type: 'Department', status: 'Enabled' },
  { type: 'User', status: 'Disabled' },
  { type: 'User', status: 'Frozen' },
  { type: 'IvrMenu', status: 'Enabled' },
  { type: 'ParkLocation', status: 'Enabled' },
  { type: 'Limited', status: 'Enabled' },
  { type: 'VirtualUser', status: 'Enabled' },
  { type: 'User', status: 'NotActivated' },
  { type: 'Voicemail', status: 'Enabled' },
  { type: 'DigitalUser', status: 'Enabled' },
  { type: 'Announcement', status: 'Enabled' },
  { type: 'PagingOnly', status: 'Enabled' },
  { type: 'SharedLinesGroup', status: 'Enabled' },
  { type: 'ApplicationExtension', status: 'Enabled' },
];

/** The rest of a large account, by weight (per 1,000 extensions). */
const WEIGHTS: ReadonlyArray<readonly [ExtensionKind, number]> = [
  [ENABLED_USER, 710],
  [{ type: 'User', status: 'Disabled' }, 30],
  [{ type: 'User', status: 'Frozen' }, 10],
  [{ type: 'User', status: 'NotActivated' }, 20],
  [{ type: 'Department', status: 'Enabled' }, 50],
  [{ type: 'FaxUser', status: 'Enabled' }, 30],
  [{ type: 'IvrMenu', status: 'Enabled' }, 30],
  [{ type: 'ParkLocation', status: 'Enabled' }, 30],
  [{ type: 'Limited', status: 'Enabled' }, 30],
  [{ type: 'VirtualUser', status: 'Enabled' }, 15],
  [{ type: 'DigitalUser', status: 'Enabled' }, 15],
  [{ type: 'Voicemail', status: 'Enabled' }, 10],
  [{ type: 'Announcement', status: 'Enabled' }, 10],
  [{ type: 'PagingOnly', status: 'Enabled' }, 5],
  [{ type: 'SharedLinesGroup', status: 'Enabled' }, 5],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

/**
 * The kinds of an account of `count` extensions. The first two are always enabled users (the
 * JWT's user and a colleague), which keeps every mailbox of one or two extensions as it was.
 */
export function accountMix(count: number, random: () => number): ExtensionKind[] {
  return Array.from({ length: count }, (_, index) => {
    if (index < 2) return ENABLED_USER;
    const showcase = SHOWCASE[index - 2];
    if (showcase) return showcase;
    let draw = random() * TOTAL_WEIGHT;
    for (const [kind, weight] of WEIGHTS) {
      draw -= weight;
      if (draw < 0) return kind;
    }
    return ENABLED_USER;
  });
}

/** The extension at position `index` of the account (ids 101001, 101002, ...). */
export function extensionAt(index: number, kind: ExtensionKind = ENABLED_USER): ExtensionInfo {
  const number = 101 + index;
  const suffix = String(index + 1).padStart(2, '0');
  const user = kind.type === 'User' || kind.type === 'VirtualUser' || kind.type === 'DigitalUser';
  const texts = kind.type === 'User' || kind.type === 'Department' || kind.type === 'DigitalUser';
  return {
    id: String(FIRST_ID + index),
    extensionNumber: kind.status === 'Unassigned' ? '' : String(number),
    name: user ? (USER_NAMES[index] ?? `User ${number}`) : `${kind.type} ${number}`,
    smsNumbers: texts ? [`+165055501${suffix}`] : [],
    faxNumber: `+165055511${suffix}`,
    type: kind.type,
    status: kind.status,
  };
}

/** Position of an extension id made by {@link extensionAt}. */
export function indexOfId(id: string): number {
  return Number(id) - FIRST_ID;
}
