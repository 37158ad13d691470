import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * One request and its response as seen on the wire. Structurally the same as the local
 * RingCentral's `Exchange`, declared here so the contract does not depend on the emulator.
 */
export interface Exchange {
  host?: 'platform' | 'media';
  method: string;
  /** Pathname, e.g. `/restapi/v1.0/account/~/extension/~/message-store`. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  requestHeaders: Record<string, string>;
  /** Undefined when the body was not captured (binary or large): body checks are skipped. */
  requestBody?: Buffer;
  status: number;
  responseHeaders: Record<string, string>;
  /** Undefined when the body was not captured (binary or large): body checks are skipped. */
  responseBody?: Buffer;
}

/** The operation a method and path resolve to. */
export interface OperationMatch {
  operationId: string;
  /** The spec's `x-throttling-group` (Light, Medium, Heavy, Auth). */
  group?: string;
}

/** Checks exchanges against RingCentral's OpenAPI description. */
export interface Contract {
  /** Problems with one exchange; [] when request and response both conform. */
  validateExchange(exchange: Exchange): string[];
  /** Which operationId a method+path matches (undefined when the spec has no such path). */
  matchOperation(method: string, path: string): OperationMatch | undefined;
  /**
   * Problems of `value` against the spec's `components.schemas[schemaName]`; [] when it conforms.
   * Throws `ContractLoadError` for a schema the spec does not have.
   */
  validateSchema(schemaName: string, value: unknown): string[];
}

/** Choices that loosen the contract where the spec is known to under-declare. */
export interface ContractOptions {
  /**
   * The spec declares few error statuses (listMessages declares only 200), yet RingCentral
   * documents 400/401/403/404/429/5xx with its standard error body for every operation. When
   * true, an undeclared 4xx/5xx is accepted if its JSON body is a RingCentral error body
   * (`ApiErrorResponseModel`). Default false: an undeclared status is a problem.
   */
  acceptUndeclaredErrors?: boolean;
  /**
   * Media types or statuses RingCentral documents but the spec does not declare, accepted on
   * purpose (see `test/support/contract-deviations.ts`). Everything else validates strictly.
   */
  deviations?: readonly ContractDeviation[];
}

/**
 * One place where RingCentral's documented behaviour goes beyond the spec: besides what the
 * operation declares, its request body (or its response with `status`) may also come as exactly
 * `mediaType`.
 */
export interface ContractDeviation {
  /** The spec's operationId. */
  operationId: string;
  /** The request body, or the response of this status. */
  where: 'request' | { status: number };
  /** Accepted exactly (no wildcard, no other type): e.g. `text/plain`. */
  mediaType: string;
  /**
   * JSON Schema of the body (for multipart/mixed: of its first, JSON part); it may `$ref`
   * `#/components/schemas/...` of the spec. Without one the body itself is not checked.
   */
  schema?: Record<string, unknown>;
  /** What is tolerated, in words. */
  tolerates: string;
  /** The FACTS.md line that documents the real behaviour. */
  documentedBy: string;
}

/** The spec shipped beside the project: `../shared/ringcentral/openapi-message-store.yaml`. */
export const DEFAULT_SPEC_PATH = fileURLToPath(
  new URL('../../../shared/ringcentral/openapi-message-store.yaml', import.meta.url),
);

/** Raised when the spec itself cannot be read or understood. */
export class ContractLoadError extends Error {
  override name = 'ContractLoadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type JsonObject = Record<string, unknown>;

interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** Whether the (resolved) schema is an array, so a path value splits on commas. */
  isArray: boolean;
  validate: ValidateFunction;
}

interface MediaSpec {
  mediaType: string;
  /** Undefined when the media type carries no schema. */
  schema?: JsonObject;
  schemaKey?: string;
}

interface BodySpec {
  required: boolean;
  content: MediaSpec[];
}

interface ResponseSpec {
  content: MediaSpec[];
}

interface OperationSpec {
  operationId: string;
  method: string;
  template: string;
  segments: string[];
  group?: string;
  parameters: ParameterSpec[];
  requestBody?: BodySpec;
  responses: Map<string, ResponseSpec>;
}

const SPEC_ID = 'https://contract.local/ringcentral-openapi.json';
const SCHEMA_STORE = 'x-contract-schemas';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const LEGACY_PARAMS_SUFFIX = '#legacy-params';

