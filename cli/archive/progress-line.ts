/**
 * The archive tools' progress on stderr: one line rewritten in place (`\r`), at most every half
 * second, so a long run shows where it is without flooding the terminal or a log.
 */

const PROGRESS_INTERVAL_MS = 500;

/** A writer of progress lines that drops those within half a second of the last one written. */
export function progressLine(
  stderr: (text: string) => void,
  now: () => number,
): (line: string) => void {
  let lastWritten = 0;
  return (line) => {
    if (now() - lastWritten < PROGRESS_INTERVAL_MS) return;
    lastWritten = now();
    stderr(`\r${line}`);
  };
}
