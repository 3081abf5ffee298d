import type { SessionDetail } from '../../app/views';
import { formatCount } from '../format';
import { CommitId } from './CommitId';
import { recordRef } from './records';
import './evidence.css';

/**
 * Who signed each of this session's records (issue 15, "Every view shows it"): proven (a valid
 * signature by the roster key of the person or host the record needs, with their name and key
 * fingerprint), only claimed (no roster: the name is what was typed), or invalid. Read with the
 * chain result, before the records themselves.
 */
export function SignatureResult({ detail }: { detail: SessionDetail }) {
  const sig = detail.signatures;
  if (!sig) return null;
  const entryOf = new Map(detail.timeline.map((t) => [t.commit, t]));
  const invalid = sig.records.filter((r) => r.status === 'invalid').length;
  const proven = sig.records.filter((r) => r.status === 'proven').length;
  const summary = !sig.roster
    ? `Unsigned: this repository has no roster, so the names in these ${formatCount(sig.records.length, 'record')} are claimed, not proven.`
    : invalid > 0
      ? `${formatCount(invalid, 'record')} not proven by the roster key ${invalid === 1 ? 'it needs' : 'they need'}; ${proven} proven.`
      : `Signed: ${formatCount(proven, 'record')} proven by roster keys.`;
  return (
    <section className={`sp-chain ${invalid > 0 ? 'banner banner--blocking' : sig.roster ? 'sp-chain--ok' : ''}`} aria-label="Signatures" data-signatures={!sig.roster ? 'unsigned' : invalid > 0 ? 'invalid' : 'proven'}>
      <p role="status">
        <strong>{summary}</strong>
      </p>
      <ul className="sp-signatures">
        {sig.records.map((r) => (
          <li key={r.commit} data-signature={r.status}>
            {entryOf.has(r.commit) ? recordRef(entryOf.get(r.commit)!) : 'Record #?'}:{' '}
            {r.status === 'proven' ? (
              <>proven, signed by {r.signer?.name} (key <code>{r.fingerprint}</code>)</>
            ) : r.status === 'claimed' ? (
              <>claimed, not proven (unsigned)</>
            ) : (
              <>NOT PROVEN: {r.message}</>
            )}{' '}
            (commit <CommitId commit={r.commit} short />)
          </li>
        ))}
      </ul>
    </section>
  );
}
