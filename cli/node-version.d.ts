/** The environment variable that makes the check judge another version (tests). */
export declare const PRETEND_VERSION_VARIABLE: 'CHECK_NODE_VERSION_AS';

/**
 * The one line to stop with, or undefined when `version` satisfies `engines` (a `>=x.y.z` range,
 * the only form package.json uses).
 */
export declare function nodeVersionProblem(version: string, engines: string): string | undefined;
