import { describe, expect, it } from 'vitest';
import { discoverExtensions } from '../../../lib/extensions/discovery.ts';
import { ExtensionsConfigurationError } from '../../../lib/extensions/errors.ts';
import type { ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import { errorFromResponse, InsufficientPermissionsError } from '../../../lib/ringcentral/index.ts';

const refusedList = () =>
  errorFromResponse(
    403,
    {
      errorCode: 'CMN-408',
      message: 'In order to call this API endpoint, user needs to have [ReadExtensions] permission',
      errors: [{ errorCode: 'CMN-408', message: 'denied', permissionName: 'ReadExtensions' }],
    },
    {},
  );

describe('discovery with a token that may not list the extensions', () => {
  it('throws a configuration error naming the permissions and writes nothing', async () => {
    // Prepare
    const writes: string[] = [];
    const registry = {
      list: async function* () {},
      putDiscovered: async (entry: { id: string }) => {
        writes.push(entry.id);
      },
    } as unknown as ExtensionRegistry;
    const extensions = {
      list: async () => {
        throw refusedList();
      },
      get: async () => ({ id: '1' }),
    };

    // Act
    const outcome = discoverExtensions({
      extensions,
      registry,
      policies: { read: async () => ({}) },
    });

    // Assess
    const error = await outcome.catch((caught: unknown) => caught);
    expect(refusedList()).toBeInstanceOf(InsufficientPermissionsError);
    expect(error).toBeInstanceOf(ExtensionsConfigurationError);
    expect(error).toMatchObject({ operation: 'list', permission: 'ReadExtensions' });
    expect((error as Error).message).toContain('ReadAccounts');
    expect((error as Error).cause).toBeInstanceOf(InsufficientPermissionsError);
    expect(writes).toEqual([]);
  });
});
