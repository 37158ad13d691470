/**
 * A V8 CPU profile of part of a bench child's work, through the inspector: written before the
 * child reports, so it does not depend on how the child is stopped (`--cpu-prof` writes only on a
 * clean exit).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** A running profile; `stop` writes it (a no-op when none was asked for). */
export interface CpuProfile {
  stop(): Promise<void>;
}

/** Starts profiling when `directory` is given; the file is `<directory>/<pid>.cpuprofile`. */
export async function startCpuProfile(directory: string | undefined): Promise<CpuProfile> {
  if (!directory) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(join(directory, `${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
