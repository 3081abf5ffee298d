import type { AckStatus } from './acknowledgement/state';
import type { IntegrityProblem } from './ledger';

/**
 * The result of `breakglass verify` (issue 2), defined once: main/verify.ts produces it, the
 * audit report shows it (app/report/), and the CLI prints it.
 */
export interface VerifyResult {
  ok: boolean;
  head: string | null;
  sessions: number;
  records: number;
  commitsChecked: number;
  /** This host's fetched ref its own history was found to contain (null: nothing to compare with). */
  comparedWithRemote: string | null;
  /** Every fetched ref of the configured remote that history was compared with (issue 12 item 4). */
  comparedWith?: string[];
  /** The refs read: the organisation branch and every host's ref (issue 14). */
  tips?: Array<{ ref: string; commit: string }>;
  /** What verify did or found beside the evidence: a derived cache that disagreed with git and was rebuilt (issue 12 item 3). */
  notices?: string[];
  problems: IntegrityProblem[];
  /** Who signed each record (issue 15); absent in results made before signatures were checked. For an incremental verify: the counts of all, the records of none. */
  signatures?: SignatureSummary;
  /**
   * Which verify produced the result (issue 18): 'incremental' went on from the checkpoint of an
   * earlier verify (`incremental`), 'full' re-checked everything with `git fsck
   * --connectivity-only`, 'full+deep' with the full `git fsck`. Absent in results made before.
   */
  mode?: 'incremental' | 'full' | 'full+deep';
  /** For an incremental verify: the head of the checkpoint it went on from and how many commits it checked since. */
  incremental?: { from: string | null; commits: number };
  /** For an incremental verify that could not use a checkpoint and was full: why. */
  fallback?: string;
  /** Issue 16: each session's acknowledgement by the incident commander (declaration, and closing once closed). */
  acknowledgements?: Array<AckStatus & { sessionId: string }>;
  /** Issue 16: per witnessed host, the latest statement of each witness (who, from which host, when, which commit). */
  witnesses?: Array<{ host: string; witnesses: Array<{ witnessHost: string; witness: string; at: string; commit: string; records: number }> }>;
}

/** Verify's witness lines (issue 16): who last saw each host's history, and at which commit. */
export function describeWitnesses(list: NonNullable<VerifyResult['witnesses']>): string[] {
  if (list.length === 0) return ['Witnesses: none yet (no other host has stated what it saw of any history; breakglass witness does).'];
  return list.map((h) => `Witnesses of host ${h.host}: ${h.witnesses.map((w) => `${w.witness} (host ${w.witnessHost}) saw ${w.commit.slice(0, 12)} with ${w.records} record(s) at ${w.at}`).join('; ')}.`);
}

/** The mode in words: "incremental from <commit> (+N commits)", "full", "full+deep" (issue 18). */
export function describeMode(r: Pick<VerifyResult, 'mode' | 'incremental' | 'fallback'>): string {
  if (r.mode === 'incremental') return `incremental from ${r.incremental?.from?.slice(0, 12) ?? 'an empty repository'} (+${r.incremental?.commits ?? 0} commit${r.incremental?.commits === 1 ? '' : 's'})`;
  return `${r.mode ?? 'full'}${r.fallback ? ` (${r.fallback})` : ''}`;
}

/** Verify's acknowledgement lines (issue 16): one per session event, with what the histories show. */
export function describeAcknowledgementCounts(list: NonNullable<VerifyResult['acknowledgements']>): string {
  const n = (s: AckStatus['state']) => list.filter((a) => a.state === s).length;
  return `Acknowledgements: ${n('confirmed')} confirmed, ${n('provisional')} provisional (the commander's record not fetched yet), ${n('mismatched')} mismatched, ${n('missing')} missing (${list.filter((a) => a.state === 'missing' && a.finding).length} past due).`;
}

/** One record's signature: proven (a valid signature by the roster key of the person or host it needs), claimed (no roster yet) or invalid. */
export interface RecordSignature {
  path: string;
  commit: string;
  status: 'proven' | 'claimed' | 'invalid';
  signer: { kind: 'person' | 'host'; id: string; name: string } | null;
  fingerprint: string | null;
  message?: string;
}

/** The signature part of verify (issue 15): the trust anchor, counts, and every record's signature. */
export interface SignatureSummary {
  /** The repository has a roster (records after its first commit must be signed). */
  roster: boolean;
  /** The first roster commit (trusted on first use; `verify --anchor` pins it). */
  anchor: string | null;
  proven: number;
  /** Records made before any roster: the name in them is claimed, not proven. */
  claimed: number;
  invalid: number;
  records: RecordSignature[];
}

/** One sentence on signatures for verify's output and reports. */
export function describeSignatures(s: SignatureSummary): string {
  if (!s.roster) return `Unsigned: this repository has no roster, so the ${s.claimed} record(s) name people as claimed, not proven.`;
  const parts = [`${s.proven} record(s) proven by roster keys`, ...(s.invalid ? [`${s.invalid} not proven (see problems)`] : []), ...(s.claimed ? [`${s.claimed} from before the roster (claimed, not proven)`] : [])];
  return `Signatures: ${parts.join(', ')}; trust anchor ${s.anchor}.`;
}
