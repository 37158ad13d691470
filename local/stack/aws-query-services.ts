/**
 * The AWS APIs of the query protocol (form-encoded `Action=...` requests, XML answers) that the
 * deployed path of `npm run smoke -- --stack` calls, served for the running `npm start`:
 * CloudFormation DescribeStacks (the stack's outputs) and STS AssumeRole (temporary credentials
 * for a role of the stack). Their answers have the shapes the API references document, so the
 * SDK parses them as it parses AWS's; the SDK reaches them through AWS_ENDPOINT_URL_CLOUDFORMATION
 * and AWS_ENDPOINT_URL_STS.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** A stack the local CloudFormation describes. */
export interface LocalStackDescription {
  name: string;
  outputs: Record<string, string>;
}

/** Options of {@link createQueryServices}. */
export interface QueryServicesOptions {
  region: string;
  accountId: string;
  stacks: readonly LocalStackDescription[];
  /** The role ARNs AssumeRole grants; any other is refused as IAM refuses it (AccessDenied). */
  assumableRoles: readonly string[];
  /** The clock of creation times and expirations; default `Date.now`. */
  now?: () => number;
}

/** An XML answer of the query protocol. */
export interface QueryAnswer {
  status: number;
  body: string;
}

/** Serves one query-protocol request. */
export type QueryServices = (form: URLSearchParams) => QueryAnswer;

const NAMESPACES = {
  DescribeStacks: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  AssumeRole: 'https://sts.amazonaws.com/doc/2011-06-15/',
} as const;

/** An AWS error of the query protocol. */
class QueryApiError extends Error {
  override name = 'QueryApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (char) =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? '',
  );
}

/** `<Name>value</Name>` with the value escaped. */
function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function response(action: keyof typeof NAMESPACES, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NAMESPACES[action]}"><${action}Result>${result}</${action}Result><ResponseMetadata>${element('RequestId', randomUUID())}</ResponseMetadata></${action}Response>`;
}

/** The query services of `options`. */
export function createQueryServices(options: QueryServicesOptions): QueryServices {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const stackIds = new Map(
    options.stacks.map((stack) => [
      stack.name,
      `arn:aws:cloudformation:${options.region}:${options.accountId}:stack/${stack.name}/${randomUUID()}`,
    ]),
  );

  const describeStacks = (form: URLSearchParams): string => {
    const wanted = form.get('StackName');
    const stacks = options.stacks.filter(
      (stack) => wanted === null || stack.name === wanted || stackIds.get(stack.name) === wanted,
    );
    if (wanted !== null && stacks.length === 0) {
      throw new QueryApiError(400, 'ValidationError', `Stack with id ${wanted} does not exist`);
    }
    const members = stacks.map((stack) => {
      const outputs = Object.entries(stack.outputs)
        .map(
          ([key, value]) =>
            `<member>${element('OutputKey', key)}${element('OutputValue', value)}</member>`,
        )
        .join('');
      return `<member>${element('StackName', stack.name)}${element('StackId', stackIds.get(stack.name) ?? '')}${element('CreationTime', startedAt)}${element('StackStatus', 'CREATE_COMPLETE')}<Outputs>${outputs}</Outputs></member>`;
    });
    return response('DescribeStacks', `<Stacks>${members.join('')}</Stacks>`);
  };

  const assumeRole = (form: URLSearchParams): string => {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new QueryApiError(400, 'ValidationError', 'RoleSessionName must be 2 to 64 characters');
    }
    if (!options.assumableRoles.includes(roleArn)) {
      throw new QueryApiError(
        403,
        'AccessDenied',
        `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const seconds = Number(form.get('DurationSeconds') ?? 3600);
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const keyId = `ASIALOCAL${randomBytes(8).toString('hex').toUpperCase().slice(0, 11)}`;
    const credentials = [
      element('AccessKeyId', keyId),
      element('SecretAccessKey', randomBytes(30).toString('base64url').slice(0, 40)),
      element('SessionToken', randomBytes(48).toString('base64')),
      element('Expiration', new Date(now() + seconds * 1000).toISOString()),
    ].join('');
    const user = [
      element('Arn', `arn:aws:sts::${options.accountId}:assumed-role/${roleName}/${sessionName}`),
      element('AssumedRoleId', `AROALOCAL${roleName.length}:${sessionName}`),
    ].join('');
    return response(
      'AssumeRole',
      `<Credentials>${credentials}</Credentials><AssumedRoleUser>${user}</AssumedRoleUser>`,
    );
  };

  const actions: Record<string, (form: URLSearchParams) => string> = {
    DescribeStacks: describeStacks,
    AssumeRole: assumeRole,
  };
  return (form) => {
    const action = form.get('Action') ?? '';
    try {
      const serve = actions[action];
      if (!serve) throw new QueryApiError(400, 'InvalidAction', `Not served locally: ${action}`);
      return { status: 200, body: serve(form) };
    } catch (error) {
      const known =
        error instanceof QueryApiError
          ? error
          : new QueryApiError(500, 'InternalFailure', String(error));
      return {
        status: known.status,
        body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse>${`<Error><Type>${known.status < 500 ? 'Sender' : 'Receiver'}</Type>${element('Code', known.code)}${element('Message', known.message)}</Error>`}${element('RequestId', randomUUID())}</ErrorResponse>`,
      };
    }
  };
}
