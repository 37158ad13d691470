/**
 * `{{placeholder}}` templates for alert texts. Deliberately tiny: no logic, no escaping (SMS and
 * pager are plain text), one pass so that a value containing `{{x}}` is never expanded again.
 */
import * as z from '../validation/zod.ts';
import type { Channel } from './alert-event.ts';

/** A template per channel; a plain string applies to both channels. */
const templateText = () => z.string().check(z.minLength(1), z.maxLength(2000));

/** A template per channel; a plain string applies to both channels. */
export const templateSetSchema = z.union([
  templateText(),
  z.strictObject({
    sms: z.optional(templateText()),
    pager: z.optional(templateText()),
  }),
]);

/** ALERT_TEMPLATES: template sets by name (`alert`, `alarm`, or names alerts refer to). */
export const templatesSchema = z.record(
  z.string().check(z.regex(/^[\w-]{1,64}$/)),
  templateSetSchema,
);
/** ALERT_TEMPLATES (parsed). */
export type AlertTemplates = z.infer<typeof templatesSchema>;

/** The templates used when ALERT_TEMPLATES does not override them. */
export const DEFAULT_TEMPLATES = {
  alert: {
    sms: '[{{SEVERITY}}] {{title}}: {{message}} ({{source}}, {{time}})',
    pager: '[{{SEVERITY}}] {{title}}\n{{message}}\nSource: {{source}}\nTime: {{time}}',
  },
  alarm: {
    sms: '[{{state}}] {{alarmName}}: {{reason}} ({{region}}, {{time}})',
    pager:
      'CloudWatch alarm {{alarmName}} is {{state}} (was {{previousState}})\n{{reason}}\n{{description}}\nTime: {{time}}',
  },
} as const satisfies AlertTemplates;

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Replaces each `{{name}}` with its value; unknown names become empty. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) =>
    Object.hasOwn(values, name) ? (values[name] ?? '') : '',
  );
}

/**
 * Cuts `text` to at most `max` UTF-16 units (RingCentral's measure), ending with an ellipsis,
 * without splitting a surrogate pair.
 */
export function truncateUtf16(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * The template for a notice's channel: the named set from the configuration, then the default
 * of the notice's kind. A named template that does not exist falls back to the kind's default.
 */
export function templateFor(
  templates: AlertTemplates,
  name: string,
  kind: 'alert' | 'alarm',
  channel: Channel,
): string {
  for (const set of [templates[name], templates[kind]]) {
    if (typeof set === 'string') return set;
    const text = set?.[channel];
    if (text) return text;
  }
  return DEFAULT_TEMPLATES[kind][channel];
}
