/**
 * The state of the archive's behind alarm on the state table (`pk = extension-completeness`,
 * `sk = alarm`, flat attribute `behindSince`), so the dispatcher announces a backlog once.
 */
import type { CompletenessAlarmState, CompletenessAlarmStore } from '../extensions/completeness.ts';
import type { StateTable } from './state-table.ts';

/** Partition and sort key of the alarm state. */
export const COMPLETENESS_PARTITION = 'extension-completeness';
export const COMPLETENESS_SORT_KEY = 'alarm';

/** Creates the store on the state table. */
export function createCompletenessAlarmStore(
  table: Pick<StateTable, 'getItem' | 'updateFields'>,
): CompletenessAlarmStore {
  return {
    read: async () => {
      const item = await table.getItem(COMPLETENESS_PARTITION, COMPLETENESS_SORT_KEY);
      const since = item?.behindSince;
      return typeof since === 'string' ? { behindSince: since } : {};
    },
    write: async (state: CompletenessAlarmState) => {
      await table.updateFields(
        COMPLETENESS_PARTITION,
        COMPLETENESS_SORT_KEY,
        state.behindSince === undefined
          ? { remove: ['behindSince'] }
          : { set: { behindSince: state.behindSince } },
      );
    },
  };
}
