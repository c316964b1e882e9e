/** Input rules for the nodes domain; each failure names the offending field. */
import { z } from 'zod';

export const nodeNameRule = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'must be 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const regionRule = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const labelsRule = z
  .array(
    z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9._/:=-]{1,63}$/,
        'must each be 1–63 letters, digits, ".", "_", "-", "/", ":" or "="',
      ),
  )
  .max(32, 'must be at most 32')
  .transform((labels) => [...new Set(labels)]);

const percent = z
  .number()
  .min(0, 'must be between 0 and 100')
  .max(100, 'must be between 0 and 100');
export const heartbeatRules = {
  cpuPercent: percent,
  memoryPercent: percent,
  diskPercent: percent,
  version: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  deploymentIds: z.array(z.string().max(64)).max(100, 'must name at most 100 deployments'),
};
