/**
 * Extension types and statuses as the spec names them (`AllExtensionTypesEnum`,
 * `ExtensionStatusEnumFull`), and which types keep a message store in the emulator.
 */

/** The spec's `ExtensionStatusEnumFull`. */
export type ExtensionStatus = 'Enabled' | 'Disabled' | 'Frozen' | 'NotActivated' | 'Unassigned';

/** Every status, in the spec's order. */
export const EXTENSION_STATUSES: readonly ExtensionStatus[] = [
  'Enabled',
  'Disabled',
  'Frozen',
  'NotActivated',
  'Unassigned',
];

/** The spec's `AllExtensionTypesEnum` (legacy `Department` is today's call queue). */
export type ExtensionType =
  | 'User'
  | 'Department'
  | 'Announcement'
  | 'Voicemail'
  | 'DigitalUser'
  | 'VirtualUser'
  | 'FaxUser'
  | 'PagingOnly'
  | 'SharedLinesGroup'
  | 'DelegatedLinesGroup'
  | 'GroupCallPickup'
  | 'IvrMenu'
  | 'ApplicationExtension'
  | 'ProxyAdmin'
  | 'RoomConnector'
  | 'ParkLocation'
  | 'Limited'
  | 'Bot'
  | 'Site'
  | 'Room'
  | 'FlexibleUser'
  | 'TieLine'
  | 'Unknown';

/** Every type, in the spec's order. */
export const EXTENSION_TYPES: readonly ExtensionType[] = [
  'User',
  'Department',
  'Announcement',
  'Voicemail',
  'DigitalUser',
  'VirtualUser',
  'FaxUser',
  'PagingOnly',
  'SharedLinesGroup',
  'DelegatedLinesGroup',
  'GroupCallPickup',
  'IvrMenu',
  'ApplicationExtension',
  'ProxyAdmin',
  'RoomConnector',
  'ParkLocation',
  'Limited',
  'Bot',
  'Site',
  'Room',
  'FlexibleUser',
  'TieLine',
  'Unknown',
];

/**
 * Types whose extension keeps messages: users of every kind, a department's (call queue's)
 * shared mailbox, a fax-only user and a message-only (Voicemail) extension. IVR menus, park
 * locations, limited extensions, paging groups and the like have none; the emulator answers
 * their message store and sync with 404 CMN-102 (its choice: RingCentral documents no answer).
 */
const MAILBOX_TYPES: ReadonlySet<ExtensionType> = new Set<ExtensionType>([
  'User',
  'Department',
  'Voicemail',
  'DigitalUser',
  'VirtualUser',
  'FaxUser',
  'FlexibleUser',
]);

/** Whether extensions of this type keep a message store. */
export function hasMailbox(type: ExtensionType): boolean {
  return MAILBOX_TYPES.has(type);
}

/** Which message types an extension of this type receives in a generated mailbox. */
export function messageTypesOf(
  type: ExtensionType,
): ReadonlyArray<'SMS' | 'Fax' | 'VoiceMail' | 'Pager'> {
  if (type === 'FaxUser') return ['Fax'];
  if (type === 'Voicemail') return ['VoiceMail'];
  if (type === 'Department') return ['SMS', 'VoiceMail'];
  return hasMailbox(type) ? ['SMS', 'Fax', 'VoiceMail', 'Pager'] : [];
}
