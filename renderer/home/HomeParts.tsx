import type { SessionView } from '../../app/views';
import { Stamp } from '../evidence/Stamp';
import { formatCount, formatNumber, formatPerson, formatPolicyProblem, phaseLabel } from '../format';
import { useStatus } from '../stores/context';
import { hrefOf } from '../routes';
import { Fact } from '../evidence/Fact';
import { TableHead } from '../ui/TableHead';

const NONE: readonly SessionView[] = [];

/**
 * The home screen's own parts (issue 3): the policy's state, who is operating on which host, the
 * evidence repository, and the recent sessions. The app shell (shell/HomeScreen.tsx) puts them
 * around this host's open sessions and the way to declare.
 */

/** An invalid policy blocks declaring; each problem is shown with its file, line and field. */
export function PolicyBanner() {
  const policy = useStatus((s) => s.snapshot?.policy);
  if (!policy || policy.ok) return null;
  return (
    <section className="banner banner--blocking" role="alert" aria-labelledby="policy-heading">
      <h2 id="policy-heading">The policy is invalid: declaring is blocked</h2>
      <ul className="problems">
        {policy.problems.map((p, i) => (
          <li key={i} className="mono">{formatPolicyProblem(p)}</li>
        ))}
      </ul>
      <p>Fix policy.yaml in the evidence repository and commit it; this screen updates on its own.</p>
    </section>
  );
}

/** A refresh that failed after the screen was shown: the last good state stays, with the reason. */
export function RefreshError() {
  const error = useStatus((s) => s.error);
  const load = useStatus((s) => s.actions.load);
  if (!error) return null;
  return (
    <div className="banner banner--warning" role="alert">
      <p>{error.message}</p>
      <button type="button" className="button button-secondary" onClick={() => void load()}>
        Retry
      </button>
    </div>
  );
}

/** Records that could not be read are left out of the counts: said, with what to run. */
export function UnreadableWarning() {
  const unreadable = useStatus((s) => s.snapshot?.counts.unreadable ?? 0);
  if (unreadable === 0) return null;
  return (
    <div className="banner banner--warning" role="note">
      <p>
        <strong>{formatCount(unreadable, 'evidence record')} could not be read.</strong> They are left out of the counts below. Run <code>breakglass verify</code> to see which and why.
      </p>
    </div>
  );
}

/** Who is operating: the OS account, the git identity and the host. */
export function OperatorCard() {
  const os = useStatus((s) => s.snapshot?.osAccount);
  const git = useStatus((s) => s.snapshot?.gitIdentity);
  const host = useStatus((s) => s.snapshot?.host);
  if (!os || !host) return null;
  return (
    <section className="card" aria-labelledby="operator-heading">
      <h2 id="operator-heading">Who is operating</h2>
      <dl className="facts facts--compact">
        <Fact term="OS account">
          <span className="mono">{os.username}</span> {os.uid !== null && <span className="muted">(uid {os.uid})</span>}
        </Fact>
        <Fact term="Git identity">
          {git ? (
            formatPerson(git)
          ) : (
            <span className="text-warning">
              No git identity configured: set <code>git config user.name</code>/<code>user.email</code>
            </span>
          )}
        </Fact>
        <Fact term="Host">
          {host.name} <span className="muted mono">({host.id})</span>
        </Fact>
      </dl>
    </section>
  );
}

/** Where the evidence lives: the repository, its branch and remote, and the policy in force. */
export function RepositoryCard() {
  const repo = useStatus((s) => s.snapshot?.repository);
  const policy = useStatus((s) => s.snapshot?.policy);
  if (!repo || !policy) return null;
  return (
    <section className="card" aria-labelledby="repo-heading">
      <h2 id="repo-heading">Evidence repository</h2>
      <dl className="facts facts--compact">
        <Fact term="Path" className="mono break">{repo.path}</Fact>
        <Fact term="Branch" className="mono">{repo.branch}</Fact>
        <Fact term="Remote" className={repo.remote ? 'mono break' : ''}>{repo.remote ?? 'Local only (no remote configured)'}</Fact>
        <Fact term="Policy">
          {policy.ok ? (
            <>
              {policy.source === 'repository' ? 'policy.yaml in the repository' : 'Built-in default'}{' '}
              <span className="muted mono nowrap" title={`sha256 ${policy.sha256}`}>sha256 {policy.sha256.slice(0, 12)}</span>
            </>
          ) : (
            <span className="text-danger">Invalid (see above)</span>
          )}
        </Fact>
      </dl>
    </section>
  );
}

/** The sessions this repository knows, newest first, each linking to its page. */
export function RecentSessions() {
  const recent = useStatus((s) => s.snapshot?.recent ?? NONE);
  const counts = useStatus((s) => s.snapshot?.counts);
  if (!counts) return null;
  return (
    <section className="recent" aria-labelledby="recent-heading">
      <div className="section-head">
        <h2 id="recent-heading">Recent sessions</h2>
        <dl className="counts" aria-label="Session counts">
          <Fact term="Sessions">{formatNumber(counts.sessions)}</Fact>
          <Fact term="Awaiting review">{formatNumber(counts.awaitingReview)}</Fact>
          <div className={counts.overdueReviews > 0 ? 'count--danger' : ''}>
            <dt>Overdue reviews</dt>
            <dd>{formatNumber(counts.overdueReviews)}</dd>
          </div>
          {counts.unreadable > 0 && (
            <div className="count--warning">
              <dt>Unreadable records</dt>
              <dd>{formatNumber(counts.unreadable)}</dd>
            </div>
          )}
        </dl>
      </div>
      {recent.length === 0 ? (
        <p className="empty">No sessions recorded in this evidence repository yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <TableHead columns={['Incident', 'Environment', 'Operator', 'State', 'Declared', 'Host']} />
            <tbody>
              {recent.map((s) => (
                <tr key={s.sessionId}>
                  <th scope="row" className="mono">
                    <a href={hrefOf({ view: 'session', sessionId: s.sessionId })}>{s.incidentId}</a>
                  </th>
                  <td>{s.environment}</td>
                  <td>{s.operator.name}</td>
                  <td>
                    <span className={`state state--${s.phase}${s.reviewOverdue ? ' state--overdue' : ''}`}>{phaseLabel(s)}</span>
                  </td>
                  <td>
                    <Stamp iso={s.declaredAt} stacked />
                  </td>
                  <td>{s.mine ? 'This host' : s.host.name}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
