import { Aws, CfnRule, Fn, type Stack, Token } from 'aws-cdk-lib';
import { fieldPath } from '../lib/validation/issues.ts';
import { accountOfArn, InfraConfigError } from './config.ts';

const CROSS_ACCOUNT_HELP =
  'a caller in another account assumes a role of this account with an external id, and that role is the one to list (docs/DEPLOY.md, "Callers in other accounts")';

const KEY_ACCOUNT_HELP =
  'the stack grants kms:Decrypt only on keys of the deploying account, whose key policies the deployer controls: re-encrypt with a key of this account (docs/DEPLOY.md, "Customer keys")';

/** One configured ARN that must belong to the deploying account, with its configuration key. */
export interface DeployingAccountArn {
  /** The configuration key, e.g. `allowedCallers[0]`. */
  key: string;
  arn: string;
}

/** What a check is about, for its messages. */
interface Subject {
  /** The configuration keys, e.g. `allowedCallers`. */
  keys: string;
  /** One of them (`a role`) and several (`roles`). */
  one: string;
  many: string;
  help: string;
}

/**
 * Holds `arns` to the deploying account. With the account known at synth (an `env` on the
 * stack) a stranger fails synth; without it, the ARNs must agree among themselves and a
 * CloudFormation rule named `ruleId` fails the deploy before any resource changes.
 */
function requireDeployingAccount(
  stack: Stack,
  ruleId: string,
  arns: readonly DeployingAccountArn[],
  subject: Subject,
): void {
  const [first] = arns;
  if (!first) return;
  const known = !Token.isUnresolved(stack.account);
  const expected = known ? stack.account : accountOfArn(first.arn);
  for (const { key, arn } of arns) {
    if (accountOfArn(arn) === expected) continue;
    throw new InfraConfigError(
      key,
      `Invalid configuration: ${key} = ${JSON.stringify(arn)}: not ${subject.one} of the deploying account ${expected}; ${subject.help}.`,
    );
  }
  if (known) return;
  new CfnRule(stack, ruleId, {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.ACCOUNT_ID, expected),
        assertDescription: `${subject.keys} names ${subject.many} of account ${expected}, but this deploy goes to another account: ${subject.help}.`,
      },
    ],
  });
}

/**
 * Holds `allowedCallers` to roles of the deploying account. An HTTP API has no resource policy:
 * the grant is a policy this stack attaches to the role, and for another account's ARN it would
 * silently attach it to a role of the same name in this account.
 */
export function requireCallersOfDeployingAccount(stack: Stack, callers: readonly string[]): void {
  requireDeployingAccount(
    stack,
    'CallersInDeployingAccount',
    callers.map((arn, index) => ({ key: fieldPath(['allowedCallers', index]), arn })),
    {
      keys: 'allowedCallers',
      one: 'a role',
      many: 'roles',
      help: `list roles of the deploying account; ${CROSS_ACCOUNT_HELP}`,
    },
  );
}

/**
 * Holds the customer keys (`kmsKeyArn`, `credentialsKmsKeyArn`, `faxDocumentKmsKeyArns`) to the
 * deploying account: the stack grants `kms:Decrypt` on them.
 */
export function requireKeysOfDeployingAccount(
  stack: Stack,
  keys: readonly DeployingAccountArn[],
): void {
  requireDeployingAccount(stack, 'KeysInDeployingAccount', keys, {
    keys: 'kmsKeyArn, credentialsKmsKeyArn and faxDocumentKmsKeyArns',
    one: 'a KMS key',
    many: 'KMS keys',
    help: KEY_ACCOUNT_HELP,
  });
}
