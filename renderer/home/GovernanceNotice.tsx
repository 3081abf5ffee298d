import { useStore } from 'zustand';
import { formatCount } from '../format';
import { useFeatureStore } from '../stores/context';
import { rosterStore } from '../stores/roster';

/**
 * Governed changes on the home screen (issue 15, "a pending change is visible in the console, and
 * nothing under it takes effect until approved"): a roster.yaml or policy.yaml on the organisation
 * branch that governance did not adopt is said not to be in force, with why; each proposal
 * waiting for approvals is listed with how many it has and how to approve it.
 */
export function GovernanceNotice() {
  const governance = useStore(useFeatureStore(rosterStore), (s) => s.status?.governance);
  if (!governance || (governance.pending.length === 0 && governance.notInForce.length === 0)) return null;
  return (
    <section className="banner banner--warning" role="note" aria-labelledby="governance-heading" data-testid="governance-notice">
      <h2 id="governance-heading">Governed changes</h2>
      <ul className="problems">
        {governance.notInForce.map((n) => (
          <li key={n.file}>
            <strong>{n.file} on the organisation branch is not in force.</strong> {n.reason} The governed {n.file} still applies.
          </li>
        ))}
        {governance.pending.map((p) => (
          <li key={p.id}>
            <strong>A change of {p.file} is pending</strong> ({p.approvers.length} of {formatCount(p.required, 'roster admin approval')}: {p.approvers.join(', ')}). Nothing in it is in force until approved: <code>breakglass {p.file === 'policy.yaml' ? 'policy' : 'roster'} approve {p.id}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
