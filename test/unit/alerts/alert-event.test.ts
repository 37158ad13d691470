import { describe, expect, it } from 'vitest';
import {
  ALARM_DETAIL_TYPE,
  ALERT_DETAIL_TYPE,
  type EventEnvelope,
  InvalidAlertEventError,
  toAlertNotice,
} from '../../../lib/alerts/alert-event.ts';
import { planDeliveries } from '../../../lib/alerts/deliveries.ts';

function envelope(detailType: string, detail: unknown, id = 'evt-1'): EventEnvelope {
  return {
    id,
    'detail-type': detailType,
    source: 'ringcentral-message-automation',
    time: '2026-03-01T12:00:00Z',
    region: 'eu-west-1',
    detail,
  };
}

const configured = { sms: ['+16505550111', '+16505550112'], pager: ['101002'] };

describe('toAlertNotice', () => {
  it('reads an Alert detail with defaults', () => {
    // Prepare
    const event = envelope(ALERT_DETAIL_TYPE, { title: 'Archive stalled', message: 'No sync' });

    // Act
    const notice = toAlertNotice(event);

    // Assess
    expect(notice).toMatchObject({
      eventId: 'evt-1',
      kind: 'alert',
      severity: 'error',
      template: 'alert',
      values: { title: 'Archive stalled', message: 'No sync', SEVERITY: 'ERROR' },
    });
  });

  it('reads a CloudWatch alarm state change', () => {
    // Prepare
    const event = envelope(ALARM_DETAIL_TYPE, {
      alarmName: 'SendErrors',
      state: { value: 'ALARM', reason: 'Threshold crossed', timestamp: '2026-03-01T12:00:00Z' },
      previousState: { value: 'OK', reason: '' },
      configuration: { description: 'Send failures' },
    });

    // Act
    const notice = toAlertNotice(event);

    // Assess
    expect(notice).toMatchObject({
      kind: 'alarm',
      severity: 'critical',
      values: { alarmName: 'SendErrors', state: 'ALARM', previousState: 'OK' },
    });
  });

  it.each([
    ['a missing title', ALERT_DETAIL_TYPE, { message: 'x' }, 'detail.title'],
    ['an unknown field', ALERT_DETAIL_TYPE, { title: 't', message: 'm', colour: 'red' }, 'detail'],
    [
      'a bad severity',
      ALERT_DETAIL_TYPE,
      { title: 't', message: 'm', severity: 'meh' },
      'detail.severity',
    ],
    [
      'a bad SMS override',
      ALERT_DETAIL_TYPE,
      { title: 't', message: 'm', recipients: { sms: ['12'] } },
      'detail.recipients.sms[0]',
    ],
    ['an alarm without state', ALARM_DETAIL_TYPE, { alarmName: 'A' }, 'detail.state'],
    ['an unknown detail-type', 'Something Else', {}, 'unsupported detail-type'],
  ])('rejects %s with a reason naming it', (_name, detailType, detail, reason) => {
    // Prepare
    const event = envelope(detailType, detail);

    // Act
    const attempt = () => toAlertNotice(event);

    // Assess
    expect(attempt).toThrow(InvalidAlertEventError);
    expect(attempt).toThrow(reason);
  });
});

describe('planDeliveries', () => {
  it('sends one SMS per number and one pager message to all extensions', () => {
    // Prepare
    const notice = toAlertNotice(envelope(ALERT_DETAIL_TYPE, { title: 'T', message: 'M' }));

    // Act
    const deliveries = planDeliveries(notice, configured, {});

    // Assess
    expect(deliveries.map((delivery) => [delivery.channel, delivery.to])).toEqual([
      ['sms', '+16505550111'],
      ['sms', '+16505550112'],
      ['pager', [{ extensionId: '101002' }]],
    ]);
    expect(new Set(deliveries.map((delivery) => delivery.key)).size).toBe(3);
  });

  it('uses the alert recipients and channels instead of the configured ones', () => {
    // Prepare
    const notice = toAlertNotice(
      envelope(ALERT_DETAIL_TYPE, {
        title: 'T',
        message: 'M',
        channels: ['sms'],
        recipients: { sms: ['+16505550199'] },
      }),
    );

    // Act
    const deliveries = planDeliveries(notice, configured, {});

    // Assess
    expect(deliveries).toEqual([expect.objectContaining({ channel: 'sms', to: '+16505550199' })]);
  });

  it('renders the configured template and keeps the text within the SMS limit', () => {
    // Prepare
    const notice = toAlertNotice(
      envelope(ALERT_DETAIL_TYPE, { title: 'T', message: 'x'.repeat(2000), channels: ['sms'] }),
    );

    // Act
    const [delivery] = planDeliveries(notice, configured, { alert: '{{title}}|{{message}}' });

    // Assess
    expect(delivery?.text.startsWith('T|xxx')).toBe(true);
    expect(delivery?.text.length).toBe(1000);
  });

  it('fails with a reason when nobody would be told', () => {
    // Prepare
    const notice = toAlertNotice(
      envelope(ALERT_DETAIL_TYPE, { title: 'T', message: 'M', channels: ['pager'] }),
    );

    // Act
    const attempt = () => planDeliveries(notice, { sms: ['+16505550111'], pager: [] }, {});

    // Assess
    expect(attempt).toThrow('no recipients');
  });
});
