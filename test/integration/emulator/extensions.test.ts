/**
 * The local RingCentral's extensions: a realistic account from the seed, listExtensions and
 * readExtension per the spec, extensions that appear and disappear, and a non-admin token.
 * Every exchange is checked against the spec (harnessPerTest).
 */
import { describe, expect, it } from 'vitest';
import { createAccountExtensions } from '../../../local/ringcentral/seed.ts';
import {
  exactJson,
  type Harness,
  harnessPerTest,
  INVALID_REQUEST,
  tokenRequest,
} from './harness.ts';

const ACCOUNT = '/restapi/v1.0/account/~';
const YEAR_AGO = new Date(Date.now() - 400 * 86_400_000).toISOString();

interface ListBody {
  records: Array<{ id: string; type: string; status: string; extensionNumber?: string }>;
  paging: { page: number; totalPages: number; totalElements: number };
  navigation: { nextPage?: { uri: string } };
}

async function get(harness: Harness, path: string, auth = harness.auth): Promise<Response> {
  return fetch(`${harness.emulator.url}${path}`, { headers: auth });
}

/** Every page of the list, following `navigation.nextPage`. */
async function listAll(harness: Harness, query: string): Promise<ListBody['records']> {
  const records: ListBody['records'] = [];
  let next: string | undefined = `${harness.emulator.url}${ACCOUNT}/extension?${query}`;
  while (next) {
    const response = await fetch(next, { headers: harness.auth });
    const body = (await exactJson(response)) as ListBody;
    records.push(...body.records);
    next = body.navigation.nextPage?.uri;
  }
  return records;
}

