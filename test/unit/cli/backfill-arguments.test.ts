import { describe, expect, it } from 'vitest';
import {
  BackfillUsageError,
  describeReach,
  parseBackfillArguments,
} from '../../../cli/backfill/arguments.ts';

describe('parseBackfillArguments', () => {
  it('reads dates, types and switches in both --name value and --name=value forms', () => {
    // Prepare
    const argv = [
      '--from',
      '2024-01-01',
      '--to=2024-06-30T12:00:00+02:00',
      '--types',
      'fax,VoiceMail',
      '--list',
    ];

    // Act
    const parsed = parseBackfillArguments(argv);

    // Assess
    expect(parsed).toEqual({
      dateFrom: '2024-01-01T00:00:00.000Z',
      dateTo: '2024-06-30T10:00:00.000Z',
      messageTypes: ['Fax', 'VoiceMail'],
      forceList: true,
      verify: false,
      restart: false,
      help: false,
    });
  });

  it('takes extensions and a checkpoint file', () => {
    // Act
    const parsed = parseBackfillArguments([
      '--from=2024-02-03',
      '--extensions',
      '~,101001',
      '--checkpoint',
      '/tmp/x.json',
      '--restart',
      '--verify',
    ]);

    // Assess
    expect(parsed.extensions).toEqual(['~', '101001']);
    expect(parsed.checkpointFile).toBe('/tmp/x.json');
    expect(parsed.restart).toBe(true);
    expect(parsed.verify).toBe(true);
  });

  it.each([
    [[], /--from is required/],
    [['--from', 'yesterday'], /--from must be a date/],
    [['--from', '2024-01-01', '--to', '2023-01-01'], /before --from/],
    [['--from', '2024-01-01', '--types', 'Fax,Text'], /Text is not one of/],
    [['--from', '2024-01-01', '--frm', 'x'], /Unknown option --frm/],
    [['--from'], /--from needs a value/],
    [['--from', '2024-01-01', 'stray'], /Unexpected argument stray/],
    [['--from', '2024-01-01', '--extensions', 'abc'], /--extensions/],
  ])('refuses %j', (argv, message) => {
    // Act
    const parse = () => parseBackfillArguments(argv);

    // Assess
    expect(parse).toThrow(BackfillUsageError);
    expect(parse).toThrow(message);
  });
});

describe('describeReach', () => {
  it('says the export covers the whole account, beyond the scheduled archive, and the listing only --extensions', () => {
    // Act
    const exported = describeReach(parseBackfillArguments(['--from', '2024-01-01']));
    const listed = describeReach(
      parseBackfillArguments(['--from', '2024-01-01', '--list', '--extensions', '~,101002']),
    );

    // Assess
    expect(exported).toContain('the whole account, every extension');
    expect(exported).toContain('unlike the scheduled archive, which reads only ARCHIVE_EXTENSIONS');
    expect(exported).toContain('only extensions ~ are listed');
    expect(listed).toContain('only extensions ~,101002 (--list');
  });
});
