/**
 * What a notification tells the extension registry, beside the event and the archive hand-off:
 * a message-store event marks its extension changed (the dispatcher takes changed extensions
 * first; `markChanged` keeps the earliest unhandled time), and an event of the account's
 * extension list or of one extension's info starts a discovery (the `extensions` function,
 * invoked asynchronously: the webhook must answer RingCentral within 3 s). A message-store event
 * of an extension the registry does not know yet (created since the last discovery) starts a
 * discovery too, rather than failing the delivery.
 */
import { ExtensionNotRegisteredError } from '../extensions/errors.ts';
import type { ExtensionRegistry } from '../extensions/ports.ts';
import type { Notification } from './notification.ts';

/** `/restapi/v1.0/account/{id}/extension` (list) or `/restapi/v1.0/account/{id}/extension/{id}` (info). */
const EXTENSION_EVENT = /^\/restapi\/v1\.0\/account\/[^/?]+\/extension(\/\d+)?(\?.*)?$/;

/** Who runs discovery (the extensions function, `lib/aws/invoker.ts`). */
export interface DiscoveryTrigger {
  invoke(payload: { source: 'webhook' }): Promise<void>;
}

/** What the signals need; each part absent until its function or table is deployed. */
export interface ExtensionSignalDependencies {
  registry?: Pick<ExtensionRegistry, 'markChanged'>;
  discovery?: DiscoveryTrigger;
  now?: () => number;
}

/** What a notification caused, for the caller's log line and metrics. */
export interface ExtensionSignals {
  markedChanged?: string;
  discoveryInvoked: boolean;
}

/** True for an extension-list or extension-info event. */
export function isExtensionEvent(event: string): boolean {
  return EXTENSION_EVENT.test(event);
}

/** Applies what `notification` tells the registry. */
export async function applyExtensionSignals(
  notification: Notification,
  dependencies: ExtensionSignalDependencies,
): Promise<ExtensionSignals> {
  const now = dependencies.now ?? Date.now;
  const discover = async (): Promise<ExtensionSignals> => {
    if (!dependencies.discovery) return { discoveryInvoked: false };
    await dependencies.discovery.invoke({ source: 'webhook' });
    return { discoveryInvoked: true };
  };
  if (notification.kind === 'message-store' && dependencies.registry) {
    const at = notification.detail.timestamp ?? new Date(now()).toISOString();
    try {
      await dependencies.registry.markChanged(notification.detail.extensionId, at);
    } catch (error) {
      if (!(error instanceof ExtensionNotRegisteredError)) throw error;
      return discover();
    }
    return { markedChanged: notification.detail.extensionId, discoveryInvoked: false };
  }
  if (notification.kind === 'other' && isExtensionEvent(notification.detail.event)) {
    return discover();
  }
  return { discoveryInvoked: false };
}