/**
 * Reads the OpenAPI file, merges its `x-legacy-paths` and compiles every schema the operations
 * use. Defaults to the shared RingCentral spec.
 */
export async function loadContract(
  specPath: string = DEFAULT_SPEC_PATH,
  options: ContractOptions = {},
): Promise<Contract> {
  let document: JsonObject;
  try {
    document = parseYaml(await readFile(specPath, 'utf8'), { maxAliasCount: -1 }) as JsonObject;
  } catch (error) {
    throw new ContractLoadError(`cannot read OpenAPI spec ${specPath}`, { cause: error });
  }
  return buildContract(document, options);
}

function buildContract(document: JsonObject, options: ContractOptions): Contract {
  mergeLegacyPaths(document);
  const store: JsonObject = {};
  document[SCHEMA_STORE] = store;
  document.$id = SPEC_ID;

  const operations = collectOperations(document, store);
  applyDeviations(operations, options.deviations ?? [], store);
  const errorBodyKey = 'ApiErrorResponseModel';
  store[errorBodyKey] = { $ref: '#/components/schemas/ApiErrorResponseModel' };

  // Bodies are validated as they are; parameters and form fields arrive as strings, so their
  // validator coerces (and wraps single values into arrays where the schema wants an array).
  const bodyAjv = createAjv(false);
  const paramAjv = createAjv('array');
  bodyAjv.addSchema(document);
  paramAjv.addSchema(document);

  const compiled = new Map<string, ValidateFunction>();
  const compile = (ajv: Ajv, key: string): ValidateFunction => {
    const cacheKey = `${ajv === bodyAjv ? 'body' : 'param'}:${key}`;
    let validate = compiled.get(cacheKey);
    if (!validate) {
      const found = ajv.getSchema(`${SPEC_ID}#/${SCHEMA_STORE}/${key}`);
      if (!found) throw new ContractLoadError(`schema ${key} did not compile`);
      validate = found;
      compiled.set(cacheKey, validate);
    }
    return validate;
  };
  for (const operation of operations) {
    for (const parameter of operation.parameters) {
      parameter.validate = compile(paramAjv, parameterKey(operation, parameter));
    }
  }
  const context: ValidationContext = {
    bodyValidator: (key) => compile(bodyAjv, key),
    formValidator: (key) => compile(paramAjv, key),
    errorBodyValidator: () => compile(bodyAjv, errorBodyKey),
    acceptUndeclaredErrors: options.acceptUndeclaredErrors ?? false,
    document,
  };

  const match = (method: string, path: string) => findOperation(operations, method, path);
  return {
    matchOperation(method, path) {
      const found = match(method, path);
      if (!found) return undefined;
      const { operation } = found;
      return operation.group
        ? { operationId: operation.operationId, group: operation.group }
        : { operationId: operation.operationId };
    },
    validateSchema(schemaName, value) {
      const validate = bodyAjv.getSchema(
        `${SPEC_ID}#/components/schemas/${schemaName.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      );
      if (!validate) throw new ContractLoadError(`the spec has no schema ${schemaName}`);
      return validate(value) ? [] : formatErrors(schemaName, validate.errors);
    },
    validateExchange(exchange) {
      const pathname = exchange.path.split('?')[0] ?? exchange.path;
      const found = match(exchange.method, pathname);
      if (!found) {
        return [`${exchange.method.toUpperCase()} ${pathname}: no such operation in the spec`];
      }
      return [
        ...validateRequest(found.operation, found.pathValues, exchange, context),
        ...validateResponse(found.operation, exchange, context),
      ];
    },
  };
}

function createAjv(coerceTypes: false | 'array'): Ajv {
  // strict off: the spec carries `example`, `x-*`, `discriminator` (with anyOf, which Ajv's
  // discriminator support rejects) and other OpenAPI-only keywords.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes,
    validateSchema: false,
    verbose: false,
  });
  const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;
  addFormats(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31,
  });
  // int64 values above 2^53 arrive rounded, which is still an integer: type checks hold.
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('binary', { type: 'string', validate: () => true });
  ajv.addFormat('byte', {
    type: 'string',
    validate: (value: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(value),
  });
  ajv.addFormat('password', { type: 'string', validate: () => true });
  return ajv;
}

/** Moves `x-legacy-paths` into `paths`; a `#legacy-params` entry adds its parameters to a path. */
function mergeLegacyPaths(document: JsonObject): void {
  const paths = asObject(document.paths);
  const legacy = asObject(document['x-legacy-paths']);
  for (const [key, item] of Object.entries(legacy)) {
    if (key.endsWith(LEGACY_PARAMS_SUFFIX)) {
      const target = asObject(paths[key.slice(0, -LEGACY_PARAMS_SUFFIX.length)]);
      const extra = asArray(asObject(item).parameters);
      // Legacy parameters are operation-level, so they override same-named path-level ones.
      for (const method of HTTP_METHODS) {
        const operation = target[method];
        if (!isObject(operation)) continue;
        const existing = asArray(operation.parameters).filter(
          (parameter) =>
            !extra.some((added) => sameParameter(document, parameter, added as JsonObject)),
        );
        operation.parameters = [...existing, ...extra];
      }
    } else if (!(key in paths)) {
      paths[key] = item;
    }
  }
  delete document['x-legacy-paths'];
}

function sameParameter(document: JsonObject, a: unknown, b: JsonObject): boolean {
  const left = resolveRef(document, a);
  return left.name === b.name && left.in === b.in;
}

function collectOperations(document: JsonObject, store: JsonObject): OperationSpec[] {
  const operations: OperationSpec[] = [];
  for (const [template, rawItem] of Object.entries(asObject(document.paths))) {
    const item = asObject(rawItem);
    const pathLevel = asArray(item.parameters);
    for (const method of HTTP_METHODS) {
      const raw = item[method];
      if (!isObject(raw)) continue;
      const operationId = String(raw.operationId ?? `${method} ${template}`);
      const operation: OperationSpec = {
        operationId,
        method: method.toUpperCase(),
        template,
        segments: template.split('/'),
        parameters: [],
        responses: new Map(),
      };
      const group = raw['x-throttling-group'];
      if (typeof group === 'string') operation.group = group;

      const byKey = new Map<string, JsonObject>();
      for (const parameter of [...pathLevel, ...asArray(raw.parameters)]) {
        const resolved = resolveRef(document, parameter);
        byKey.set(`${resolved.in}:${resolved.name}`, resolved);
      }
      for (const parameter of byKey.values()) {
        const spec = describeParameter(document, parameter);
        const schema = parameterSchema(parameter);
        store[parameterKey(operation, spec)] = schema;
        operation.parameters.push(spec);
      }

      if (raw.requestBody !== undefined) {
        const body = resolveRef(document, raw.requestBody);
        operation.requestBody = {
          required: body.required === true,
          content: collectMedia(body.content, store, `${operationId}.request`),
        };
      }
      for (const [status, rawResponse] of Object.entries(asObject(raw.responses))) {
        const response = resolveRef(document, rawResponse);
        operation.responses.set(status.toUpperCase(), {
          content: collectMedia(response.content, store, `${operationId}.response.${status}`),
        });
      }
      operations.push(operation);
    }
  }
  return operations;
}

/** Adds each deviation's media type to its operation; a deviation the spec already covers is an error. */
function applyDeviations(
  operations: OperationSpec[],
  deviations: readonly ContractDeviation[],
  store: JsonObject,
): void {
  for (const deviation of deviations) {
    const { operationId, where } = deviation;
    const operation = operations.find((candidate) => candidate.operationId === operationId);
    if (!operation) throw new ContractLoadError(`deviation for unknown operation ${operationId}`);
    const mediaType = deviation.mediaType.toLowerCase();
    let content: MediaSpec[];
    if (where === 'request') {
      operation.requestBody ??= { required: false, content: [] };
      content = operation.requestBody.content;
    } else {
      const status = String(where.status);
      const response = operation.responses.get(status) ?? { content: [] };
      operation.responses.set(status, response);
      content = response.content;
    }
    const side = where === 'request' ? 'request' : `response.${where.status}`;
    if (content.some((media) => media.mediaType === mediaType)) {
      throw new ContractLoadError(
        `deviation ${operationId} ${side} ${mediaType} is already declared by the spec`,
      );
    }
    const entry: MediaSpec = { mediaType };
    if (deviation.schema) {
      const key = safeKey(`${operationId}.deviation.${side}.${mediaType}`);
      store[key] = deviation.schema;
      entry.schema = deviation.schema;
      entry.schemaKey = key;
    }
    content.push(entry);
  }
}

function describeParameter(document: JsonObject, parameter: JsonObject): ParameterSpec {
  const schema = resolveRef(document, parameter.schema);
  const location = String(parameter.in);
  if (!['path', 'query', 'header', 'cookie'].includes(location)) {
    throw new ContractLoadError(`parameter ${String(parameter.name)} has unknown "in" ${location}`);
  }
  return {
    name: String(parameter.name),
    in: location as ParameterSpec['in'],
    required: parameter.required === true || location === 'path',
    isArray: schema.type === 'array',
    validate: undefined as unknown as ValidateFunction,
  };
}

function parameterSchema(parameter: JsonObject): unknown {
  const schema = parameter.schema ?? {};
  // A single query value matches both branches of `oneOf: [string, array of string]` once
  // coerced, which would fail `oneOf`; for parameters either branch matching is enough.
  if (isObject(schema) && Array.isArray(schema.oneOf)) {
    const { oneOf, ...rest } = schema;
    return { ...rest, anyOf: oneOf };
  }
  return schema;
}

function parameterKey(operation: OperationSpec, parameter: Pick<ParameterSpec, 'in' | 'name'>) {
  return safeKey(`${operation.operationId}.${operation.method}.${parameter.in}.${parameter.name}`);
}

function collectMedia(content: unknown, store: JsonObject, prefix: string): MediaSpec[] {
  const media: MediaSpec[] = [];
  for (const [mediaType, rawMedia] of Object.entries(asObject(content))) {
    const schema = asObject(rawMedia).schema;
    const entry: MediaSpec = { mediaType: mediaType.toLowerCase() };
    if (isObject(schema)) {
      const key = safeKey(`${prefix}.${mediaType}`);
      store[key] = schema;
      entry.schema = schema;
      entry.schemaKey = key;
    }
    media.push(entry);
  }
  return media;
}

function safeKey(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_.-]/g, '_');
}

interface ValidationContext {
  bodyValidator(key: string): ValidateFunction;
  formValidator(key: string): ValidateFunction;
  errorBodyValidator(): ValidateFunction;
  acceptUndeclaredErrors: boolean;
  document: JsonObject;
}

function findOperation(
  operations: OperationSpec[],
  method: string,
  path: string,
): { operation: OperationSpec; pathValues: Map<string, string> } | undefined {
  const upper = method.toUpperCase();
  const segments = path.split('/').map(safeDecode);
  let best: { operation: OperationSpec; pathValues: Map<string, string> } | undefined;
  let bestParams = Number.POSITIVE_INFINITY;
  for (const operation of operations) {
    if (operation.method !== upper || operation.segments.length !== segments.length) continue;
    const pathValues = new Map<string, string>();
    let matches = true;
    for (const [index, templateSegment] of operation.segments.entries()) {
      const actual = segments[index] ?? '';
      const parameter = /^\{(.+)\}$/.exec(templateSegment);
      if (parameter?.[1]) {
        if (actual === '') {
          matches = false;
          break;
        }
        pathValues.set(parameter[1], actual);
      } else if (templateSegment !== actual) {
        matches = false;
        break;
      }
    }
    // The most literal template wins when several match.
    if (matches && pathValues.size < bestParams) {
      best = { operation, pathValues };
      bestParams = pathValues.size;
    }
  }
  return best;
}

function validateRequest(
  operation: OperationSpec,
  pathValues: Map<string, string>,
  exchange: Exchange,
  context: ValidationContext,
): string[] {
  const problems: string[] = [];
  const id = operation.operationId;
  const query = parseQuery(exchange.query);
  const headers = lowerCaseKeys(exchange.requestHeaders);

  for (const parameter of operation.parameters) {
    let value: unknown;
    if (parameter.in === 'path') {
      const raw = pathValues.get(parameter.name);
      value = raw !== undefined && parameter.isArray ? raw.split(',') : raw;
    } else if (parameter.in === 'query') {
      const values = query.get(parameter.name);
      query.delete(parameter.name);
      value = values === undefined ? undefined : values.length === 1 ? values[0] : values;
    } else if (parameter.in === 'header') {
      value = headers[parameter.name.toLowerCase()];
    } else {
      continue;
    }
    const where = `${parameter.in} parameter "${parameter.name}"`;
    if (value === undefined) {
      if (parameter.required) problems.push(`${id} request: ${where} is required`);
      continue;
    }
    if (!parameter.validate(value)) {
      problems.push(...formatErrors(`${id} request ${where}`, parameter.validate.errors));
    }
  }
  for (const name of query.keys()) {
    problems.push(`${id} request: query parameter "${name}" is not declared`);
  }

  problems.push(...validateRequestBody(operation, exchange, headers, context));
  return problems;
}

function validateRequestBody(
  operation: OperationSpec,
  exchange: Exchange,
  headers: Record<string, string>,
  context: ValidationContext,
): string[] {
  const id = operation.operationId;
  const contentType = headers['content-type'];
  const body = exchange.requestBody;
  const declared = operation.requestBody;
  const hasBody = contentType !== undefined || (body !== undefined && body.length > 0);
  if (!declared) {
    return body !== undefined && body.length > 0
      ? [`${id} request: body sent, but the operation declares no request body`]
      : [];
  }
  if (!hasBody) {
    return declared.required ? [`${id} request: body is required`] : [];
  }
  if (contentType === undefined) {
    return [`${id} request: body sent without a content type`];
  }
  const media = findMedia(declared.content, contentType);
  if (!media) {
    return [
      `${id} request: content type "${mediaTypeOf(contentType)}" is not declared ` +
        `(declared: ${declared.content.map((entry) => entry.mediaType).join(', ')})`,
    ];
  }
  if (body === undefined || !media.schemaKey) return [];
  return validateBody(`${id} request`, media, contentType, body, context, 'request');
}

function validateResponse(
  operation: OperationSpec,
  exchange: Exchange,
  context: ValidationContext,
): string[] {
  const id = operation.operationId;
  const status = exchange.status;
  const where = `${id} response ${status}`;
  const headers = lowerCaseKeys(exchange.responseHeaders);
  const contentType = headers['content-type'];
  const body = exchange.responseBody;
  const response =
    operation.responses.get(String(status)) ??
    // RFC 9110: an operation taking a Range header may answer 206 with what 200 declares.
    (status === 206 && acceptsRange(operation) ? operation.responses.get('200') : undefined) ??
    operation.responses.get(`${String(status).charAt(0)}XX`) ??
    operation.responses.get('DEFAULT');

  if (!response) {
    if (context.acceptUndeclaredErrors && status >= 400) {
      return validateErrorBody(where, contentType, body, context);
    }
    return [
      `${where}: status ${status} is not declared ` +
        `(declared: ${[...operation.responses.keys()].join(', ')})`,
    ];
  }
  if (status === 204 || status === 304) {
    return body !== undefined && body.length > 0 ? [`${where}: must not carry a body`] : [];
  }
  // A response declared without content (description only) leaves the body unconstrained.
  if (response.content.length === 0) return [];
  if (contentType === undefined) {
    return body !== undefined && body.length === 0
      ? [
          `${where}: body missing (declared: ${response.content.map((m) => m.mediaType).join(', ')})`,
        ]
      : [];
  }
  const media = findMedia(response.content, contentType);
  if (!media) {
    return [
      `${where}: content type "${mediaTypeOf(contentType)}" is not declared ` +
        `(declared: ${response.content.map((entry) => entry.mediaType).join(', ')})`,
    ];
  }
  if (body === undefined || !media.schemaKey) return [];
  return validateBody(where, media, contentType, body, context, 'response');
}

function acceptsRange(operation: OperationSpec): boolean {
  return operation.parameters.some(
    (parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'range',
  );
}

function validateErrorBody(
  where: string,
  contentType: string | undefined,
  body: Buffer | undefined,
  context: ValidationContext,
): string[] {
  if (body === undefined) return [];
  if (contentType === undefined || !isJsonMediaType(mediaTypeOf(contentType))) {
    return [`${where}: undeclared error status without a JSON error body`];
  }
  const parsed = parseJson(where, body);
  if (!parsed.ok) return [parsed.problem];
  const validate = context.errorBodyValidator();
  return validate(parsed.value) ? [] : formatErrors(`${where} (error body)`, validate.errors);
}

function validateBody(
  where: string,
  media: MediaSpec,
  contentType: string,
  body: Buffer,
  context: ValidationContext,
  side: 'request' | 'response',
): string[] {
  const mediaType = mediaTypeOf(contentType);
  const key = media.schemaKey ?? '';
  if (isJsonMediaType(mediaType)) {
    const parsed = parseJson(where, body);
    if (!parsed.ok) return [parsed.problem];
    const validate = context.bodyValidator(key);
    return validate(parsed.value) ? [] : formatErrors(where, validate.errors);
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form: JsonObject = {};
    for (const [name, values] of parseQuery(body.toString('utf8'))) {
      form[name] = values.length === 1 ? values[0] : values;
    }
    const validate = context.formValidator(key);
    return validate(form) ? [] : formatErrors(where, validate.errors);
  }
  if (mediaType.startsWith('multipart/')) {
    return validateMultipart(where, media, contentType, body, context, side);
  }
  return [];
}

/** Cheap multipart checks: boundary, part structure and, for form-data, the field names. */
function validateMultipart(
  where: string,
  media: MediaSpec,
  contentType: string,
  body: Buffer,
  context: ValidationContext,
  side: 'request' | 'response',
): string[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return [`${where}: multipart content type without a boundary`];
  const parts = splitMultipart(body, boundary);
  if (parts.length === 0)
    return [`${where}: multipart body has no parts delimited by its boundary`];
  const schema = resolveRef(context.document, media.schema);
  const mediaType = mediaTypeOf(contentType);

  if (mediaType === 'multipart/mixed') {
    const first = parts[0];
    if (!first) return [];
    const firstType = first.headers['content-type'];
    if (!firstType || !isJsonMediaType(mediaTypeOf(firstType))) {
      return [`${where}: first multipart/mixed part must be JSON`];
    }
    const parsed = parseJson(`${where} part 1`, first.body);
    if (!parsed.ok) return [parsed.problem];
    // A schema of plain `type: string` (207 responses) says nothing about the parts.
    if (schema.type === 'object' || schema.properties || schema.allOf) {
      const validate = context.bodyValidator(media.schemaKey ?? '');
      return validate(parsed.value) ? [] : formatErrors(`${where} part 1`, validate.errors);
    }
    if (side === 'response' && !isObject(parsed.value)) {
      return [`${where}: first multipart/mixed part must be a JSON object`];
    }
    return [];
  }

  const problems: string[] = [];
  const names = new Set<string>();
  for (const [index, part] of parts.entries()) {
    const disposition = part.headers['content-disposition'] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (!name) {
      problems.push(`${where}: part ${index + 1} has no form-data name`);
      continue;
    }
    names.add(name);
  }
  const properties = asObject(schema.properties);
  if (Object.keys(properties).length > 0) {
    for (const required of asArray(schema.required)) {
      if (!names.has(String(required))) {
        problems.push(`${where}: form-data field "${String(required)}" is required`);
      }
    }
    for (const name of names) {
      if (!(name in properties)) {
        problems.push(`${where}: form-data field "${name}" is not declared`);
      }
    }
  }
  return problems;
}

interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

function splitMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next === -1) break;
    const raw = body.subarray(afterDelimiter, next);
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers: Record<string, string> = {};
      for (const line of raw.subarray(0, headerEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0)
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      // Drop the CRLF that belongs to the next delimiter.
      const end =
        raw.length >= 2 && raw.subarray(raw.length - 2).toString() === '\r\n'
          ? raw.length - 2
          : raw.length;
      parts.push({ headers, body: raw.subarray(headerEnd + 4, end) });
    }
    start = next;
  }
  return parts;
}

