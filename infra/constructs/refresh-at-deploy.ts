import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** What the deploy-time refresh runs and where the provider logs. */
export interface RefreshAtDeployProps {
  /** token-refresh: it answers CloudFormation's request itself (lib/session/deploy-request.ts). */
  tokenRefresh: lambda.IFunction;
  logRetention: logs.RetentionDays;
  logKey: kms.IKey;
  /**
   * Changes on every synth, so that CloudFormation sends an Update, and the refresh runs, on
   * every deploy rather than only the first; default the synth time.
   */
  deployId?: string;
}

/**
 * token-refresh, forced, on every deploy, through CDK's provider framework: a function error
 * fails the custom resource with the function's message (the RingCentral error), and with it
 * the deploy, so a deploy cannot succeed without a session. (AwsCustomResource's Lambda.invoke
 * reported success whatever the function did, and ran only when its properties changed.)
 */
export class RefreshAtDeploy extends Construct {
  /** The provider framework (its onEvent function invokes token-refresh synchronously). */
  readonly provider: cr.Provider;
  /** The provider's log group, with the stack's retention and key. */
  readonly logGroup: logs.LogGroup;
  /** The custom resource. */
  readonly resource: CustomResource;
  /** The value that differs at every synth (what makes each deploy an Update). */
  readonly deployId: string;

  constructor(scope: Construct, id: string, props: RefreshAtDeployProps) {
    super(scope, id);
    this.deployId = props.deployId ?? new Date().toISOString();
    this.logGroup = new logs.LogGroup(this, 'ProviderLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: props.tokenRefresh,
      logGroup: this.logGroup,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::TokenRefreshAtDeploy',
      properties: { deployId: this.deployId },
    });
    this.resource.node.addDependency(props.tokenRefresh);
  }
}
