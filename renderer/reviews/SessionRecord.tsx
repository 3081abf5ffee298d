import type { ReactNode } from 'react';
import { TRIGGERS } from '../../app/policy';
import type { RecordOf } from '../../app/records';
import type { ScopeComparison, ScopeHit } from '../../app/scopes';
import type { SessionDetail } from '../../app/views';
import { formatCount, formatList, formatLocalDateTime, formatNumber, formatPerson, formatUtc } from '../format';
import { shortCommit } from '../session/Actions';
import { recordLabel } from '../session/Timeline';

/**
 * The whole session as the reviewer reads it before judging it (issue 7): the declaration, every
 * record, each action with its output, the closure, and the declared scopes against what the
 * actions named. Everything comes from the committed records (`session.timeline`).
 */
export function SessionRecord({ detail, scopes }: { detail: SessionDetail; scopes: ScopeComparison }) {
  const actions = detail.timeline.flatMap((e) => (e.record.type === 'action' ? [{ entry: e, record: e.record }] : []));
  const closed = detail.timeline.find((e) => e.record.type === 'closed')?.record as RecordOf<'closed'> | undefined;
  return (
    <>
      <Declaration detail={detail} />
      <Records detail={detail} />
      <section className="rv-card" aria-labelledby="rv-actions-heading">
        <h3 id="rv-actions-heading">Actions ({formatNumber(actions.length)})</h3>
        {actions.length === 0 ? (
          <p className="empty">No command was run in this session.</p>
        ) : (
          <ol className="rv-actions">
            {actions.map(({ entry, record }) => (
              <ActionItem key={record.seq} record={record} commit={entry.commit} flagged={scopes.flagged.includes(record.seq)} />
            ))}
          </ol>
        )}
      </section>
      <ScopesSection scopes={scopes} actions={actions.map((a) => a.record)} />
      {closed ? <Closure record={closed} /> : null}
    </>
  );
}

