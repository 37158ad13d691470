import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATES,
  renderTemplate,
  templateFor,
  truncateUtf16,
} from '../../../lib/alerts/templates.ts';

describe('renderTemplate', () => {
  it('replaces placeholders, tolerating spaces, and empties unknown ones', () => {
    // Prepare
    const template = '{{ title }}: {{message}} [{{nope}}]';

    // Act
    const text = renderTemplate(template, { title: 'Disk', message: 'full' });

    // Assess
    expect(text).toBe('Disk: full []');
  });

  it('never expands placeholders found inside values', () => {
    // Prepare
    const values = { title: '{{secret}}', secret: 'leak' };

    // Act
    const text = renderTemplate('{{title}}', values);

    // Assess
    expect(text).toBe('{{secret}}');
  });

  it('does not read inherited properties as values', () => {
    // Prepare
    const template = '{{constructor}}{{toString}}';

    // Act
    const text = renderTemplate(template, {});

    // Assess
    expect(text).toBe('');
  });
});

describe('truncateUtf16', () => {
  it('keeps texts within the limit and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (text, max) => {
          // Act
          const result = truncateUtf16(text, max);

          // Assess
          expect(result.length).toBeLessThanOrEqual(max);
          expect(result).toBe(result.toWellFormed());
          if (text.length <= max) expect(result).toBe(text);
        },
      ),
    );
  });
});

describe('templateFor', () => {
  it('prefers the named template, then the kind override, then the default', () => {
    // Prepare
    const templates = { custom: { sms: 'C {{title}}' }, alert: 'A {{title}}' };

    // Act
    const named = templateFor(templates, 'custom', 'alert', 'sms');
    const kindFallback = templateFor(templates, 'custom', 'alert', 'pager');
    const defaults = templateFor({}, 'alarm', 'alarm', 'pager');

    // Assess
    expect([named, kindFallback, defaults]).toEqual([
      'C {{title}}',
      'A {{title}}',
      DEFAULT_TEMPLATES.alarm.pager,
    ]);
  });
});
