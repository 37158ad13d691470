import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { it } from 'vitest';
import { createObjectReader } from '../../../lib/aws/s3-objects.ts';
import { createJwtTokenSource, createRingCentral } from '../../../lib/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import { startS3rver } from '../../support/s3rver.ts';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const held = () => { gc(); const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
async function measure(label: string, work: () => Promise<unknown>) {
  const base = held(); let peak = base;
  const t = setInterval(() => { peak = Math.max(peak, held()); }, 50);
  await work(); clearInterval(t);
  console.log(label, Math.round((peak - base) / 1e6), 'MB');
}
it('debug', async () => {
  const SIZE = 30 * 1024 * 1024;
  const s3 = await startS3rver();
  await s3.createBucket('fax-documents');
  await s3.client.send(new PutObjectCommand({ Bucket: 'fax-documents', Key: 'a.pdf', Body: Buffer.alloc(SIZE, 1) }));
  const reader = createObjectReader({ client: s3.client });
  await measure('s3 read', async () => { const { stream } = await reader.open({ bucket: 'fax-documents', key: 'a.pdf' }); let n = 0; for await (const c of stream) n += (c as Buffer).length; });
  const emulator = await startEmulator({ rateLimits: { enabled: false } });
  const rc = createRingCentral({ server: emulator.url, tokenSource: createJwtTokenSource({ server: emulator.url, ...emulator.credentials }) });
  await rc.fax.coverPages();
  await measure('upload generated', async () => {
    async function* gen() { for (let i = 0; i < SIZE / 65536; i++) yield Buffer.alloc(65536, 2); }
    await rc.fax.send({ to: ['+16505550199'], coverIndex: 0, attachments: [{ fileName: 'a.pdf', contentType: 'application/pdf', content: Readable.from(gen()), size: SIZE }] });
  });
  await measure('upload s3', async () => {
    const { stream } = await reader.open({ bucket: 'fax-documents', key: 'a.pdf' });
    await rc.fax.send({ to: ['+16505550199'], coverIndex: 0, attachments: [{ fileName: 'a.pdf', contentType: 'application/pdf', content: stream, size: SIZE }] });
  });
  await emulator.stop(); await s3.stop();
}, 120000);
