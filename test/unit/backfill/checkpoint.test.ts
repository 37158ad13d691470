import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackfillCheckpointError,
  createFileCheckpointStore,
} from '../../../lib/backfill/checkpoint.ts';
import { backfillScope } from '../../../lib/backfill/run.ts';

describe('the file checkpoint', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'checkpoint-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('saves, loads and clears a checkpoint, creating its directory', async () => {
    // Prepare
    const path = join(directory, 'nested', 'checkpoint.json');
    const store = createFileCheckpointStore(path);
    const checkpoint = {
      scope: backfillScope({ dateFrom: '2024-01-01T00:00:00.000Z' }),
      mode: 'export' as const,
      taskId: 'task-1',
      archivesDone: [1, 3],
      extensionsDone: [],
    };

    // Act
    const before = await store.load();
    await store.save(checkpoint);
    const loaded = await store.load();
    const onDisk = JSON.parse(await readFile(path, 'utf8'));
    await store.clear();
    const after = await store.load();

    // Assess
    expect(before).toBeUndefined();
    expect(loaded).toEqual(checkpoint);
    expect(onDisk).toEqual(checkpoint);
    expect(after).toBeUndefined();
  });

  it('refuses a file that is not a checkpoint', async () => {
    // Prepare
    const path = join(directory, 'checkpoint.json');
    await writeFile(path, '{"scope":"x","mode":"export","archivesDone":"all"}');

    // Act
    const load = createFileCheckpointStore(path).load();

    // Assess
    await expect(load).rejects.toThrow(BackfillCheckpointError);
  });

  it('gives other dates or types another scope, and types in any order the same', () => {
    // Act
    const base = backfillScope({
      dateFrom: '2024-01-01T00:00:00.000Z',
      messageTypes: ['Fax', 'SMS'],
    });
    const reordered = backfillScope({
      dateFrom: '2024-01-01T00:00:00.000Z',
      messageTypes: ['SMS', 'Fax'],
    });
    const otherTypes = backfillScope({
      dateFrom: '2024-01-01T00:00:00.000Z',
      messageTypes: ['Fax'],
    });
    const otherDate = backfillScope({
      dateFrom: '2024-01-02T00:00:00.000Z',
      messageTypes: ['Fax', 'SMS'],
    });

    // Assess
    expect(reordered).toBe(base);
    expect(new Set([base, otherTypes, otherDate]).size).toBe(3);
  });
});
