/** Webhook subscriptions: HTTP <-> `Subscriptions`, including its errors. */
import { RcError } from '../errors.ts';
import {
  apiRoute,
  jsonBody,
  type RequestContext,
  type Route,
  sendEmpty,
  sendJson,
} from '../http.ts';
import type { EmulatorState } from '../state.ts';
import { SubscriptionError } from '../subscriptions.ts';
import { ownerKey } from './resolve.ts';

const BASE = '/restapi/v1.0/subscription';

/** The subscription routes. */
export function subscriptionRoutes(state: EmulatorState): Route[] {
  const route = (
    method: string,
    path: string,
    group: Route['group'],
    handle: Route['handle'],
  ): Route =>
    apiRoute(method, path, group, async (context) => {
      try {
        await handle(context);
      } catch (error) {
        throw translate(error);
      }
    });
  const { subscriptions } = state;
  return [
    route('GET', BASE, 'Light', async (context) => {
      sendJson(context, 200, {
        uri: `${state.platformUrl()}${BASE}`,
        records: subscriptions.list(ownerKey(context)),
      });
    }),
    route('POST', BASE, 'Medium', async (context) => {
      const body = await jsonBody(context);
      const info = await subscriptions.create(ownerKey(context), body, {
        accountId: state.mailbox.accountId,
        extensionId: context.principal?.extensionId ?? '',
      });
      sendJson(context, 200, info);
    }),
    route('GET', `${BASE}/{subscriptionId}`, 'Light', async (context) => {
      const info = subscriptions.get(ownerKey(context), id(context));
      if (!info) throw SubscriptionError.notFound();
      sendJson(context, 200, info);
    }),
    route('PUT', `${BASE}/{subscriptionId}`, 'Medium', async (context) => {
      const body = await jsonBody(context);
      sendJson(
        context,
        200,
        await subscriptions.update(ownerKey(context), id(context), body ?? {}),
      );
    }),
    route('DELETE', `${BASE}/{subscriptionId}`, 'Medium', async (context) => {
      if (!subscriptions.delete(ownerKey(context), id(context))) throw SubscriptionError.notFound();
      sendEmpty(context, 204);
    }),
    route('POST', `${BASE}/{subscriptionId}/renew`, 'Light', async (context) => {
      sendJson(context, 200, subscriptions.renew(ownerKey(context), id(context)));
    }),
  ];
}

function id(context: RequestContext): string {
  return context.params.subscriptionId ?? '';
}

function translate(error: unknown): unknown {
  if (error instanceof SubscriptionError) {
    return new RcError(error.status, error.errorCode, error.message, {
      cause: error,
      ...(error.parameterName === undefined ? {} : { parameterName: error.parameterName }),
    });
  }
  return error;
}
