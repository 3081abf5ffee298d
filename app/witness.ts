import type { LedgerEntry, LedgerView } from './ports';
import type { RecordOf } from './records';
import type { WitnessedTip } from './witnessPayload';

/**
 * Witnesses (issue 16). Whoever sees a host's evidence can sign what they saw — each host's ref
 * tip, as a `witnessed` record on their own journal — and from then on a rewrite of that host's
 * history (before or after a push, with the tracking refs moved or not) is a verify finding:
 * every history must still contain every commit any witness saw of it.
 */

/** One witness's statement about one host's history, with where the statement itself is. */
export interface WitnessClaim {
  /** The host whose history was seen. */
  host: string;
  commit: string;
  records: number;
  /** The witness: the host whose journal holds the statement, and who signed it (a person or that host's account). */
  witnessHost: string;
  witness: string;
  at: string;
  via: 'fetch' | 'command';
  path: string;
  statementCommit: string;
}

/**
 * The host history tips a witness on host `ownHostId` states now: every other host's ref in the
 * view (the fetched copy when there is one: what the remote holds), with that host's records in
 * the view; a host whose tip this host's journal already stated is left out (nothing new seen).
 * Its own host is never among them: a witness of one's own history proves nothing.
 */
export function tipsToWitness(view: LedgerView, ownHostId: string): WitnessedTip[] {
  const byHost = new Map<string, { commit: string; fetched: boolean }>();
  for (const t of view.tips ?? []) {
    if (t.hostId === null || t.hostId === ownHostId) continue;
    const fetched = t.ref.startsWith('refs/remotes/');
    const seen = byHost.get(t.hostId);
    if (!seen || (fetched && !seen.fetched)) byHost.set(t.hostId, { commit: t.commit, fetched });
  }
  if (byHost.size === 0) return [];
  const stated = new Map<string, string>();
  for (const c of claimsIn(view.sessions.get(`journal-${ownHostId}`) ?? [])) stated.set(c.host, c.commit);
  const records = new Map<string, number>();
  for (const entries of view.sessions.values()) {
    for (const e of entries) if (byHost.has(e.record.host.id)) records.set(e.record.host.id, (records.get(e.record.host.id) ?? 0) + 1);
  }
  return [...byHost].filter(([host, t]) => stated.get(host) !== t.commit).sort(([a], [b]) => a.localeCompare(b))
    .map(([host, t]) => ({ host, commit: t.commit, records: records.get(host) ?? 0 }));
}

const claimsByView = new WeakMap<LedgerView, readonly WitnessClaim[]>();

/**
 * Every witness statement in the view, one claim per host tip stated, in journal order. Kept per
 * view (a new view object whenever a ref moves): every clock reading asks for the last witness,
 * the countdown's tick included, and a commander states a tip at each fetch for years.
 */
export function witnessClaims(view: LedgerView): readonly WitnessClaim[] {
  const known = claimsByView.get(view);
  if (known) return known;
  const out: WitnessClaim[] = [];
  for (const [sessionId, entries] of view.sessions) if (sessionId.startsWith('journal-')) out.push(...claimsIn(entries));
  claimsByView.set(view, out);
  return out;
}

/**
 * The latest claim of each witness host about each witnessed host, grouped by the witnessed host:
 * what the views show as "Witnessed by …" (verify checks every claim, not only these).
 */
export function latestWitnesses(claims: readonly WitnessClaim[]): Map<string, WitnessClaim[]> {
  const latest = new Map<string, WitnessClaim>();
  for (const c of claims) latest.set(`${c.host}\n${c.witnessHost}`, c);
  const byHost = new Map<string, WitnessClaim[]>();
  for (const c of latest.values()) byHost.set(c.host, [...(byHost.get(c.host) ?? []), c]);
  return byHost;
}

export function claimsIn(entries: readonly LedgerEntry[]): WitnessClaim[] {
  const out: WitnessClaim[] = [];
  for (const e of entries) {
    if (e.record.type !== 'witnessed') continue;
    const r = e.record as RecordOf<'witnessed'>;
    for (const t of r.payload.tips) {
      out.push({ ...t, witnessHost: r.host.id, witness: r.actor.name, at: r.at, via: r.payload.via, path: e.path, statementCommit: e.commit });
    }
  }
  return out;
}

/** The latest statement of `hostId`'s history among `claims` (by the witness's time), as a clock reading's floor; null when none. */
export function lastWitnessOf(claims: readonly WitnessClaim[], hostId: string): { atMs: number; at: string; by: string } | null {
  let best: WitnessClaim | null = null;
  for (const c of claims) if (c.host === hostId && (!best || Date.parse(c.at) > Date.parse(best.at))) best = c;
  return best ? { atMs: Date.parse(best.at), at: best.at, by: `${best.witness} (host ${best.witnessHost})` } : null;
}
