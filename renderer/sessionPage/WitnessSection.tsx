import type { SessionDetail } from '../../app/views';
import { formatCount, formatLocalDateTime } from '../format';

/**
 * Who else saw this session's host history (issue 16): each witness's latest signed statement of
 * the commit they saw, and whether the history still contains it. A statement is what someone
 * else saw, so a rewrite of that history by its own author is found; nothing protects what no
 * one has seen yet, and the page says so.
 */
export function WitnessSection({ detail }: { detail: SessionDetail }) {
  const list = detail.witnesses;
  if (!list) return null;
  const host = detail.session.host.name;
  return (
    <section className="card sp-section" aria-labelledby="sp-witness-h">
      <h3 id="sp-witness-h">Witnesses of {host}'s history</h3>
      {list.length === 0 ? (
        <p className="muted">
          No one else has stated what they saw of this host's history yet. Until a commander's console fetches it (or someone runs breakglass witness), only the acknowledgement code and the pushes protect it from being rewritten by its own author.
        </p>
      ) : (
        <ul className="bare-list" data-testid="witnesses">
          {list.map((w) => (
            <li key={`${w.witnessHost}-${w.commit}`} className={w.contained ? undefined : 'state--overdue'}>
              <strong>{w.witness}</strong> (host {w.witnessHost}) saw commit <span className="mono">{w.commit.slice(0, 12)}</span> with {formatCount(w.records, 'record')} at {formatLocalDateTime(w.at)}
              {w.contained ? ': the history still contains it.' : ': the history NO LONGER contains it — it was rewritten after it was witnessed (verify names the first record lost).'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
