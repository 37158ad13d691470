/**
 * Where a backfill remembers how far it got, so a rerun after an interruption resumes: the export
 * task it used and which of its archives are fully stored, or (listing) which extensions are
 * done. The checkpoint only saves work; correctness never depends on it, because every write is
 * idempotent (deterministic keys, attachments already stored whole are not uploaded again, an
 * identical message.json is not rewritten).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The checkpoint of one backfill scope. */
export interface BackfillCheckpoint {
  /** What the backfill archives (dates, types, account); a checkpoint of another scope is ignored. */
  scope: string;
  mode: 'export' | 'list';
  /** The export task in use (export mode). */
  taskId?: string;
  /** Indices of the task's archives whose every entry is stored. */
  archivesDone: number[];
  /** Extensions whose listing is fully archived (list mode). */
  extensionsDone: string[];
  /** Set when the whole scope was archived. */
  completedAt?: string;
}

/** Loads and saves a checkpoint. */
export interface BackfillCheckpointStore {
  load(): Promise<BackfillCheckpoint | undefined>;
  save(checkpoint: BackfillCheckpoint): Promise<void>;
  clear(): Promise<void>;
}

/** A malformed checkpoint file. */
export class BackfillCheckpointError extends Error {
  override readonly name = 'BackfillCheckpointError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function isCheckpoint(value: unknown): value is BackfillCheckpoint {
  const candidate = value as Partial<BackfillCheckpoint> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.scope === 'string' &&
    (candidate.mode === 'export' || candidate.mode === 'list') &&
    Array.isArray(candidate.archivesDone) &&
    candidate.archivesDone.every((index) => Number.isInteger(index)) &&
    Array.isArray(candidate.extensionsDone) &&
    candidate.extensionsDone.every((extension) => typeof extension === 'string')
  );
}

/** A checkpoint in a local JSON file, replaced atomically (write, then rename) on every save. */
export function createFileCheckpointStore(path: string): BackfillCheckpointStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new BackfillCheckpointError(`${path} is not JSON`, { cause: error });
      }
      if (!isCheckpoint(value)) throw new BackfillCheckpointError(`${path} is not a checkpoint`);
      return value;
    },
    async save(checkpoint) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
      await rename(temporary, path);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}

/** A checkpoint held in memory (tests, or a caller that keeps it elsewhere). */
export function createMemoryCheckpointStore(
  initial?: BackfillCheckpoint,
): BackfillCheckpointStore & {
  current(): BackfillCheckpoint | undefined;
} {
  let stored = initial ? structuredClone(initial) : undefined;
  return {
    load: async () => (stored ? structuredClone(stored) : undefined),
    save: async (checkpoint) => {
      stored = structuredClone(checkpoint);
    },
    clear: async () => {
      stored = undefined;
    },
    current: () => (stored ? structuredClone(stored) : undefined),
  };
}

/** A run's view of its checkpoint: the one of its scope, saved as the run goes. */
export interface CheckpointKeeper {
  /** The checkpoint of this scope, if any. */
  readonly current: BackfillCheckpoint | undefined;
  save(next: BackfillCheckpoint): Promise<void>;
  /** Forgets it (a task that can never be read), so that the next run starts afresh. */
  clear(): Promise<void>;
}

/**
 * Loads the checkpoint of `scope` (another scope's is ignored). A completed one is started over
 * (its archives and extensions cleared): a rerun still checks cheaply, listing nothing new.
 */
export async function openCheckpoint(
  store: BackfillCheckpointStore,
  scope: string,
): Promise<CheckpointKeeper> {
  let current = await store.load();
  if (current?.scope !== scope) current = undefined;
  if (current?.completedAt) {
    current = { ...current, archivesDone: [], extensionsDone: [] };
    delete current.completedAt;
  }
  return {
    get current() {
      return current;
    },
    async save(next) {
      current = next;
      await store.save(next);
    },
    async clear() {
      current = undefined;
      await store.clear();
    },
  };
}
