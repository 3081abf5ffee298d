/**
 * What `breakglass --json …` prints, as the tests read it: one declaration of each shape
 * (main/cli/output.ts `sessionJson`, `breakglass log --session`, `verify`, `push`, `status`).
 */

/** A session (`status`, `log`), and with `commit` the output of `declare`. */
export interface SessionJson {
  sessionId: string;
  phase: 'active' | 'expired' | 'closed' | 'reviewed';
  incidentId: string;
  environment: string;
  operator: { name: string; email: string };
  host: { id: string; name: string };
  declaredAt: string;
  expiresAt: string;
  remainingMs: number;
  records: number;
  /** `declare`: the evidence commit of the `declared` record. */
  commit?: string;
}

/** The output of `declare`: the session and its evidence commit. */
export type DeclaredJson = SessionJson & { commit: string };

/** One entry of `breakglass log --session ID --json`. */
export interface LogEntry {
  seq: number;
  type: string;
  at: string;
  commit: string;
  actor: { name: string; email: string };
  path: string;
  record: Record<string, unknown> & { seq: number; type: string; at: string; hash: string; prev: string | null; redactions: number; payload: Record<string, unknown> };
}

/** One problem `verify` names. */
export interface VerifyProblemJson {
  sessionId: string | null;
  seq: number | null;
  path: string | null;
  commit: string | null;
  message: string;
}

/** The output of `breakglass verify --json`. */
export interface VerifyJson {
  ok: boolean;
  head: string | null;
  problems: VerifyProblemJson[];
  records: number;
  sessions: number;
  commitsChecked: number;
  comparedWithRemote: string | null;
  /** Every copy of the remote compared with: tracking refs, and the commit the sync state says the remote confirmed (issue 16). */
  comparedWith?: string[];
  /** Where that copy came from: `Online: …` (verify --online) or `Offline: …`; null with no remote (issue 16). */
  remoteSource?: string | null;
  /** Which verify produced it (issue 18). */
  mode?: 'incremental' | 'full' | 'full+deep';
  incremental?: { from: string | null; commits: number };
  fallback?: string;
}

/** The push state as `push` and `status` print it (fields by state; read loosely). */
export interface PushJson {
  state: 'local-only' | 'synced' | 'pending' | 'offline' | 'rejected' | 'behind';
  pending?: number;
  /** `behind` (issue 16): pushed records no longer in this host's history, and the commit the remote confirmed. */
  missing?: number;
  confirmed?: string;
  reason?: string;
  since?: string;
  nextTryAt?: string | null;
}

/** The output of `breakglass status --json`. */
export interface StatusJson {
  push: PushJson;
  sessions: SessionJson[];
}
