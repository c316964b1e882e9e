/**
 * The agent's one look at its environment: it is configured by its command line only, but the
 * shell executor's commands inherit the environment it was started with (PATH, HOME, …).
 */
export function inheritedEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}
