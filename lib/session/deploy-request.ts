/**
 * The deploy-time refresh: CloudFormation's custom-resource request, which reaches token-refresh
 * through CDK's provider framework on every deploy. A failed refresh throws, and the framework
 * fails the deploy with the thrown message (the RingCentral error), so a deploy cannot succeed
 * with no session.
 */

/** The value the stack writes into every field of a credentials secret it creates. */
export const CREDENTIALS_PLACEHOLDER = 'REPLACE_ME';

/** The physical id of the deploy-time refresh resource: one per stack, never replaced. */
export const DEPLOY_REFRESH_ID = 'token-refresh-at-deploy';

/** The fields of a custom-resource request the refresh reads. */
export interface DeployRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
}

/**
 * What the provider framework reports to CloudFormation (it sends only PhysicalResourceId and
 * Data); `action` is repeated at the top, where a schedule's outcome has it.
 */
export interface DeployResponse {
  PhysicalResourceId: string;
  Data: { action: string };
  action: string;
}

/** Whether the event is a custom-resource request rather than a schedule or a manual invoke. */
export function isDeployRequest(event: { RequestType?: unknown }): event is DeployRequest {
  return (
    event.RequestType === 'Create' ||
    event.RequestType === 'Update' ||
    event.RequestType === 'Delete'
  );
}

/**
 * Whether the credentials are still the stack's template: the documented first deploy creates
 * the secret and the deployer fills it afterwards, so that deploy must not fail on it.
 */
export function isPlaceholderCredentials(credentials: { clientId: string; jwt: string }): boolean {
  return (
    credentials.clientId === CREDENTIALS_PLACEHOLDER || credentials.jwt === CREDENTIALS_PLACEHOLDER
  );
}

/** The answer to CloudFormation: the fixed id and what the refresh did. */
export function deployResponse(action: string): DeployResponse {
  return { PhysicalResourceId: DEPLOY_REFRESH_ID, Data: { action }, action };
}
