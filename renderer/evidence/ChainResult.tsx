import type { SessionDetail } from '../../app/views';
import { formatCount } from '../format';
import { CommitId } from './CommitId';
import './evidence.css';

/** This session's hash chain and record checks, stated plainly (procedure.md §10): the first thing read about its evidence. */
export function ChainResult({ detail }: { detail: SessionDetail }) {
  const { chain, timeline } = detail;
  if (chain.ok) {
    return (
      <section className="sp-chain sp-chain--ok" aria-label="Chain verification">
        <p role="status">
          <strong>Chain verified:</strong> {formatCount(timeline.length, 'record')}, hashes and links intact.
        </p>
      </section>
    );
  }
  return (
    <section className="banner banner--blocking sp-chain" role="alert" aria-labelledby="sp-chain-h">
      <h3 id="sp-chain-h">Chain verification failed: {formatCount(chain.problems.length, 'problem')}</h3>
      <p>Some of this session&apos;s evidence does not match its hash chain or its commits. Treat the records below as unreliable until this is explained.</p>
      <ul className="problems">
        {chain.problems.map((p, i) => (
          <li key={i}>
            {p.seq !== null ? <strong>Record #{p.seq}: </strong> : null}
            {p.message}
            {p.commit && (
              <>
                {' '}
                (commit <CommitId commit={p.commit} />)
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