describe('the local RingCentral serves the account extensions', () => {
  const start = harnessPerTest();

  it('lists a realistic account from the seed, page by page and filtered by status and type', async () => {
    // Prepare
    const harness = await start({
      mailbox: { seed: 4, extensions: 24, messagesPerExtension: 3, maxAttachmentBytes: 2_000 },
    });

    // Act
    const all = await listAll(harness, 'perPage=10');
    const asleep = await listAll(harness, 'status=Disabled&status=Frozen');
    const queues = await listAll(harness, 'type=Department&type=FaxUser');
    const first = (await exactJson(
      await get(harness, `${ACCOUNT}/extension?perPage=10&page=3`),
    )) as ListBody;

    // Assess
    const expected = createAccountExtensions(24, 4);
    expect(all.map((record) => [record.id, record.type, record.status])).toEqual(
      expected.map((extension) => [extension.id, extension.type, extension.status]),
    );
    const types = new Set(all.map((record) => record.type));
    for (const type of ['User', 'FaxUser', 'Department', 'IvrMenu', 'ParkLocation', 'Limited']) {
      expect(types).toContain(type);
    }
    expect(asleep.map((record) => record.status).sort()).toEqual(
      expected
        .filter((extension) => extension.status === 'Disabled' || extension.status === 'Frozen')
        .map((extension) => extension.status)
        .sort(),
    );
    expect(asleep.length).toBeGreaterThanOrEqual(2);
    expect(new Set(queues.map((record) => record.type))).toEqual(
      new Set(['Department', 'FaxUser']),
    );
    expect(first.paging).toMatchObject({ page: 3, totalPages: 3, totalElements: 24 });
    expect(first.navigation.nextPage).toBeUndefined();
  });

  it('keeps the mailboxes of disabled users and departments, and none for an IVR menu', async () => {
    // Prepare
    const harness = await start({
      mailbox: { seed: 4, extensions: 10, messagesPerExtension: 4, maxAttachmentBytes: 2_000 },
    });
    const { extensions } = harness.emulator.mailbox;
    const disabled = extensions.find((extension) => extension.status === 'Disabled')!;
    const department = extensions.find((extension) => extension.type === 'Department')!;
    const faxUser = extensions.find((extension) => extension.type === 'FaxUser')!;
    const ivr = extensions.find((extension) => extension.type === 'IvrMenu')!;
    const store = (id: string) =>
      get(harness, `${ACCOUNT}/extension/${id}/message-store?dateFrom=${YEAR_AGO}`);

    // Act
    const disabledBody = (await exactJson(await store(disabled.id))) as ListBody;
    const departmentBody = (await exactJson(await store(department.id))) as {
      records: Array<{ type: string }>;
    };
    const faxBody = (await exactJson(await store(faxUser.id))) as {
      records: Array<{ type: string }>;
    };
    const ivrStore = await store(ivr.id);
    const ivrRead = (await exactJson(await get(harness, `${ACCOUNT}/extension/${ivr.id}`))) as {
      type: string;
    };

    // Assess
    expect(disabledBody.records).toHaveLength(4);
    expect(departmentBody.records.length).toBe(4);
    expect(
      departmentBody.records.every((record) => ['SMS', 'VoiceMail'].includes(record.type)),
    ).toBe(true);
    expect(faxBody.records.every((record) => record.type === 'Fax')).toBe(true);
    expect(ivrStore.status).toBe(404);
    expect(ivrRead.type).toBe('IvrMenu');
  });

  it('reads one extension with its account, and answers 404 CMN-102 for an unknown one', async () => {
    // Prepare
    const harness = await start({ mailbox: { seed: 2, extensions: 8, messagesPerExtension: 1 } });
    const disabled = harness.emulator.mailbox.extensions.find(
      (extension) => extension.status === 'Disabled',
    )!;

    // Act
    const own = (await exactJson(await get(harness, `${ACCOUNT}/extension/~`))) as Record<
      string,
      unknown
    >;
    const other = (await exactJson(
      await get(harness, `${ACCOUNT}/extension/${disabled.id}`),
    )) as Record<string, unknown>;
    const unknown = await get(harness, `${ACCOUNT}/extension/999999`);

    // Assess
    expect(own).toMatchObject({ id: '101001', type: 'User', status: 'Enabled' });
    expect(own.account).toMatchObject({ id: harness.emulator.mailbox.accountId });
    expect(other).toMatchObject({ id: disabled.id, status: 'Disabled', statusInfo: {} });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errorCode: string }).errorCode).toBe('CMN-102');
  });

  it('answers a non-admin token 403 CMN-408 for every other extension, and serves its own mailbox', async () => {
    // Prepare
    const harness = await start({
      mailbox: { seed: 3, extensions: 3, messagesPerExtension: 5, maxAttachmentBytes: 2_000 },
      logins: [{ jwt: 'colleague-jwt', extensionId: '101002', admin: false }],
    });
    const login = await tokenRequest(harness.emulator, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'colleague-jwt',
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const other = `${ACCOUNT}/extension/101001`;

    // Act
    const ownStore = await get(
      harness,
      `${ACCOUNT}/extension/~/message-store?dateFrom=${YEAR_AGO}`,
      auth,
    );
    const ownById = await get(harness, `${ACCOUNT}/extension/101002`, auth);
    const list = await get(harness, `${ACCOUNT}/extension`, auth);
    const denied = await Promise.all([
      get(harness, `${other}/message-store?dateFrom=${YEAR_AGO}`, auth),
      get(harness, `${other}/message-sync?syncType=FSync`, auth),
      get(harness, other, auth),
      get(harness, `${ACCOUNT}/extension/999999`, auth),
    ]);
    const bodies = (await Promise.all(denied.map((response) => response.json()))) as Array<{
      errorCode: string;
      message: string;
      permissionName: string;
      errors: Array<{ errorCode: string; permissionName: string }>;
    }>;

    // Assess
    expect([ownStore.status, ownById.status, list.status]).toEqual([200, 200, 200]);
    expect(denied.map((response) => response.status)).toEqual([403, 403, 403, 403]);
    expect(bodies.map((body) => body.errorCode)).toEqual([
      'CMN-408',
      'CMN-408',
      'CMN-408',
      'CMN-408',
    ]);
    expect(bodies.map((body) => body.permissionName)).toEqual([
      'ReadMessages',
      'ReadMessages',
      'ReadExtensions',
      'ReadExtensions',
    ]);
    expect(bodies[0]?.message).toBe(
      'In order to call this API endpoint, user needs to have [ReadMessages] permission for requested resource.',
    );
    expect(bodies[0]?.errors[0]).toMatchObject({
      errorCode: 'CMN-408',
      permissionName: 'ReadMessages',
    });
  });

  it('adds and removes extensions by hand, over HTTP and on a schedule of its clock', async () => {
    // Prepare
    let clock = 1_000_000;
    const harness = await start({
      mailbox: { seed: 5, extensions: 4, messagesPerExtension: 2, maxAttachmentBytes: 2_000 },
      now: () => clock,
      extensionSchedule: [
        { afterMs: 60_000, add: { type: 'FaxUser', status: 'Enabled' } },
        { afterMs: 120_000, remove: '101003' },
      ],
    });
    const ids = async () => (await listAll(harness, '')).map((record) => record.id);

    // Act
    const before = await ids();
    const added = harness.emulator.extensions.add();
    harness.emulator.mailbox.receive(added.id, {
      type: 'SMS',
      to: [{ phoneNumber: added.smsNumbers[0] }],
      subject: 'welcome',
    });
    const overHttp = (await (
      await fetch(`${harness.emulator.url}/__emulator/extensions`, {
        method: 'POST',
        body: JSON.stringify({ type: 'Department' }),
      })
    ).json()) as { id: string; type: string };
    const withNew = await ids();
    clock += 60_000;
    const afterFirstChange = await ids();
    clock += 60_000;
    const afterSecondChange = await ids();
    await fetch(`${harness.emulator.url}/__emulator/extensions/${added.id}`, { method: 'DELETE' });
    const removedStore = await get(harness, `${ACCOUNT}/extension/${added.id}/message-store`);
    const removedRead = await get(harness, `${ACCOUNT}/extension/${added.id}`);
    const final = await ids();

    // Assess
    expect(before).toEqual(['101001', '101002', '101003', '101004']);
    expect([added.id, overHttp.id, overHttp.type]).toEqual(['101005', '101006', 'Department']);
    expect(withNew).toEqual([...before, '101005', '101006']);
    expect(afterFirstChange).toEqual([...withNew, '101007']);
    expect(afterSecondChange).toEqual(['101001', '101002', '101004', '101005', '101006', '101007']);
    expect([removedStore.status, removedRead.status]).toEqual([404, 404]);
    expect(final).toEqual(['101001', '101002', '101004', '101006', '101007']);
  });

  it('refuses a page size beyond 1000 and an unknown type with 400 CMN-101', async () => {
    // Prepare
    const harness = await start();
    const invalid = { ...harness.auth, ...INVALID_REQUEST };

    // Act
    const tooLarge = await get(harness, `${ACCOUNT}/extension?perPage=1001`, invalid);
    const unknownType = await get(harness, `${ACCOUNT}/extension?type=Robot`, invalid);

    // Assess
    expect([tooLarge.status, unknownType.status]).toEqual([400, 400]);
  });
});
