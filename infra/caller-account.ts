import { Aws, CfnRule, Fn, type Stack, Token } from 'aws-cdk-lib';
import { fieldPath } from '../lib/validation/issues.ts';
import { accountOfArn, InfraConfigError } from './config.ts';

const CROSS_ACCOUNT_HELP =
  'a caller in another account assumes a role of this account with an external id, and that role is the one to list (docs/DEPLOY.md, "Callers in other accounts")';

/**
 * Holds `allowedCallers` to roles of the deploying account. An HTTP API has no resource policy:
 * the grant is a policy this stack attaches to the role, and for another account's ARN it would
 * silently attach it to a role of the same name in this account. With the account known at synth
 * (an `env` on the stack) a stranger fails synth; without it, a CloudFormation rule fails the
 * deploy before any resource changes.
 */
export function requireCallersOfDeployingAccount(stack: Stack, callers: readonly string[]): void {
  const [first] = callers;
  if (!first) return;
  if (!Token.isUnresolved(stack.account)) {
    callers.forEach((arn, index) => {
      if (accountOfArn(arn) === stack.account) return;
      const key = fieldPath(['allowedCallers', index]);
      throw new InfraConfigError(
        key,
        `Invalid configuration: ${key} = ${JSON.stringify(arn)}: not a role of the deploying account ${stack.account}; ${CROSS_ACCOUNT_HELP}.`,
      );
    });
    return;
  }
  // config.ts has already checked that every caller names the same account.
  const account = accountOfArn(first);
  new CfnRule(stack, 'CallersInDeployingAccount', {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.ACCOUNT_ID, account),
        assertDescription: `allowedCallers names roles of account ${account}, but this deploy goes to another account: list roles of the deploying account; ${CROSS_ACCOUNT_HELP}.`,
      },
    ],
  });
}