function findMedia(declared: MediaSpec[], contentType: string): MediaSpec | undefined {
  const actual = mediaTypeOf(contentType);
  const [actualType] = actual.split('/');
  return (
    declared.find((media) => media.mediaType === actual) ??
    declared.find((media) => {
      const [type, subtype] = media.mediaType.split('/');
      return (type === '*' && subtype === '*') || (subtype === '*' && type === actualType);
    })
  );
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function parseJson(
  where: string,
  body: Buffer,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false, problem: `${where}: body is not valid JSON` };
  }
}

function parseQuery(raw: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(raw)) {
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  return values;
}

function formatErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath === '' ? '/' : error.instancePath;
    const allowed =
      error.keyword === 'enum' && Array.isArray(error.params.allowedValues)
        ? ` (${(error.params.allowedValues as unknown[]).map(String).join(', ')})`
        : '';
    return `${where}: ${path} ${error.message ?? 'is invalid'}${allowed}`;
  });
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) lowered[key.toLowerCase()] = value;
  return lowered;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function resolveRef(document: JsonObject, value: unknown): JsonObject {
  let current = value;
  for (
    let depth = 0;
    depth < 20 && isObject(current) && typeof current.$ref === 'string';
    depth++
  ) {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) throw new ContractLoadError(`unsupported $ref ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), document);
    if (current === undefined) throw new ContractLoadError(`unresolvable $ref ${ref}`);
  }
  return asObject(current);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
