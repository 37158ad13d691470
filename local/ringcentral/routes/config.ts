/** message-store-configuration: the retention period of faxes and voicemails. */
import { RcError } from '../errors.ts';
import { apiRoute, jsonBody, type Route, sendJson } from '../http.ts';
import type { EmulatorState } from '../state.ts';
import { resolveAccount } from './resolve.ts';

/** The message-store-configuration routes (GET and PUT). */
export function configRoutes(state: EmulatorState): Route[] {
  const path = '/restapi/v1.0/account/{accountId}/message-store-configuration';
  let retentionPeriod = 90;
  return [
    apiRoute('GET', path, 'Light', async (context) => {
      resolveAccount(state, context);
      sendJson(context, 200, { retentionPeriod });
    }),
    apiRoute('PUT', path, 'Light', async (context) => {
      resolveAccount(state, context);
      const body = (await jsonBody(context)) as { retentionPeriod?: unknown } | undefined;
      const value = body?.retentionPeriod;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 7 || value > 90) {
        throw new RcError(400, 'CMN-101', 'Parameter [retentionPeriod] value is invalid', {
          parameterName: 'retentionPeriod',
        });
      }
      retentionPeriod = value;
      sendJson(context, 200, { retentionPeriod });
    }),
  ];
}
