import { describe, expect, it } from 'vitest';
import { applyLegalHold, type LegalHolds, messageFolder } from '../../../lib/search/legal-hold.ts';

const keys = Array.from(
  { length: 20 },
  (_, index) => `archive/1/2/2026/03/0${index % 9}/${index}/message.json`,
);

async function* matches() {
  for (const key of keys) yield { key };
}

describe('applyLegalHold', () => {
  it('sets every matched message at most `concurrency` at a time, counting versions and naming failures', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const prefixes: string[] = [];
    const holds: LegalHolds = {
      async setUnder(prefix, status) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        if (prefix.endsWith('/13/')) throw new Error('AccessDenied: Access Denied');
        prefixes.push(`${status} ${prefix}`);
        return 2;
      },
    };
    const set: string[] = [];
    const failed: string[] = [];

    // Act
    const summary = await applyLegalHold(matches(), holds, 'ON', {
      concurrency: 4,
      onSet: (key) => set.push(key),
      onFailure: (key, error) => failed.push(`${key} ${error}`),
    });

    // Assess
    expect(summary).toEqual({ messages: 19, versions: 38, failed: 1 });
    expect(most).toBe(4);
    expect(set.sort()).toEqual(keys.filter((key) => !key.includes('/13/')).sort());
    expect(failed).toEqual([`${keys[13]} Error: AccessDenied: Access Denied`]);
    expect(prefixes).toContain(`ON ${messageFolder(keys[0] as string)}`);
  });

  it('names the folder of a message.json key, and refuses any other key', () => {
    // Act
    const folder = messageFolder('archive/1/2/2026/03/01/9/message.json');

    // Assess
    expect(folder).toBe('archive/1/2/2026/03/01/9/');
    expect(() => messageFolder('archive/1/2/2026/03/01/9/attachments/1.pdf')).toThrow(
      'not a message.json key',
    );
  });
});
