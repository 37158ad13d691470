/**
 * Runs every side of a comparison once per round, the order rotating from round to round, so no
 * side always runs first (cold) or last (warmest caches).
 */
export async function runRotating(
  rounds: number,
  sides: ReadonlyArray<() => Promise<void>>,
): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (let offset = 0; offset < sides.length; offset += 1) {
      await sides[(round + offset) % sides.length]?.();
    }
  }
}
