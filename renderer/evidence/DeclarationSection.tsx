import { ATTESTATION_TEXT } from '../../app/declaration';
import { TRIGGERS } from '../../app/policy';
import type { SessionDetail } from '../../app/views';
import { formatCount, formatPerson } from '../format';
import { RecordedBy } from './RecordedBy';
import { recordsOf } from './records';
import { Fact, ScopeChips } from './Fact';
import './evidence.css';

const ATTESTATIONS = Object.entries(ATTESTATION_TEXT) as Array<[keyof typeof ATTESTATION_TEXT, string]>;

const PRECONDITION_STATUS = { pass: 'Passed', fail: 'Failed', warn: 'Warning' } as const;

/** The declaration in full, as committed in the session's first record (procedure.md §1–§4). */
export function DeclarationSection({ detail }: { detail: SessionDetail }) {
  const d = detail.declaration;
  const declared = recordsOf(detail.timeline, 'declared')[0];
  return (
    <section className="card sp-section" aria-labelledby="sp-decl-h">
      <h3 id="sp-decl-h">Declaration</h3>
      {declared && (
        <RecordedBy verb="Declared" entry={declared.entry} />
      )}
      <dl className="sp-decl">
        <Fact term="Trigger">
          {TRIGGERS[d.trigger]} <span className="muted mono">({d.trigger})</span>
        </Fact>
        <Fact term="Incident" className="mono">{d.incidentId}</Fact>
        <Fact term="Governed paths tried">
          <ol className="sp-paths">
            {d.governedPathsTried.map((p, i) => (
              <li key={i}>
                <span className="sp-path-name">{p.path}</span>
                <span className="sp-path-failure">Failed: {p.failure}</span>
              </li>
            ))}
          </ol>
        </Fact>
        <Fact term="Material risk" className="sp-prose">{d.materialRisk}</Fact>
        <Fact term="Justification" className="sp-prose">{d.justification}</Fact>
        <Fact term="Attestations">
          <ul className="sp-attest">
            {ATTESTATIONS.map(([key, label]) => (
              <li key={key}>
                {d.attestations[key] ? <span className="sp-yes">Attested:</span> : <span className="text-danger">Not attested:</span>} {label}
              </li>
            ))}
          </ul>
        </Fact>
        <Fact term="Environment and scopes">
          <span className="env-pill">{d.environment}</span>{' '}
          <ScopeChips scopes={d.scopes} label="Declared scopes" className="sp-inline-chips" />
        </Fact>
        <Fact term="Duration asked">{formatCount(d.durationMinutes, 'minute')}</Fact>
        <Fact term="Operator" className="break">{formatPerson(d.operator)}</Fact>
        {declared && (
          <>
            <Fact term="Preconditions checked">
              {declared.record.payload.preconditions.length === 0 ? (
                <span className="muted">None recorded.</span>
              ) : (
                <ul className="sp-preconditions">
                  {declared.record.payload.preconditions.map((p) => (
                    <li key={p.id}>
                      <span className={`sp-pre sp-pre--${p.status}`}>{PRECONDITION_STATUS[p.status]}</span> <span className="mono">{p.id}</span>: {p.detail}
                    </li>
                  ))}
                </ul>
              )}
            </Fact>
            <Fact term="Policy in force (SHA-256)">
              <code className="sp-hash">{declared.record.payload.policySha256}</code>
            </Fact>
          </>
        )}
      </dl>
    </section>
  );
}
