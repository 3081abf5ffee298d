import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactText } from '../app/redaction';
import { CREDENTIAL_FORMATS, Rng } from '../test/support/redactionCorpus';
import { report, summarise } from './stats';

/**
 * Issue 13: redaction throughput on 10 MB of mixed terminal output (median of 10; goal ≥ 20 MB/s)
 * and the latency of one 64 KiB output (goal ≤ 5 ms). The text is the benign operator-output
 * corpus (git, kubectl, terraform, cloud CLIs, package managers, colour codes …) with a
 * credential from the corpus every ~40 lines. Baseline, same run, same text: one pass of a
 * single key=value secret regular expression.
 */
const BENIGN_DIR = fileURLToPath(new URL('../test/fixtures/redaction/benign/', import.meta.url));
const MB = 1024 * 1024;
const BASELINE = /(?:password|passwd|pwd|secret|token|api[_-]?key)["']?[ \t]*[:=][ \t]*["']?[^\s"']+/gi;

/** `bytes` characters of mixed terminal output with secrets sprinkled through it. */
export function mixedOutput(bytes: number, seed = 1): string {
  const lines = readdirSync(BENIGN_DIR).sort().flatMap((f) => readFileSync(path.join(BENIGN_DIR, f), 'utf8').split('\n'));
  const r = new Rng(seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = i % 40 === 39 ? (CREDENTIAL_FORMATS[r.int(0, CREDENTIAL_FORMATS.length - 1)] as (typeof CREDENTIAL_FORMATS)[number]).make(r).text : `${lines[i % lines.length] as string}\n`;
    parts.push(line);
    size += line.length;
  }
  return parts.join('').slice(0, bytes);
}

function baselinePass(text: string): number {
  let n = 0;
  BASELINE.lastIndex = 0;
  while (BASELINE.exec(text) !== null) n += 1;
  return n;
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function redactionBenchmarks(): Promise<void> {
  const text = mixedOutput(10 * MB);
  const output64k = text.slice(3 * MB, 3 * MB + 64 * 1024);
  redactText(output64k); // compile every rule once before timing
  const runs: number[] = [];
  const base: number[] = [];
  let count = 0;
  for (let i = 0; i < 10; i++) {
    runs.push(time(() => (count = redactText(text).count)));
    base.push(time(() => baselinePass(text)));
  }
  const mbps = (ms: number) => (text.length / MB / (ms / 1000)).toFixed(1);
  const r = summarise(runs);
  const b = summarise(base);
  report(`redaction, 10 MB mixed terminal output (${count} secrets)`, r, b, '≥ 20 MB/s');
  console.log(`  throughput ${mbps(r.median)} MB/s (median of 10); baseline one regex pass ${mbps(b.median)} MB/s`);
  const small: number[] = [];
  const smallBase: number[] = [];
  for (let i = 0; i < 50; i++) {
    small.push(time(() => redactText(output64k)));
    smallBase.push(time(() => baselinePass(output64k)));
  }
  report('redaction, one 64 KiB output', summarise(small), summarise(smallBase), '≤ 5 ms');
}
