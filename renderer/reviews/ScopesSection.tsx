import { commandWords } from '../../app/actionText';
import type { RecordOf } from '../../app/records';
import type { ScopeComparison } from '../../app/scopes';
import type { TimelineEntry } from '../../app/views';
import { formatCount, formatList } from '../format';
import { recordsOf } from '../evidence/records';
import { hitWords, placesOf } from './scopes';
import { TableHead } from '../ui/TableHead';

/**
 * The declared scopes against what the actions touched (issue 7): a textual aid for the
 * reviewer, never a verdict. The actions themselves are the session page's (renderer/evidence/).
 */
export function ScopesSection({ scopes, timeline }: { scopes: ScopeComparison; timeline: readonly TimelineEntry[] }) {
  const bySeq = new Map<number, RecordOf<'action'>>(recordsOf(timeline, 'action').map(({ record }) => [record.seq, record]));
  return (
    <section className="card sp-section" aria-labelledby="rv-scopes-heading" data-testid="scope-comparison">
      <h3 id="rv-scopes-heading">Declared scopes against what the actions touched</h3>
      <p className="rv-aid" role="note">
        <strong>A textual aid, not a verdict.</strong> This compares scope names with each action&apos;s command line, working directory and output. An action can touch a scope without naming it, and name a scope
        without touching it: read the actions themselves.
      </p>
      {scopes.flagged.length > 0 && (
        <div className="notice notice--warning rv-flagged">
          <p>
            <strong>{formatCount(scopes.flagged.length, 'action')} named a scope that was not declared:</strong>
          </p>
          <ul>
            {scopes.actions
              .filter((a) => a.undeclared.length > 0)
              .map((a) => {
                const argv = bySeq.get(a.seq)?.payload.argv;
                return (
                  <li key={a.seq}>
                    #{a.seq} <code>{argv ? commandWords(argv) : ''}</code> — {a.undeclared.map(hitWords).join('; ')}
                  </li>
                );
              })}
          </ul>
        </div>
      )}
      <div className="table-wrap">
        <table className="rv-table">
          <TableHead columns={['Declared scope', 'Named by']} />
          <tbody>
            {scopes.declared.map((sc) => {
              const by = scopes.actions.flatMap((a) => {
                const hit = a.declared.find((h) => h.scope === sc);
                return hit ? [`#${a.seq} (${placesOf(hit).join(', ')})`] : [];
              });
              return (
                <tr key={sc}>
                  <th scope="row" className="mono">
                    {sc}
                  </th>
                  <td>{by.length === 0 ? <span className="rv-untouched">No action named it (declared, apparently unused)</span> : by.join('; ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted rv-small">
        {scopes.knownUndeclared.length > 0
          ? `Not declared, and looked for: ${formatList(scopes.knownUndeclared)} (the other scopes the policy in force lists for this environment). ${scopes.flagged.length === 0 ? 'No action named any of them.' : ''}`
          : 'The policy in force lists no other scope for this environment.'}
      </p>
    </section>
  );
}
