/**
 * What `npm run smoke -- --stack` reads the archive bucket with to see how S3 answers for a
 * missing archive object. No CDK import here: the smoke tool reads it without loading
 * aws-cdk-lib.
 */
import { ARCHIVE_PREFIX } from '../lib/archive/layout.ts';

/**
 * The one key the probe role may read: under archive/, so the archive's s3:prefix condition
 * applies to it, and never written by anything.
 */
export const ARCHIVE_LISTING_PROBE_KEY = `${ARCHIVE_PREFIX}smoke-check/absent`;

/** The stack output naming the probe role (infra/constructs/archive-jobs.ts creates it). */
export const ARCHIVE_LISTING_PROBE_OUTPUT = 'ArchiveListingProbeRoleArn';
