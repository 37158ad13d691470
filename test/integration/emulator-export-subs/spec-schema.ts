import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const specPath = fileURLToPath(
  new URL('../../../../shared/ringcentral/openapi-message-store.yaml', import.meta.url),
);

let ajv: Ajv | undefined;

/** A validator for one schema of RingCentral's OpenAPI spec (components.schemas.<name>). */
export function specSchema(name: string): ValidateFunction {
  if (!ajv) {
    const spec = parse(readFileSync(specPath, 'utf8')) as { components: unknown };
    // strict: false because the spec carries OpenAPI-only keywords (example, discriminator, x-*).
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'spec', components: spec.components });
  }
  const validate = ajv.getSchema(`spec#/components/schemas/${name}`);
  if (!validate) throw new Error(`No schema ${name} in the spec`);
  return validate;
}
