import { sha256Hex } from '../../app/chain';
import { DEFAULT_POLICY, parsePolicyYaml, type PolicyLoad } from '../../app/policy';
import type { PolicyInForce } from '../../app/ports';
import { filesNotInForce, type GovernedFiles } from './governedState';

/** The policy in force where the repository has no policy.yaml. */
export function builtInPolicy(): Extract<PolicyInForce, { ok: true }> {
  return { ok: true, policy: DEFAULT_POLICY, sha256: sha256Hex(''), source: 'built-in' };
}

/**
 * The policy in force (issue 12 item 5, issue 15): the newest policy the organisation branch's
 * governance history adopted (governedState.ts) when it is valid; when it is not, the newest valid
 * one adopted before it (else the built-in default) stays in force, and the invalid file's problems
 * are carried as `rejected`. A policy.yaml in the tip's tree that was never adopted (a plain commit,
 * one admin's approval of two) is carried as `notInForce`, so every view can say so. Break-glass
 * is for the day everything else is broken: a bad policy pushed by anyone must not stop declaring
 * or closing, nor weaken it. Parses are kept by blob id (a blob id names its text).
 */
export class PolicyReader {
  private readonly parsed = new Map<string, { load: PolicyLoad; sha256: string }>();

  constructor(private readonly catBlobs: (blobs: readonly string[]) => Promise<Map<string, string>>) {}

  /** The policy in force under `governed` (null: no organisation branch), whose tip's tree holds policy.yaml `tipBlob` (null: none). */
  async inForce(governed: GovernedFiles | null, tipBlob: string | null): Promise<PolicyInForce> {
    const outside = filesNotInForce(governed, { 'policy.yaml': tipBlob, 'roster.yaml': governed?.roster ?? null })[0];
    const extra = outside ? { notInForce: { sha256: tipBlob ? (await this.parse(tipBlob)).sha256 : sha256Hex(''), reason: outside.reason } } : {};
    const blob = governed?.policy ?? null;
    if (!blob) return { ...builtInPolicy(), ...extra };
    const newest = await this.parse(blob);
    if (newest.load.ok) return { ok: true, policy: newest.load.policy, sha256: newest.sha256, source: 'repository', ...extra };
    const rejected = { problems: newest.load.problems, sha256: newest.sha256 };
    const earlier = governed!.policies.filter((b) => b !== blob).reverse();
    await this.parseAll(earlier);
    for (const b of earlier) {
      const p = this.parsed.get(b)!;
      if (p.load.ok) return { ok: true, policy: p.load.policy, sha256: p.sha256, source: 'repository', rejected, ...extra };
    }
    return { ...builtInPolicy(), rejected, ...extra };
  }

  private async parse(blob: string): Promise<{ load: PolicyLoad; sha256: string }> {
    await this.parseAll([blob]);
    return this.parsed.get(blob)!;
  }

  private async parseAll(blobs: readonly string[]): Promise<void> {
    const wanted = blobs.filter((b) => !this.parsed.has(b));
    if (wanted.length === 0) return;
    const texts = await this.catBlobs(wanted);
    for (const b of wanted) {
      const text = texts.get(b) ?? '';
      this.parsed.set(b, { load: parsePolicyYaml(text, 'policy.yaml'), sha256: sha256Hex(text) });
    }
  }
}
