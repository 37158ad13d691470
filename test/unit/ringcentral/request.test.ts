import { describe, expect, it } from 'vitest';
import type { RequestInfo, RequestSpec } from '../../../lib/ringcentral/client.ts';
import { RingCentralError } from '../../../lib/ringcentral/index.ts';
import {
  bareUrlOf,
  buildRequest,
  endpointsOf,
  searchParamsOf,
} from '../../../lib/ringcentral/request.ts';

const ENDPOINTS = endpointsOf('https://platform.example/', 'https://media.example//');
const TOKEN = { accessToken: 'the-token', expiresAt: Number.MAX_SAFE_INTEGER };

function infoFor(spec: RequestSpec): RequestInfo {
  return { method: spec.method, url: bareUrlOf(spec, ENDPOINTS), group: spec.group, attempt: 1 };
}

describe('buildRequest', () => {
  it('puts a path on its host with ky prefix, repeats array parameters and drops undefined ones', () => {
    // Prepare
    const spec: RequestSpec = {
      method: 'GET',
      path: '/restapi/v1.0/account/~/extension/~/message-store',
      group: 'Light',
      query: { messageType: ['Fax', 'SMS'], perPage: 100, withAttachments: true, page: undefined },
    };

    // Act
    const request = buildRequest(spec, ENDPOINTS, { token: TOKEN }, infoFor(spec));

    // Assess
    expect(request.input).toBe(spec.path);
    expect(request.options.prefix).toBe('https://platform.example');
    expect(request.options.searchParams).toEqual([
      ['messageType', 'Fax'],
      ['messageType', 'SMS'],
      ['perPage', '100'],
      ['withAttachments', 'true'],
    ]);
    expect(request.options.headers).toEqual({
      accept: 'application/json',
      authorization: 'Bearer the-token',
    });
    expect(request.options.context).toEqual({ info: infoFor(spec) });
  });

  it('sends an absolute URL as it is and a media path to the media host', () => {
    // Prepare
    const absolute: RequestSpec = {
      method: 'GET',
      path: 'https://media.example/restapi/v1.0/content/1?x=1',
      group: 'Medium',
    };
    const media: RequestSpec = { method: 'GET', path: 'content/2', host: 'media', group: 'Medium' };

    // Act
    const absoluteRequest = buildRequest(absolute, ENDPOINTS, { token: TOKEN }, infoFor(absolute));
    const mediaRequest = buildRequest(media, ENDPOINTS, { token: TOKEN }, infoFor(media));

    // Assess
    expect(absoluteRequest.options.prefix).toBeUndefined();
    expect(absoluteRequest.input).toBe(absolute.path);
    expect(bareUrlOf(absolute, ENDPOINTS)).toBe('https://media.example/restapi/v1.0/content/1');
    expect(mediaRequest.options.prefix).toBe('https://media.example');
    expect(bareUrlOf(media, ENDPOINTS)).toBe('https://media.example/content/2');
  });

  it('hands JSON to ky, sends a form with its exact content type and creates a raw body per attempt', () => {
    // Prepare
    let created = 0;
    const json: RequestSpec = {
      method: 'POST',
      path: '/sms',
      group: 'Medium',
      body: { kind: 'json', value: { text: 'hi' } },
    };
    const form: RequestSpec = {
      method: 'POST',
      path: '/restapi/oauth/token',
      group: 'Auth',
      auth: 'basic',
      body: { kind: 'form', value: { grant_type: 'refresh_token', refresh_token: 'r' } },
    };
    const raw: RequestSpec = {
      method: 'POST',
      path: '/fax',
      group: 'Heavy',
      headers: { 'x-extra': '1' },
      accept: 'application/pdf',
      body: {
        kind: 'raw',
        contentType: 'multipart/form-data; boundary=b',
        create: () => `body ${++created}`,
        replayable: true,
      },
    };
    const client = { clientId: 'id', clientSecret: 'secret' };

    // Act
    const jsonRequest = buildRequest(json, ENDPOINTS, { token: TOKEN }, infoFor(json));
    const formRequest = buildRequest(form, ENDPOINTS, { clientCredentials: client }, infoFor(form));
    const rawFirst = buildRequest(raw, ENDPOINTS, { token: TOKEN }, infoFor(raw));
    const rawSecond = buildRequest(raw, ENDPOINTS, { token: TOKEN }, infoFor(raw));

    // Assess
    expect(jsonRequest.options.json).toEqual({ text: 'hi' });
    expect(jsonRequest.options.body).toBeUndefined();
    expect(formRequest.options.body).toBe('grant_type=refresh_token&refresh_token=r');
    expect(formRequest.options.headers).toEqual({
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('id:secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect([rawFirst.options.body, rawSecond.options.body]).toEqual(['body 1', 'body 2']);
    expect(rawFirst.options.headers).toEqual({
      'x-extra': '1',
      accept: 'application/pdf',
      authorization: 'Bearer the-token',
      'content-type': 'multipart/form-data; boundary=b',
    });
  });

  it('refuses a request whose credentials are missing', () => {
    // Prepare
    const bearer: RequestSpec = { method: 'GET', path: '/x', group: 'Light' };
    const basic: RequestSpec = { method: 'POST', path: '/x', group: 'Auth', auth: 'basic' };

    // Act
    const withoutToken = () => buildRequest(bearer, ENDPOINTS, {}, infoFor(bearer));
    const withoutClient = () => buildRequest(basic, ENDPOINTS, {}, infoFor(basic));

    // Assess
    expect(withoutToken).toThrow(RingCentralError);
    expect(withoutClient).toThrow(/No client credentials/);
  });

  it('leaves searchParams out when there is nothing to add', () => {
    // Act
    const none = searchParamsOf({ page: undefined });

    // Assess
    expect(none).toBeUndefined();
    expect(searchParamsOf(undefined)).toBeUndefined();
  });
});
