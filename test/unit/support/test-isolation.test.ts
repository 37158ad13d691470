import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { filesImportingFunctionModules } from '../../support/test-isolation.ts';

const root = mkdtempSync(join(tmpdir(), 'test-isolation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` (path relative to the root -> text) into the fixture tree. */
function tree(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('filesImportingFunctionModules', () => {
  it('finds the test files reaching functions/ directly, through other modules or dynamically', () => {
    // Prepare
    tree({
      'functions/send.ts':
        "import { helper } from '../lib/helper.ts';\nexport const handler = helper;",
      'lib/helper.ts': 'export const helper = 1;',
      'lib/wiring.ts': "export { handler } from '../functions/send.ts';",
      'test/direct.test.ts': "import { handler } from '../functions/send.ts';",
      'test/nested/through-lib.test.ts': "import { handler } from '../../lib/wiring.ts';",
      'test/dynamic.test.ts': "const module = await import('../functions/send.ts');",
      'test/lib-only.test.ts': "import { helper } from '../lib/helper.ts';",
      'test/packages-only.test.ts': "import { describe } from 'vitest';",
      'test/support/harness.ts': "import { handler } from '../../functions/send.ts';",
    });

    // Act
    const files = filesImportingFunctionModules(root);

    // Assess: only test files, and only those whose imports reach functions/.
    expect(files).toEqual([
      'test/direct.test.ts',
      'test/dynamic.test.ts',
      'test/nested/through-lib.test.ts',
    ]);
  });

  it('puts every test of the function handlers in its own worker', () => {
    // Act
    const project = fileURLToPath(new URL('../../../', import.meta.url));
    const files = filesImportingFunctionModules(project);

    // Assess
    expect(files).toContain('test/integration/functions/send-sms.test.ts');
    expect(files).toContain('test/integration/backfill/export.test.ts');
    expect(files).not.toContain('test/unit/support/test-isolation.test.ts');
  });
});
