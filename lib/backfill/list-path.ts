/**
 * The list path (the fallback when the export is not available, or asked for): each configured
 * extension's messages listed by date range and type, page by page, through the record archiver;
 * an extension is checkpointed once all its pages are archived.
 */
import type { BackfillRun } from './context.ts';

/** Backfills by listing every configured extension not yet done. */
export async function backfillViaList(run: BackfillRun): Promise<void> {
  const { options, result, progress } = run;
  progress.enter('listing');
  result.mode = 'list';
  const checkpoint = run.checkpoint.current;
  const extensionsDone = new Set(checkpoint?.mode === 'list' ? checkpoint.extensionsDone : []);
  for (const extension of options.extensions ?? ['~']) {
    if (extensionsDone.has(extension)) continue;
    for await (const page of options.ringCentral.messages.list(
      {
        extensionId: extension,
        dateFrom: options.request.dateFrom,
        dateTo: run.dateTo,
        ...(run.messageTypes ? { messageType: run.messageTypes } : {}),
        perPage: 1000,
      },
      run.call,
    )) {
      run.throwIfAborted();
      result.messagesTotal += page.records.length;
      const counts = await run.archiveRecords(page.records);
      result.bytesDownloaded += counts.archivedBytes;
      progress.report();
    }
    extensionsDone.add(extension);
    await run.checkpoint.save({
      scope: run.scope,
      mode: 'list',
      archivesDone: [],
      extensionsDone: [...extensionsDone],
    });
  }
}
