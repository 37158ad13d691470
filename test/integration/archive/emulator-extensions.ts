/** The extension ids of an emulated mailbox (see local/ringcentral/seed.ts createExtensions). */
import { createExtensions } from '../../../local/ringcentral/seed.ts';

/** Ids of the first five extensions of any seeded mailbox; the first is the JWT's user. */
export const EMULATOR_USER_EXTENSIONS: readonly string[] = createExtensions(5).map(
  (extension) => extension.id,
);
