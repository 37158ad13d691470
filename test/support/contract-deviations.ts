/**
 * The only places where the contract accepts more than RingCentral's OpenAPI spec declares:
 * behaviour RingCentral documents (../shared/ringcentral/FACTS.md) that the trimmed spec leaves
 * out. Every other exchange validates strictly. Each entry names the FACTS.md line it rests on.
 *
 * Separate from these, `acceptUndeclaredErrors` (FACTS.md: "Error body: {"errors":[...]}") lets an
 * undeclared 4xx/5xx pass when its body is the spec's `ApiErrorResponseModel`. Only the emulator's
 * own tests, which provoke errors on purpose, turn it on; the client's contract test does not.
 */
import {
  type Contract,
  type ContractDeviation,
  type ContractOptions,
  loadContract,
} from './openapi-contract.ts';

const MULTI_STATUS_ENTRIES = {
  type: 'array',
  items: { $ref: '#/components/schemas/MultipartResponseEntryBase' },
};

/** The JSON part that opens a multipart/mixed fax: the form-data fields without the documents. */
const FAX_JSON_PART = {
  type: 'object',
  required: ['to'],
  properties: {
    to: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/FaxRequestTo' } },
    faxResolution: { $ref: '#/components/schemas/FaxResolutionEnum' },
    sendTime: { type: 'string', format: 'date-time' },
    isoCode: { $ref: '#/components/schemas/CountryIsoCode' },
    coverIndex: { type: 'integer' },
    coverPageText: { type: 'string', maxLength: 1024 },
  },
};

/** RingCentral's documented behaviour beyond the spec, one entry per tolerated media type. */
export const DOCUMENTED_DEVIATIONS: readonly ContractDeviation[] = [
  {
    operationId: 'deleteMessage',
    where: { status: 207 },
    mediaType: 'application/vnd.ringcentral.multipart+json',
    schema: MULTI_STATUS_ENTRIES,
    tolerates: 'a bulk DELETE with a failing id answers 207 with per-id results (spec: 204 only)',
    documentedBy: 'Bulk DELETE: 204 when all succeed, 207 when any fails.',
  },
  {
    operationId: 'deleteMessage',
    where: { status: 207 },
    mediaType: 'multipart/mixed',
    tolerates: 'the same 207 in the multipart/mixed format (summary part first)',
    documentedBy: 'Bulk DELETE: 204 when all succeed, 207 when any fails.',
  },
  {
    operationId: 'createFaxMessage',
    where: 'request',
    mediaType: 'multipart/mixed',
    schema: FAX_JSON_PART,
    tolerates: 'a fax sent as multipart/mixed, JSON part first (spec: multipart/form-data only)',
    documentedBy: 'or mixed: JSON part first, then documents',
  },
  {
    operationId: 'syncMessages',
    where: { status: 400 },
    mediaType: 'application/json',
    schema: { $ref: '#/components/schemas/ApiErrorResponseModel' },
    tolerates: 'an invalid or expired sync token answers 400 MSG-333 (spec: 200 only)',
    documentedBy: 'An invalid or expired token: 400 `MSG-333` "full synchronization is required"',
  },
  {
    operationId: 'readMessageContent',
    where: { status: 200 },
    mediaType: 'text/plain',
    tolerates:
      'Text and AudioTranscription attachments served as text/plain (spec: audio, image, video, pdf)',
    documentedBy:
      'Attachment: `id`, `uri`, `type` (AudioRecording, AudioTranscription, Text, SourceDocument,',
  },
];

/**
 * Loads RingCentral's spec with {@link DOCUMENTED_DEVIATIONS}: the contract every exchange
 * with the local RingCentral is checked against.
 */
export function loadRingCentralContract(
  options: Omit<ContractOptions, 'deviations'> = {},
): Promise<Contract> {
  return loadContract(undefined, { ...options, deviations: DOCUMENTED_DEVIATIONS });
}
