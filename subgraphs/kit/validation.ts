import type { z } from 'zod';
import { badUserInput } from '../../platform/errors';

/** Parses `value` with `rule`, or throws BAD_USER_INPUT naming `field`. */
export function validate<T>(rule: z.ZodType<T>, value: unknown, field: string): T {
  const result = rule.safeParse(value);
  if (result.success) return result.data;
  throw badUserInput(`${field} ${result.error.issues[0]?.message ?? 'is invalid'}.`, field);
}
