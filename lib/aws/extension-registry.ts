/**
 * The extension registry and the archive policy on the state table.
 *
 * Entries: `pk = extension`, `sk = <id>`, one partition read by Query pages (1 MB each). Their
 * attributes are flat (not under `value`): discovery and the archive workers each write only
 * their own fields with an UpdateItem, so neither can overwrite the other's (no read-modify-write).
 * The policy: `pk = extension-policy`, `sk = policy`, validated when written and when read.
 */
import { ExtensionNotRegisteredError } from '../extensions/errors.ts';
import { parseArchivePolicy } from '../extensions/policy.ts';
import type {
  ArchivePolicy,
  ArchivePolicyStore,
  ExtensionEntry,
  ExtensionProgress,
  ExtensionRegistry,
} from '../extensions/ports.ts';
import type { StateItem, StateTable } from './state-table.ts';

/** Partition of the registry's entries. */
export const EXTENSION_PARTITION = 'extension';
/** Partition and sort key of the archive policy. */
export const POLICY_PARTITION = 'extension-policy';
export const POLICY_SORT_KEY = 'policy';

/** The state table operations the registry uses. */
export type RegistryTable = Pick<StateTable, 'getItem' | 'updateFields' | 'queryPages'>;

const STRING_FIELDS = [
  'extensionNumber',
  'name',
  'goneSince',
  'skipReason',
  'completeThrough',
  'exportedThrough',
  'lastRunAt',
  'lastError',
  'permissionError',
  'changedAt',
  'lastPurgeAt',
  'dispatchedAt',
] as const;

/** Only an entry discovery has written may take progress or changes. */
const MUST_EXIST = { expression: 'attribute_exists(pk)' };

/** The entry of a stored item (ids as strings whatever DynamoDB returned). */
export function entryFromItem(item: StateItem): ExtensionEntry {
  const entry: ExtensionEntry = {
    id: String(item.sk),
    type: String(item.type ?? 'Unknown'),
    status: String(item.status ?? 'Unknown'),
    firstSeen: String(item.firstSeen ?? ''),
    lastSeen: String(item.lastSeen ?? ''),
    archived: item.archived === true,
  };
  for (const field of STRING_FIELDS) {
    const value = item[field];
    if (typeof value === 'string') entry[field] = value;
  }
  return entry;
}

/** Creates the ExtensionRegistry on the state table. */
export function createExtensionRegistry(
  table: RegistryTable,
  options: { pageSize?: number } = {},
): ExtensionRegistry {
  return {
    list: () => ({
      async *[Symbol.asyncIterator]() {
        const pages = table.queryPages(EXTENSION_PARTITION, { pageSize: options.pageSize });
        for await (const page of pages) for (const item of page) yield entryFromItem(item);
      },
    }),

    get: async (id) => {
      const item = await table.getItem(EXTENSION_PARTITION, id);
      return item ? entryFromItem(item) : undefined;
    },

    putDiscovered: async (entry) => {
      const optional = ['extensionNumber', 'name', 'goneSince', 'skipReason'] as const;
      await table.updateFields(EXTENSION_PARTITION, entry.id, {
        set: {
          type: entry.type,
          status: entry.status,
          lastSeen: entry.lastSeen,
          archived: entry.archived,
          ...Object.fromEntries(optional.map((field) => [field, entry[field]])),
        },
        setIfAbsent: { firstSeen: entry.firstSeen },
        remove: optional.filter((field) => entry[field] === undefined),
      });
    },

    recordProgress: async (id, progress) => {
      const { set, remove } = progressFields(progress);
      const written = await table.updateFields(EXTENSION_PARTITION, id, {
        set,
        remove,
        condition: MUST_EXIST,
      });
      if (!written) throw new ExtensionNotRegisteredError(id);
      if (progress.changedAt === null) await clearCoveredChange(table, id, progress);
    },

    markDispatched: async (ids, at) => {
      // An id discovery removed meanwhile is not written (the condition); nothing to record.
      for (const id of ids) {
        await table.updateFields(EXTENSION_PARTITION, id, {
          set: { dispatchedAt: at },
          condition: MUST_EXIST,
        });
      }
    },

    markExported: async (ids, through) => {
      // Conditional on being later: a slow run never moves the watermark back.
      for (const id of ids) {
        await table.updateFields(EXTENSION_PARTITION, id, {
          set: { exportedThrough: through },
          condition: {
            expression:
              'attribute_exists(pk) AND (attribute_not_exists(#exported) OR #exported < :through)',
            names: { '#exported': 'exportedThrough' },
            values: { ':through': through },
          },
        });
      }
    },

    markChanged: async (id, at) => {
      const written = await table.updateFields(EXTENSION_PARTITION, id, {
        set: { changedAt: at },
        condition: {
          expression: 'attribute_exists(pk) AND (attribute_not_exists(#changed) OR #changed > :at)',
          names: { '#changed': 'changedAt' },
          values: { ':at': at },
        },
      });
      if (written) return;
      // A later change than the stored one is not news; an unknown id is.
      if (!(await table.getItem(EXTENSION_PARTITION, id)))
        throw new ExtensionNotRegisteredError(id);
    },
  };
}

/** SET and REMOVE of a progress write; `changedAt: null` is handled apart (see below). */
function progressFields(progress: ExtensionProgress) {
  const set: Record<string, unknown> = {};
  if (progress.lastRunAt !== undefined) set.lastRunAt = progress.lastRunAt;
  const remove: string[] = [];
  if (progress.completeThrough !== undefined) set.completeThrough = progress.completeThrough;
  if (progress.lastPurgeAt !== undefined) set.lastPurgeAt = progress.lastPurgeAt;
  for (const field of ['lastError', 'permissionError'] as const) {
    const value = progress[field];
    if (value === null) remove.push(field);
    else if (value !== undefined) set[field] = value;
  }
  if (typeof progress.changedAt === 'string') set.changedAt = progress.changedAt;
  return { set, remove };
}

/**
 * Clears `changedAt` only if the run covered it: a webhook may have marked a change after the
 * run's sync time, and clearing that one would leave it to the next sweep.
 */
async function clearCoveredChange(table: RegistryTable, id: string, progress: ExtensionProgress) {
  const through = progress.completeThrough;
  await table.updateFields(EXTENSION_PARTITION, id, {
    remove: ['changedAt'],
    condition:
      through === undefined
        ? MUST_EXIST
        : {
            expression: 'attribute_exists(pk) AND #changed <= :through',
            names: { '#changed': 'changedAt' },
            values: { ':through': through },
          },
  });
}

/** Creates the ArchivePolicyStore on the state table; an absent policy is the default `{}`. */
export function createArchivePolicyStore(table: RegistryTable): ArchivePolicyStore {
  const fields = ['includeTypes', 'excludeTypes', 'includeIds', 'excludeIds'] as const;
  return {
    read: async () => {
      const item = await table.getItem(POLICY_PARTITION, POLICY_SORT_KEY);
      if (!item) return {};
      return parseArchivePolicy(
        Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])),
      );
    },
    write: async (policy: ArchivePolicy) => {
      const valid = parseArchivePolicy(policy);
      await table.updateFields(POLICY_PARTITION, POLICY_SORT_KEY, {
        set: Object.fromEntries(fields.map((field) => [field, valid[field]])),
        remove: fields.filter((field) => valid[field] === undefined),
      });
    },
  };
}
