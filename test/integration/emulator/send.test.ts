import { beforeEach, describe, expect, it } from 'vitest';
import { exactJson, type Harness, harnessPerTest, INVALID_REQUEST } from './harness.ts';

const ALICE_SMS = '+16505550101';
const BOB_SMS = '+16505550102';

function manualMultipart(
  parts: Array<{ headers: string[]; body: Buffer | string }>,
  type = 'form-data',
) {
  const boundary = 'test-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body) : part.body);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/${type}; boundary=${boundary}` };
}

describe('local RingCentral sending', () => {
  let harness: Harness;
  const start = harnessPerTest();

  beforeEach(async () => {
    harness = await start();
  });

  function postJson(path: string, body: unknown, extra: Record<string, string> = {}) {
    return fetch(harness.ext(path), {
      method: 'POST',
      headers: { ...harness.auth, 'content-type': 'application/json', ...extra },
      body: JSON.stringify(body),
    });
  }

  function postFax(body: Buffer | FormData, contentType?: string) {
    return fetch(harness.ext('/fax'), {
      method: 'POST',
      headers: { ...harness.auth, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
  }

  it('keeps an SMS Queued with manual status updates until a carrier update moves it', async () => {
    // Prepare
    const manual = await start({ messageStatusUpdates: 'manual' });
    const response = await fetch(manual.ext('/sms'), {
      method: 'POST',
      headers: { ...manual.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: { phoneNumber: ALICE_SMS },
        to: [{ phoneNumber: BOB_SMS }],
        text: 'Parcel 8',
      }),
    });
    const { id } = (await exactJson(response)) as { id: string };
    const read = async () =>
      (await exactJson(
        await fetch(manual.ext(`/message-store/${id}`), { headers: manual.auth }),
      )) as Record<string, unknown>;
    const update = (messageId: string, body: unknown) =>
      fetch(`${manual.emulator.url}/__emulator/messages/${messageId}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const queued = await read();

    // Act
    const failed = await update(id, {
      messageStatus: 'DeliveryFailed',
      deliveryErrorCode: 'SMS-CAR-411',
    });
    const unknownStatus = await update(id, { messageStatus: 'Lost' });
    const unknownMessage = await update('1', { messageStatus: 'Sent' });

    // Assess
    expect(queued.messageStatus).toBe('Queued');
    expect(failed.status).toBe(200);
    expect(await read()).toMatchObject({
      messageStatus: 'DeliveryFailed',
      deliveryErrorCode: 'SMS-CAR-411',
      to: [{ phoneNumber: BOB_SMS, messageStatus: 'DeliveryFailed' }],
    });
    expect([unknownStatus.status, unknownMessage.status]).toEqual([400, 404]);
  });

  it('sends an SMS as a queued outbound message that later reports Delivered', async () => {
    // Act
    const response = await postJson('/sms', {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: '+14155550100' }],
      text: 'Hello 👋',
    });
    const sent = (await exactJson(response)) as {
      id: string;
      type: string;
      direction: string;
      messageStatus: string;
    };
    await new Promise((resolve) => setTimeout(resolve, 400));

    // Assess
    expect(response.status).toBe(200);
    expect(sent).toMatchObject({ type: 'SMS', direction: 'Outbound', messageStatus: 'Queued' });
    expect(harness.emulator.mailbox.get('101001', sent.id)?.messageStatus).toBe('Delivered');
    expect(harness.emulator.stats().sent.sms).toBe(1);
  });

  it('delivers an SMS to another extension of the account as an inbound message', async () => {
    // Prepare
    const before = harness.emulator.mailbox.messages('101002').length;

    // Act
    const response = await postJson('/sms', {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: BOB_SMS }],
      text: 'internal',
    });

    // Assess
    expect(response.status).toBe(200);
    const bobs = harness.emulator.mailbox.messages('101002');
    expect(bobs.length).toBe(before + 1);
    expect(bobs[0]).toMatchObject({ direction: 'Inbound', subject: 'internal' });
  });

  it('refuses SMS over 1000 UTF-16 units, from a foreign number, or to a non-E.164 number', async () => {
    // Act
    const tooLong = await postJson('/sms', {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: '+14155550100' }],
      text: '😀'.repeat(501),
    });
    const atLimit = await postJson('/sms', {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: '+14155550100' }],
      text: '😀'.repeat(500),
    });
    const foreign = await postJson('/sms', {
      from: { phoneNumber: BOB_SMS },
      to: [{ phoneNumber: '+14155550100' }],
      text: 'x',
    });
    const badTo = await postJson('/sms', {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: '555-0100' }],
      text: 'x',
    });

    // Assess
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ errors: [{ parameterName: 'text' }] });
    expect(atLimit.status).toBe(200);
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ errors: [{ errorCode: 'MSG-304' }] });
    expect(badTo.status).toBe(400);
  });

  it('sends an MMS from multipart/form-data and serves its attachment back byte for byte', async () => {
    // Prepare
    const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(30_000, 9)]);
    const form = new FormData();
    const request = {
      from: { phoneNumber: ALICE_SMS },
      to: [{ phoneNumber: '+14155550100' }],
      text: 'photo',
    };
    form.append(
      'json',
      new Blob([JSON.stringify(request)], { type: 'application/json' }),
      'request.json',
    );
    form.append('attachment', new Blob([image], { type: 'image/jpeg' }), 'photo.jpg');

    // Act (MMS parts are beyond the trimmed spec's form schema: only the response is checked)
    const response = await fetch(harness.ext('/sms'), {
      method: 'POST',
      headers: { ...harness.auth, ...INVALID_REQUEST },
      body: form,
    });
    const sent = (await exactJson(response)) as {
      attachments: Array<{ type: string; uri: string; size: number }>;
    };
    const media = sent.attachments.find((attachment) => attachment.type === 'MmsAttachment');
    const download = await fetch(media?.uri ?? '', { headers: harness.auth });

    // Assess
    expect(response.status).toBe(200);
    expect(media?.size).toBe(image.length);
    expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);
  });

  it('sends a company pager message to another extension by number', async () => {
    // Act
    const response = await postJson('/company-pager', {
      to: [{ extensionNumber: '102' }],
      text: 'lunch?',
    });
    const unknown = await postJson('/company-pager', {
      to: [{ extensionNumber: '999' }],
      text: 'lunch?',
    });

    // Assess
    expect(response.status).toBe(200);
    expect(await exactJson(response)).toMatchObject({ type: 'Pager', direction: 'Outbound' });
    expect(harness.emulator.mailbox.messages('101002')[0]).toMatchObject({
      type: 'Pager',
      direction: 'Inbound',
      subject: 'lunch?',
    });
    expect(unknown.status).toBe(400);
    expect(harness.emulator.stats().sent.pager).toBe(1);
  });

  it('sends a fax from multipart/form-data with repeated to and several documents', async () => {
    // Prepare
    const form = new FormData();
    form.append('to', '+14155550100');
    form.append('to', '+14155550101');
    form.append('faxResolution', 'High');
    form.append('coverIndex', '0');
    form.append(
      'attachment',
      new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }),
      'a.pdf',
    );
    form.append('attachment', new Blob(['plain text page']), 'b.txt');

    // Act
    const response = await postFax(form as unknown as Buffer);
    const body = (await exactJson(response)) as {
      id: string;
      to: unknown[];
      faxResolution: string;
    };

    // Assess
    expect(response.status).toBe(200);
    expect(body.to).toHaveLength(2);
    expect(body.faxResolution).toBe('High');
    expect(harness.emulator.mailbox.get('101001', body.id)?.type).toBe('Fax');
    expect(harness.emulator.stats().sent.fax).toBe(1);
  });

  it('sends a fax from multipart/mixed with the JSON part first', async () => {
    // Prepare
    const { body, contentType } = manualMultipart(
      [
        {
          headers: ['Content-Type: application/json'],
          body: JSON.stringify({ to: [{ phoneNumber: '+14155550100' }], coverPageText: 'Hi' }),
        },
        {
          headers: [
            'Content-Type: application/pdf',
            'Content-Disposition: attachment; filename="doc.pdf"',
          ],
          body: Buffer.alloc(200_000, 7),
        },
      ],
      'mixed',
    );

    // Act
    const response = await postFax(body, contentType);

    // Assess
    expect(response.status).toBe(200);
    expect(await exactJson(response)).toMatchObject({
      type: 'Fax',
      coverPageText: 'Hi',
      messageStatus: 'Queued',
    });
  });

  it('refuses bad fax documents: no file name, empty, unsupported type, over 50 MB', async () => {
    // Prepare
    const doc = (disposition: string, type: string, bytes: Buffer | string) => ({
      headers: [
        `Content-Disposition: form-data; name="attachment"${disposition}`,
        `Content-Type: ${type}`,
      ],
      body: bytes,
    });
    const to = { headers: ['Content-Disposition: form-data; name="to"'], body: '+14155550100' };
    const cases = [
      manualMultipart([to, doc('', 'application/pdf', 'data')]),
      manualMultipart([to, doc('; filename="empty.pdf"', 'application/pdf', '')]),
      manualMultipart([to, doc('; filename="run.exe"', 'application/x-msdownload', 'MZ')]),
      manualMultipart([
        to,
        doc('; filename="big.pdf"', 'application/pdf', Buffer.alloc(50 * 2 ** 20 + 1)),
      ]),
    ];

    // Act
    const responses = [];
    for (const { body, contentType } of cases) {
      const response = await postFax(body, contentType);
      responses.push({
        status: response.status,
        body: (await response.json()) as { errors: Array<{ errorCode: string }> },
      });
    }

    // Assess
    expect(responses.map((response) => response.status)).toEqual([400, 400, 415, 413]);
    expect(responses.map((response) => response.body.errors[0]?.errorCode)).toEqual([
      'CMN-101',
      'MSG-347',
      'MSG-348',
      'MSG-337',
    ]);
  });

  it('lists the fax cover pages', async () => {
    // Act
    const response = await fetch(`${harness.emulator.url}/restapi/v1.0/dictionary/fax-cover-page`, {
      headers: harness.auth,
    });
    const body = (await response.json()) as { records: Array<{ id: string; name: string }> };

    // Assess
    expect(response.status).toBe(200);
    expect(body.records[0]).toEqual({ id: '0', name: 'None' });
    expect(body.records).toHaveLength(14);
  });

  it('rejects a JSON fax request that is not multipart with 415', async () => {
    // Act
    const response = await postJson(
      '/fax',
      { to: [{ phoneNumber: '+14155550100' }] },
      INVALID_REQUEST,
    );

    // Assess
    expect(response.status).toBe(415);
  });
});
