import { describe, expect, it } from 'vitest';
import { z as classic } from 'zod';
import { toProblem } from '../../../lib/runtime/problem.ts';
import * as z from '../../../lib/validation/zod.ts';

describe('the project zod (zod/mini with English messages)', () => {
  it('reports issues in English, not zod/mini\'s bare "Invalid input"', () => {
    // Prepare
    const schema = z.object({
      name: z.string().check(z.minLength(3)),
      count: z.int().check(z.lte(10)),
    });

    // Act
    const result = schema.safeParse({ name: 'ab', count: 11 });

    // Assess
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(messages).toEqual([
      ['name', 'Too small: expected string to have >=3 characters'],
      ['count', 'Too big: expected number to be <=10'],
    ]);
  });

  it('keeps custom messages given to checks', () => {
    // Prepare
    const schema = z.string().check(z.regex(/^\d+$/, { error: 'must be digits' }));

    // Act
    const result = schema.safeParse('12a');

    // Assess
    expect(result.error?.issues[0]?.message).toBe('must be digits');
  });

  it('lets toProblem map zod/mini and classic zod errors (Powertools schemas) alike', () => {
    // Prepare
    const body = { to: [{ phoneNumber: '650' }] };
    const mini = z.object({
      to: z.array(z.object({ phoneNumber: z.string().check(z.startsWith('+')) })),
    });
    const full = classic.object({
      to: classic.array(classic.object({ phoneNumber: classic.string().startsWith('+') })),
    });
    const miniError = mini.safeParse(body).error;
    const fullError = full.safeParse(body).error;

    // Act
    const problems = [toProblem(miniError), toProblem(fullError)];

    // Assess
    for (const problem of problems) {
      expect(problem.status).toBe(400);
      expect(problem.errors).toEqual([
        { field: 'to[0].phoneNumber', message: 'Invalid string: must start with "+"' },
      ]);
    }
  });
});
