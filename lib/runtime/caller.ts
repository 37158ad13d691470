/**
 * Who is calling an IAM-authorised route, as one service: what idempotency keys and message
 * ownership are scoped to.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`; the role name has no `/`. */
const ASSUMED_ROLE_SESSION = /^(arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+)\/[^/]+$/;

/**
 * The principal behind an IAM caller's ARN: the role for an assumed-role session (its ARN
 * without the session name), the ARN itself for a user or anything else. A service runs as one
 * role from many tasks, containers and sessions (each ECS task, Lambda container or CLI login
 * names its own session), and a retry from any of them is the same caller.
 */
export function callerPrincipal(userArn: string): string {
  return ASSUMED_ROLE_SESSION.exec(userArn)?.[1] ?? userArn;
}

/** The principal of an IAM-authorised request; `undefined` when API Gateway names no caller. */
export function callerOf(event: APIGatewayProxyEventV2): string | undefined {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } };
  const userArn = context?.authorizer?.iam?.userArn;
  return typeof userArn === 'string' && userArn !== '' ? callerPrincipal(userArn) : undefined;
}
