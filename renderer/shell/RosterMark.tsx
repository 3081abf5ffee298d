import { useStore } from 'zustand';
import { useFeatureStore } from '../stores/context';
import { rosterStore } from '../stores/roster';

/**
 * The header's word on who is proven (issue 15): "Unsigned" while the repository has no roster
 * (every name in the evidence is claimed, not proven), and once it has one, the trust anchor's
 * short commit id (the full id in the title and for screen readers) — the commit an auditor pins
 * with `breakglass verify --anchor`. Nothing until the first answer.
 */
export function RosterMark() {
  const status = useStore(useFeatureStore(rosterStore), (s) => s.status);
  if (!status) return null;
  if (!status.roster) {
    return (
      <span className="badge badge-unsigned" role="note" data-testid="roster-mark" data-roster="none" title="No roster: names in the evidence are claimed, not proven.">
        Unsigned<span className="visually-hidden">: this repository has no roster, so names in the evidence are claimed, not proven.</span>
      </span>
    );
  }
  // A roster whose first commit this clone does not hold (a shallow fetch): signed, anchor unknown here.
  if (!status.anchor) {
    return (
      <span className="badge badge-anchor" role="note" data-testid="roster-mark" data-roster="unanchored" title="Signed evidence; the roster's first commit is not in this clone.">
        Signed<span className="visually-hidden">: the trust anchor (the roster's first commit) is not in this clone.</span>
      </span>
    );
  }
  return (
    <span className="badge badge-anchor" role="note" data-testid="roster-mark" data-roster="anchored" title={`Trust anchor: the roster's first commit ${status.anchor}`} aria-label={`Signed evidence. Trust anchor: the roster's first commit ${status.anchor}`}>
      Anchor <span className="mono">{status.anchor.slice(0, 12)}</span>
    </span>
  );
}
