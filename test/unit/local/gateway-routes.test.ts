import { describe, expect, it } from 'vitest';
import { type GatewayRoute, matchRoute } from '../../../local/stack/gateway.ts';

const ROUTES: GatewayRoute[] = [
  { method: 'POST', path: '/sms', auth: 'iam', functionName: 'send-sms' },
  { method: 'GET', path: '/messages/{messageId}', auth: 'iam', functionName: 'get-message' },
];

describe('matchRoute', () => {
  it('matches literal paths and {parameter} segments, with the decoded parameter', () => {
    // Act
    const sms = matchRoute(ROUTES, 'POST', '/sms');
    const message = matchRoute(ROUTES, 'GET', '/messages/12%2034');

    // Assess
    expect(sms).toEqual({ route: ROUTES[0], pathParameters: {} });
    expect(message).toEqual({ route: ROUTES[1], pathParameters: { messageId: '12 34' } });
  });

  it('matches no other method, no empty or extra segment and no undecodable one', () => {
    // Act
    const misses = [
      matchRoute(ROUTES, 'POST', '/messages/1'),
      matchRoute(ROUTES, 'GET', '/messages/'),
      matchRoute(ROUTES, 'GET', '/messages/1/2'),
      matchRoute(ROUTES, 'GET', '/messages/%E0%A4%A'),
      matchRoute(ROUTES, 'GET', '/sms'),
    ];

    // Assess
    expect(misses).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
