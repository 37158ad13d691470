/**
 * A V8 CPU profile of part of a bench child's work, through the inspector: written before the
 * child reports, so it does not depend on how the child is stopped (`--cpu-prof` writes only on a
 * clean exit).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** A running profile; `stop` writes it (a no-op when none was asked for). */
export interface CpuProfile {
  stop(): Promise<void>;
}

/**
 * Starts profiling when `directory` is given; the file is `<directory>/<name>-<pid>.cpuprofile`
 * (`<pid>.cpuprofile` without a name).
 */
export async function startCpuProfile(
  directory: string | undefined,
  name?: string,
): Promise<CpuProfile> {
  if (!directory) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(directory, { recursive: true });
      const file = `${name ? `${name}-` : ''}${process.pid}.cpuprofile`;
      await writeFile(join(directory, file), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
