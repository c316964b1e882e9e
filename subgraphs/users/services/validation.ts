/** Input rules for the users domain; each failure names the offending field. */
import { z } from 'zod';

export const usernameRule = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'must be 3–32 letters, digits, ".", "_" or "-"');
export const emailRule = z
  .string()
  .trim()
  .max(254, 'is too long')
  .regex(/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u, 'must be a valid email address')
  // One address, one spelling: `é` precomposed or decomposed is the same address (login too).
  .transform((email) => email.normalize('NFC'));
export const passwordRule = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters');
export const nameRule = z
  .string()
  .regex(/^\P{Cc}*$/u, 'must not contain control characters')
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');
