import { spawn } from 'node:child_process';

/** How a command ended: its exit code and everything it printed (stdout and stderr, in order). */
export interface CommandRun {
  code: number | null;
  output: string;
}

/** Runs `command` to its end with exactly `env` (nothing inherited), collecting its output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