function Declaration({ detail }: { detail: SessionDetail }) {
  const d = detail.declaration;
  const s = detail.session;
  return (
    <section className="rv-card" aria-labelledby="rv-declaration-heading">
      <h3 id="rv-declaration-heading">Declaration</h3>
      <dl className="facts rv-facts">
        <Fact term="Incident">
          <span className="mono">{d.incidentId}</span>
        </Fact>
        <Fact term="Environment">{d.environment}</Fact>
        <Fact term="Trigger">{TRIGGERS[d.trigger]}</Fact>
        <Fact term="Declared scopes">
          <ul className="chips">
            {d.scopes.map((sc) => (
              <li key={sc} className="chip mono">
                {sc}
              </li>
            ))}
          </ul>
        </Fact>
        <Fact term="Operator">{formatPerson(d.operator)}</Fact>
        <Fact term="Host">{s.host.name}</Fact>
        <Fact term="Declared">
          <When at={s.declaredAt} />
        </Fact>
        <Fact term={s.extensions > 0 ? `Expiry (after ${formatCount(s.extensions, 'extension')})` : 'Expiry'}>
          <When at={s.expiresAt} />
        </Fact>
        <Fact term="Closed">{s.closedAt ? <When at={s.closedAt} /> : 'Not closed'}</Fact>
      </dl>
      <dl className="rv-prose">
        <div>
          <dt>Justification</dt>
          <dd className="prewrap">{d.justification}</dd>
        </div>
        <div>
          <dt>Material risk</dt>
          <dd className="prewrap">{d.materialRisk}</dd>
        </div>
        <div>
          <dt>Governed paths tried</dt>
          <dd>
            <ul className="rv-list">
              {d.governedPathsTried.map((p, i) => (
                <li key={i}>
                  <strong>{p.path}</strong>: {p.failure}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Attestations</dt>
          <dd>
            <ul className="rv-list">
              <li>{d.attestations.notExpediency ? '✓' : '✕'} Not for expediency</li>
              <li>{d.attestations.notRoutineChange ? '✓' : '✕'} Not a routine change</li>
              <li>{d.attestations.notGovernanceAvoidance ? '✓' : '✕'} Not to avoid governance</li>
            </ul>
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Records({ detail }: { detail: SessionDetail }) {
  return (
    <section className="rv-card" aria-labelledby="rv-records-heading">
      <div className="section-head">
        <h3 id="rv-records-heading">Timeline ({formatCount(detail.timeline.length, 'record')})</h3>
        <p className={detail.chain.ok ? 'rv-chain rv-chain--ok' : 'rv-chain rv-chain--bad'}>
          <span aria-hidden="true">{detail.chain.ok ? '✓ ' : '✕ '}</span>
          {detail.chain.ok ? 'Hash chain verifies' : `Hash chain does not verify: ${detail.chain.problems.map((p) => p.message).join('; ')}`}
        </p>
      </div>
      <div className="table-wrap">
        <table className="rv-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Record</th>
              <th scope="col">By</th>
              <th scope="col">Summary</th>
              <th scope="col">Evidence commit</th>
            </tr>
          </thead>
          <tbody>
            {detail.timeline.map((e) => (
              <tr key={e.seq}>
                <td className="nowrap">
                  <When at={e.at} />
                </td>
                <td>{recordLabel(e.type)}</td>
                <td>{e.actor.name}</td>
                <td className="rv-summary">{e.summary}</td>
                <td>
                  <code title={e.commit}>{shortCommit(e.commit)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ActionItem({ record, commit, flagged }: { record: RecordOf<'action'>; commit: string; flagged: boolean }) {
  const p = record.payload;
  const ended = p.stoppedBy ? `stopped by ${p.stoppedBy}` : p.exitCode === null ? `ended by ${p.signal ?? 'a signal'}` : `exit ${p.exitCode}`;
  const headingId = `rv-action-${record.seq}`;
  return (
    <li className={`rv-action${flagged ? ' rv-action--flagged' : ''}`}>
      <h4 id={headingId} className="rv-action-head">
        <span className="rv-action-seq">#{record.seq}</span>
        {p.kind === 'shell-opened' ? 'Opened a governed shell: ' : ''}
        <code className="rv-cmd">{p.argv.join(' ')}</code>
      </h4>
      <p className="rv-action-meta">
        in <code>{p.cwd}</code> · <When at={p.startedAt} inline /> · {ended} · via {p.via === 'cli-exec' ? 'breakglass exec' : 'the console'} · commit{' '}
        <code title={commit}>{shortCommit(commit)}</code>
        {record.redactions > 0 && <> · {formatCount(record.redactions, 'secret')} redacted</>}
      </p>
      {p.output.length > 0 ? (
        <details className="rv-output">
          <summary>
            Output ({formatCount(p.outputBytes, 'byte')}
            {p.outputTruncated ? ', truncated in the record' : ''})
          </summary>
          <pre tabIndex={0} aria-label={`Output of action ${record.seq}`}>
            {p.output}
          </pre>
        </details>
      ) : (
        <p className="muted rv-small">No output recorded.</p>
      )}
    </li>
  );
}

function hitWords(h: ScopeHit): string {
  return `${h.scope} (in the ${formatList(h.in.map((w) => (w === 'cwd' ? 'working directory' : w === 'command' ? 'command line' : 'output')))})`;
}

function ScopesSection({ scopes, actions }: { scopes: ScopeComparison; actions: Array<RecordOf<'action'>> }) {
  const bySeq = new Map(actions.map((a) => [a.seq, a]));
  return (
    <section className="rv-card" aria-labelledby="rv-scopes-heading" data-testid="scope-comparison">
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
              .map((a) => (
                <li key={a.seq}>
                  #{a.seq} <code>{bySeq.get(a.seq)?.payload.argv.join(' ')}</code> — {a.undeclared.map(hitWords).join('; ')}
                </li>
              ))}
          </ul>
        </div>
      )}
      <div className="table-wrap">
        <table className="rv-table">
          <thead>
            <tr>
              <th scope="col">Declared scope</th>
              <th scope="col">Named by</th>
            </tr>
          </thead>
          <tbody>
            {scopes.declared.map((sc) => {
              const by = scopes.actions.filter((a) => a.declared.some((h) => h.scope === sc));
              return (
                <tr key={sc}>
                  <th scope="row" className="mono">
                    {sc}
                  </th>
                  <td>
                    {by.length === 0 ? (
                      <span className="rv-untouched">No action named it (declared, apparently unused)</span>
                    ) : (
                      by.map((a) => `#${a.seq} (${a.declared.find((h) => h.scope === sc)!.in.map((w) => (w === 'cwd' ? 'working directory' : w === 'command' ? 'command line' : 'output')).join(', ')})`).join('; ')
                    )}
                  </td>
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

function Closure({ record }: { record: RecordOf<'closed'> }) {
  const c = record.payload.closure;
  const restored: Array<[string, string]> = [
    ['Signing keys', c.controlsRestored.signingKeys],
    ['Backend locks', c.controlsRestored.backendLocks],
    ['Break-glass credentials rotated', c.controlsRestored.breakGlassCredentialsRotated],
  ];
  return (
    <section className="rv-card" aria-labelledby="rv-closure-heading">
      <h3 id="rv-closure-heading">Closure</h3>
      <dl className="rv-prose">
        <div>
          <dt>What was changed</dt>
          <dd className="prewrap">{c.summary}</dd>
        </div>
        <div>
          <dt>Reversal steps</dt>
          <dd>
            <ol className="rv-list rv-list--numbered">
              {c.reversalSteps.map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ol>
          </dd>
        </div>
        <div>
          <dt>Controls restored</dt>
          <dd>
            <ul className="rv-list">
              {restored.map(([label, answer]) => (
                <li key={label} className={answer === 'no' ? 'text-danger' : undefined}>
                  {label}: <strong>{answer === 'not-applicable' ? 'not applicable' : answer}</strong>
                </li>
              ))}
            </ul>
            {c.controlsNote && <p className="prewrap">{c.controlsNote}</p>}
          </dd>
        </div>
        <div>
          <dt>Operator&apos;s follow-ups</dt>
          <dd>
            {c.followUps.length === 0 ? (
              'None'
            ) : (
              <ul className="rv-list">
                {c.followUps.map((f, i) => (
                  <li key={i}>
                    {f.action} — {f.owner}
                    {f.due ? `, due ${f.due}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Review due</dt>
          <dd>
            <When at={record.payload.reviewDueAt} inline />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A local time with its UTC beside it. */
export function When({ at, inline }: { at: string; inline?: boolean }) {
  return (
    <>
      <time dateTime={at}>{formatLocalDateTime(at)}</time>
      <span className={inline ? 'utc' : 'utc block'}>{inline ? ` (${formatUtc(at)})` : formatUtc(at)}</span>
    </>
  );
}
