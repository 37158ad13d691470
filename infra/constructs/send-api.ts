import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';

/** Settings of the HTTP API. */
export interface SendApiProps {
  /** IAM-authorised POST routes: path -> function. */
  signedRoutes: Record<string, lambda.IFunction>;
  /** IAM-authorised GET routes: path (with `{parameters}`) -> function. */
  signedReadRoutes?: Record<string, lambda.IFunction>;
  /** Public routes: path -> function (the webhook authenticates by its own token). */
  publicRoutes: Record<string, lambda.IFunction>;
  /** IAM role ARNs (of this account) allowed to call the signed routes. */
  allowedCallers: readonly string[];
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * Throttling of the public POST routes, each on its own: a flood of the open endpoint is
   * refused (429) at its own limit, whatever the limit of the signed routes.
   */
  publicRouteThrottle?: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
  /** Encrypts the access log group. */
  logKey: kms.IKey;
}

/** The HTTP API: SigV4 on the send and status routes, a public webhook, access logs, stage throttling. */
export class SendApi extends Construct {
  /** The API. */
  readonly api: apigwv2.HttpApi;
  /** Its `$default` stage. */
  readonly stage: apigwv2.HttpStage;
  /** The access log group. */
  readonly accessLogs: logs.LogGroup;
  /** The IAM-authorised POST routes by path. */
  readonly signedRoutes: Record<string, apigwv2.HttpRoute> = {};
  /** The IAM-authorised GET routes by path. */
  readonly signedReadRoutes: Record<string, apigwv2.HttpRoute> = {};
  /** The imported caller principals (their grants are policies in this stack). */
  readonly callers: IConstruct[] = [];
  /** The public routes by path. */
  readonly publicRoutes: Record<string, apigwv2.HttpRoute> = {};

  constructor(scope: Construct, id: string, props: SendApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'RingCentral message automation: send endpoints and the RingCentral webhook',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.defaultStage(props);
    this.addSignedRoutes(props);
    this.addPublicRoutes(props);
    this.throttlePublicRoutes(props);
  }

  /** A route setting per public route (the stage's RouteSettings, keyed by route key). */
  private throttlePublicRoutes(props: SendApiProps): void {
    const limits = props.publicRouteThrottle;
    if (!limits) return;
    const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
    stage.routeSettings = Object.fromEntries(
      Object.keys(props.publicRoutes).map((path) => [
        `POST ${path}`,
        // A map of route keys: CDK passes it as it is, hence CloudFormation's own casing.
        { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
      ]),
    );
    // The stage refers to routes by key: they must exist first.
    for (const route of Object.values(this.publicRoutes)) this.stage.node.addDependency(route);
  }

  /** The `$default` stage: auto-deployed, throttled, with access logs. */
  private defaultStage(props: SendApiProps): apigwv2.HttpStage {
    return new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        // Who called what and how it went; never bodies or headers (they may hold tokens).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            caller: '$context.identity.userArn',
            sourceIp: '$context.identity.sourceIp',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizeError: '$context.authorizer.error',
          }),
        ),
      },
    });
  }

  /** SigV4-signed routes, each invocable only by the allowed callers. */
  private addSignedRoutes(props: SendApiProps): void {
    const iamAuthorizer = new HttpIamAuthorizer();
    const callers = props.allowedCallers.map((arn, index) =>
      iam.Role.fromRoleArn(this, `Caller${index}`, arn, { mutable: true }),
    );
    this.callers.push(...callers);
    const routes = [
      ...Object.entries(props.signedRoutes).map(
        ([path, handler]) => [path, handler, apigwv2.HttpMethod.POST] as const,
      ),
      ...Object.entries(props.signedReadRoutes ?? {}).map(
        ([path, handler]) => [path, handler, apigwv2.HttpMethod.GET] as const,
      ),
    ];
    for (const [path, handler, method] of routes) {
      const [route] = this.api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${routeId(path)}Integration`, handler),
        authorizer: iamAuthorizer,
      });
      if (!route) throw new Error(`No route was created for ${path}`);
      const byPath = method === apigwv2.HttpMethod.GET ? this.signedReadRoutes : this.signedRoutes;
      byPath[path] = route;
      for (const caller of callers) route.grantInvoke(caller);
    }
  }

  private addPublicRoutes(props: SendApiProps): void {
    for (const [path, handler] of Object.entries(props.publicRoutes)) {
      const [route] = this.api.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration(`${routeId(path)}Integration`, handler),
        authorizer: new apigwv2.HttpNoneAuthorizer(),
      });
      if (!route) throw new Error(`No route was created for ${path}`);
      this.publicRoutes[path] = route;
    }
  }

  /** The stage's base URL (no trailing slash). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}

function routeId(path: string): string {
  return path
    .split(/[^a-zA-Z0-9]/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
