/**
 * Which messages an alert becomes: one SMS per number (an SMS to several numbers would be a
 * group conversation) and one pager message to all extensions. Each delivery has a stable key,
 * so a retried event sends only what did not go out the first time.
 */
import type { PagerParty } from '../ringcentral/index.ts';
import {
  type AlertNotice,
  type Channel,
  type EventEnvelope,
  InvalidAlertEventError,
  type Recipients,
  toAlertNotice,
} from './alert-event.ts';
import { type AlertTemplates, renderTemplate, templateFor, truncateUtf16 } from './templates.ts';

/** RingCentral's text limits in UTF-16 units. */
export const TEXT_LIMITS: Record<Channel, number> = { sms: 1000, pager: 1024 };

/** One message to send. */
export type AlertDelivery =
  | { key: string; channel: 'sms'; to: string; text: string }
  | { key: string; channel: 'pager'; to: PagerParty[]; text: string };

function pagerParty(recipient: Recipients['pager'][number]): PagerParty {
  return typeof recipient === 'string' ? { extensionId: recipient } : recipient;
}

function partyKey(party: PagerParty): string {
  return 'extensionId' in party ? party.extensionId : `#${party.extensionNumber}`;
}

/**
 * Plans the deliveries of a notice: the notice's recipients (when given) replace the
 * configured ones per channel; `channels` limits the channels. Throws InvalidAlertEventError
 * when nobody would be told (an alert that reaches no one must not pass silently).
 */
export function planDeliveries(
  notice: AlertNotice,
  configured: Recipients,
  templates: AlertTemplates,
): AlertDelivery[] {
  const channels = new Set<Channel>(notice.channels ?? ['sms', 'pager']);
  const sms = [...new Set(notice.recipients?.sms ?? configured.sms)];
  const pager = (notice.recipients?.pager ?? configured.pager).map(pagerParty);
  const render = (channel: Channel) =>
    truncateUtf16(
      renderTemplate(templateFor(templates, notice.template, notice.kind, channel), notice.values),
      TEXT_LIMITS[channel],
    );
  const deliveries: AlertDelivery[] = [];
  if (channels.has('sms') && sms.length > 0) {
    const text = render('sms');
    for (const to of sms) {
      deliveries.push({ key: `${notice.eventId}#sms#${to}`, channel: 'sms', to, text });
    }
  }
  if (channels.has('pager') && pager.length > 0) {
    const unique = [...new Map(pager.map((party) => [partyKey(party), party])).values()];
    deliveries.push({
      key: `${notice.eventId}#pager#${unique.map(partyKey).sort().join(',')}`,
      channel: 'pager',
      to: unique,
      text: render('pager'),
    });
  }
  if (deliveries.length === 0) {
    throw new InvalidAlertEventError('no recipients for the requested channels');
  }
  if (deliveries.some((delivery) => delivery.text.trim() === '')) {
    throw new InvalidAlertEventError('the template rendered an empty text');
  }
  return deliveries;
}

/** What {@link deliveriesForEvent} needs from the function's configuration. */
export interface DeliverySettings {
  recipients: Recipients;
  templates: AlertTemplates;
  /** The sending number; without it, an alert that would send SMS is refused. */
  smsFrom?: string;
}

/**
 * The deliveries of one EventBridge event. Throws InvalidAlertEventError when the event is not a
 * valid alert or alarm, reaches nobody, or would send SMS while no sending number is configured.
 */
export function deliveriesForEvent(
  event: EventEnvelope,
  settings: DeliverySettings,
): AlertDelivery[] {
  const deliveries = planDeliveries(toAlertNotice(event), settings.recipients, settings.templates);
  if (!settings.smsFrom && deliveries.some((delivery) => delivery.channel === 'sms')) {
    throw new InvalidAlertEventError('SMS recipients given but SMS_FROM is not configured');
  }
  return deliveries;
}
