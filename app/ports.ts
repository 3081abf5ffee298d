import type { Policy, PolicyProblem } from './policy';
import type { EvidenceRecord } from './records';

/**
 * The side effects the domain needs, as small interfaces that main/ implements (architecture.md).
 * Tests replace only the Clock, and only where time must move.
 */

/** Wall-clock time in epoch milliseconds, plus a monotonic reading for skew detection. */
export interface Clock {
  now(): number;
  monotonicMs(): number;
}

/** One reading of the host's boot clock (issue 16): which boot, and milliseconds since it (counting suspend). */
export interface BootReading {
  id: string;
  sinceBootMs: number;
}

/**
 * The host's boot clock (issue 16): read beside the wall clock at every record, and compared with
 * it. main/host/bootClock.ts reads /proc; null where the host has none (macOS, Windows).
 */
export interface BootClock {
  read(): BootReading | null;
}

/** An evidence record together with the commit that added it. */
export interface LedgerEntry {
  record: EvidenceRecord;
  commit: string;
  path: string;
}

/** A record file that could not be read as a valid record: surfaced by status and verify, never skipped silently. */
export interface UnreadableRecord {
  path: string;
  blob: string;
  message: string;
}

/**
 * The policy in force, and where it came from. `rejected`: the newest policy.yaml is invalid, and
 * this one (the last valid, or the built-in default) stays in force (issue 12 item 5).
 */
export type PolicyInForce =
  | {
      ok: true; policy: Policy; sha256: string; source: 'repository' | 'built-in'; rejected?: { problems: PolicyProblem[]; sha256: string };
      /** The organisation tip's policy.yaml, when it is not the one in force (changed without the approvals it needs, issue 15): its hash and why. */
      notInForce?: { sha256: string; reason: string };
    }
  | { ok: false; problems: PolicyProblem[]; sha256: string };

/** One ref a ledger view is the union of (issue 14). */
export interface LedgerTip {
  ref: string;
  commit: string;
  /** The host whose own ref it is (`hosts/<id>`); null for the organisation branch. */
  hostId: string | null;
  /** True for the organisation branch whose root files (policy.yaml) are in force. */
  organisation: boolean;
}

/** One record path that two refs hold with different contents (issue 14): shown, and a verify finding. */
export interface PathConflict {
  path: string;
  /** The ref whose copy the view shows: the writing host's own. */
  shown: string;
  copies: Array<{ ref: string; blob: string }>;
}

/**
 * What the evidence repository holds, as the domain sees it: the union of the organisation branch
 * and every host's own ref (issue 14).
 */
export interface LedgerView {
  /** This host's own ref's tip (else the organisation branch's); null for an empty repository. */
  head: string | null;
  /** Changes whenever any ref of the view moves: what consumers compare to notice a change. */
  viewId?: string;
  /** The organisation branch. */
  branch: string;
  /** The refs the view is the union of, the organisation branch first. */
  tips?: readonly LedgerTip[];
  /** Entries per session id: the chain in seq order, then reviews filed on reviewers' hosts. */
  sessions: ReadonlyMap<string, readonly LedgerEntry[]>;
  unreadable: readonly UnreadableRecord[];
  /** Paths two refs hold with different contents. */
  conflicts?: readonly PathConflict[];
  policy: PolicyInForce;
}

/** A stale writer lock that was recovered on acquisition: the caller records it as evidence. */
export interface LockRecovery {
  previousOwner: { pid: number; host: string; since: string } | null;
  reason: string;
  gitLockFilesRemoved: string[];
}

/** Commits one sealed record; resolves with the commit id only once the branch ref has moved. */
export type AppendRecord = (record: EvidenceRecord, incidentId: string | null) => Promise<string>;

/** The Git evidence repository behind one interface (main/ implements it with simple-git). */
export interface EvidenceStore {
  /** The current view, refreshed incrementally from git's objects (never the work tree). */
  read(): Promise<LedgerView>;
  /**
   * Runs `fn` holding this host's writer lock, with a view read after the lock was taken.
   * Records appended through `append` are committed one commit each, in order.
   */
  write<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>): Promise<T>;
}

/** The host the console runs on (procedure.md §3). */
export interface HostInfo {
  hostId: string;
  hostName: string;
  osAccount(): { username: string; uid: number | null };
  /** Reads an environment variable for a credential check; the value never leaves the precondition check. */
  env(name: string): string | undefined;
  fileExists(path: string): boolean;
}

/**
 * Authenticates raw command output under this host's output key (issue 13). main/ holds the key
 * (created on first use, mode 0600, in the repository's git dir, never committed); the domain
 * only ever sees the key's id and the resulting HMAC.
 */
export interface OutputAuthenticator {
  /** The key's id: SHA-256 of the key, hex. */
  keyId(): string;
  /** HMAC-SHA-256 under the key of a raw output's SHA-256 digest (hex in, hex out). */
  macOfDigest(outputSha256Hex: string): string;
}
