import { sha256Hex } from '../../app/chain';
import { DEFAULT_POLICY, parsePolicyYaml, type PolicyLoad } from '../../app/policy';
import type { PolicyInForce } from '../../app/ports';
import type { Git } from '../git';

/** The policy in force where the repository has no policy.yaml. */
export function builtInPolicy(): PolicyInForce {
  return { ok: true, policy: DEFAULT_POLICY, sha256: sha256Hex(''), source: 'built-in' };
}

/** How far back the organisation branch is searched for a valid policy. */
const HISTORY_LIMIT = 200;

/**
 * The policy in force (issue 12 item 5): the organisation branch's policy.yaml when it is valid;
 * when it is not, the newest valid one in that branch's history (else the built-in default) stays
 * in force, and the invalid file's problems are carried as `rejected`, so every view can say so and
 * verify can report it. Break-glass is for the day everything else is broken: a bad policy pushed
 * by anyone must not stop declaring or closing. Parses are kept by blob id (a blob id names its text).
 */
export class PolicyReader {
  private readonly parsed = new Map<string, { load: PolicyLoad; sha256: string }>();

  constructor(
    private readonly git: Git,
    private readonly catBlobs: (blobs: readonly string[]) => Promise<Map<string, string>>,
  ) {}

  /** The policy in force for the organisation tip `orgTip`, whose policy.yaml is `blob` (null: none). */
  async inForce(orgTip: string | null, blob: string | null): Promise<PolicyInForce> {
    if (!blob) return builtInPolicy();
    const newest = await this.parse(blob);
    if (newest.load.ok) return { ok: true, policy: newest.load.policy, sha256: newest.sha256, source: 'repository' };
    const rejected = { problems: newest.load.problems, sha256: newest.sha256 };
    const fallback = orgTip ? await this.lastValid(orgTip, blob) : null;
    return fallback ? { ...fallback, rejected } : { ...builtInPolicy(), rejected } as PolicyInForce;
  }

  private async lastValid(orgTip: string, invalid: string): Promise<Extract<PolicyInForce, { ok: true }> | null> {
    // First-parent history with merges diffed against their first parent: the branch's own line.
    const out = await this.git.text('policy-history', ['log', '--first-parent', '-m', '--no-renames', '--raw', '--no-abbrev', '--format=%x01%H', `--max-count=${HISTORY_LIMIT}`, orgTip, '--', 'policy.yaml']);
    const blobs: string[] = [];
    for (const line of out.split('\n')) {
      const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) [AM]\d*\tpolicy\.yaml$/.exec(line);
      if (m && m[1] !== invalid && !blobs.includes(m[1]!)) blobs.push(m[1]!);
    }
    await this.parseAll(blobs);
    for (const b of blobs) {
      const p = this.parsed.get(b);
      if (p?.load.ok) return { ok: true, policy: p.load.policy, sha256: p.sha256, source: 'repository' };
    }
    return null;
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
