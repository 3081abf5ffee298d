import { ATTESTATION_TEXT } from '../../app/declaration';
import { TRIGGERS } from '../../app/policy';
import type { SessionDetail } from '../../app/views';
import { formatCount, formatPerson } from '../format';
import { RecordedBy } from './RecordedBy';
import { recordsOf } from './records';
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
        <div>
          <dt>Trigger</dt>
          <dd>
            {TRIGGERS[d.trigger]} <span className="muted mono">({d.trigger})</span>
          </dd>
        </div>
        <div>
          <dt>Incident</dt>
          <dd className="mono">{d.incidentId}</dd>
        </div>
        <div>
          <dt>Governed paths tried</dt>
          <dd>
            <ol className="sp-paths">
              {d.governedPathsTried.map((p, i) => (
                <li key={i}>
                  <span className="sp-path-name">{p.path}</span>
                  <span className="sp-path-failure">Failed: {p.failure}</span>
                </li>
              ))}
            </ol>
          </dd>
        </div>
        <div>
          <dt>Material risk</dt>
          <dd className="sp-prose">{d.materialRisk}</dd>
        </div>
        <div>
          <dt>Justification</dt>
          <dd className="sp-prose">{d.justification}</dd>
        </div>
        <div>
          <dt>Attestations</dt>
          <dd>
            <ul className="sp-attest">
              {ATTESTATIONS.map(([key, label]) => (
                <li key={key}>
                  {d.attestations[key] ? <span className="sp-yes">Attested:</span> : <span className="text-danger">Not attested:</span>} {label}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Environment and scopes</dt>
          <dd>
            <span className="env-pill">{d.environment}</span>{' '}
            <ul className="chips sp-inline-chips" aria-label="Declared scopes">
              {d.scopes.map((s) => (
                <li key={s} className="chip">
                  {s}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Duration asked</dt>
          <dd>{formatCount(d.durationMinutes, 'minute')}</dd>
        </div>
        <div>
          <dt>Operator</dt>
          <dd className="break">{formatPerson(d.operator)}</dd>
        </div>
        {declared && (
          <>
            <div>
              <dt>Preconditions checked</dt>
              <dd>
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
              </dd>
            </div>
            <div>
              <dt>Policy in force (SHA-256)</dt>
              <dd>
                <code className="sp-hash">{declared.record.payload.policySha256}</code>
              </dd>
            </div>
          </>
        )}
      </dl>
    </section>
  );
}
