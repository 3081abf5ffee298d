/** Median and p95 of a sample, in the sample's unit. */
export function summarise(samples: number[]): { median: number; p95: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), n: s.length };
}

/** Prints one benchmark line: figure, baseline and ratio against the target. */
export function report(name: string, value: { median: number; p95: number; n: number }, baseline: { median: number; p95: number; n: number } | null, target: string): void {
  const ratio = baseline ? value.median / baseline.median : null;
  console.log(
    `${name.padEnd(58)} median ${value.median.toFixed(1).padStart(8)} ms  p95 ${value.p95.toFixed(1).padStart(8)} ms  (n=${value.n})` +
      (baseline ? `  baseline ${baseline.median.toFixed(1)} ms  ratio ${ratio!.toFixed(2)}×` : '') +
      `  target ${target}`,
  );
}

/** Times an async function `n` times. */
export async function timeN(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

/** The value of a dispatched call, or a throw naming the call (a benchmark stops at the first failure). */
export function unwrap<T>(r: { ok: true; value: unknown } | { ok: false; error: { message: string } }, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value as T;
}

/** Runs the two timed series of repetition `i`, the one that goes first alternating (neither always pays for a cold start). */
export async function inTurn(i: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  for (const run of i % 2 === 0 ? [a, b] : [b, a]) await run();
}
