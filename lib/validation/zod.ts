/**
 * The project's zod: `zod/mini`, the tree-shakable functional API, with English issue messages.
 * The classic `z` namespace is one object esbuild cannot tree-shake (about 440 KiB with every
 * locale), which alone kept the send functions' bundles over their size and cold-start goals.
 * `zod/mini` ships no default locale ("Invalid input" for every issue), so the English one is set
 * here, before any schema parses: import `z` from this module, never from `zod/mini` directly.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
// Core names by their own path: reaching them through the re-exported `core` namespace object
// would make the bundler keep all of zod's core (JSON Schema generation included).
export type { $ZodType, $ZodTypeInternals } from 'zod/v4/core';
export { $ZodError } from 'zod/v4/core';
