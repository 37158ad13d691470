/**
 * The fax document types RingCentral documents as accepted, by file extension. A fax part's
 * content type is taken from here (RingCentral answers MSG-348 / 415 for anything else).
 */

/** File extension (lower case, no dot) -> MIME type. */
export const FAX_DOCUMENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['pdf', 'application/pdf'],
  ['tif', 'image/tiff'],
  ['tiff', 'image/tiff'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['gif', 'image/gif'],
  ['bmp', 'image/bmp'],
  ['txt', 'text/plain'],
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['rtf', 'application/rtf'],
  ['doc', 'application/msword'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xls', 'application/vnd.ms-excel'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt', 'application/vnd.ms-powerpoint'],
  ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['ps', 'application/postscript'],
]);

/** The accepted MIME types. */
export const FAX_MIME_TYPES: readonly string[] = [...new Set(FAX_DOCUMENT_TYPES.values())];

/** The MIME type of a file name's extension, or undefined when it is not an accepted type. */
export function faxDocumentType(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return undefined;
  return FAX_DOCUMENT_TYPES.get(fileName.slice(dot + 1).toLowerCase());
}

/** The last segment of an S3 key, used as the file name when the caller gives none. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
