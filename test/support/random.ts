/** A small deterministic generator for generated test cases, so that a failure can be replayed. */
export function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)]!;
  return { next, pick };
}

export type Random = ReturnType<typeof random>;
