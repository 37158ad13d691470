/**
 * The Athena table's columns, derived from the schema that validates every message.json written
 * (lib/archive/manifest.ts), so the table cannot drift from what the archive writes: a field
 * added to the schema becomes a column at the next deploy, and a test holds the stack to this.
 */
import { manifestSchema } from '../archive/manifest.ts';
import type * as z from '../validation/zod.ts';

/** One column of the Glue table: its name and Hive type. */
export interface GlueColumn {
  name: string;
  type: string;
}

interface SchemaDefinition {
  type: string;
  innerType?: z.$ZodType;
  element?: z.$ZodType;
  shape?: Record<string, z.$ZodType>;
  values?: unknown[];
  format?: string;
  checks?: Array<{ _zod: { def: { check?: string; format?: string } } }>;
}

const definitionOf = (schema: z.$ZodType) => schema._zod.def as unknown as SchemaDefinition;

function isInteger(definition: SchemaDefinition): boolean {
  if (definition.format?.includes('int')) return true;
  return (definition.checks ?? []).some((check) => check._zod.def.format?.includes('int'));
}

/** The Hive type of a zod schema: objects as structs, arrays as arrays, strings and numbers. */
export function hiveType(schema: z.$ZodType): string {
  const definition = definitionOf(schema);
  switch (definition.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return hiveType(definition.innerType as z.$ZodType);
    case 'object': {
      const fields = Object.entries(definition.shape ?? {}).map(
        ([name, field]) => `${name.toLowerCase()}:${hiveType(field)}`,
      );
      return `struct<${fields.join(',')}>`;
    }
    case 'array':
      return `array<${hiveType(definition.element as z.$ZodType)}>`;
    case 'number':
      return isInteger(definition) ? 'bigint' : 'double';
    case 'int':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'literal':
      return typeof definition.values?.[0] === 'number' ? 'int' : 'string';
    case 'string':
    case 'enum':
      return 'string';
    default:
      throw new Error(`No Hive type for a zod ${definition.type}`);
  }
}

/** The table's columns: one per top-level field of message.json, in the schema's order. */
export function glueColumns(schema: z.$ZodType = manifestSchema): GlueColumn[] {
  const definition = definitionOf(schema);
  return Object.entries(definition.shape ?? {}).map(([name, field]) => ({
    name: name.toLowerCase(),
    type: hiveType(field),
  }));
}
