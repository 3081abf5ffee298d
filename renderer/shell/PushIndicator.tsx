import type { PushStatus } from '../../app/views';
import { assertNever } from '../../app/errors';
import { formatCount, formatLocalDateTime, formatLocalTime, formatRelative, formatUtc } from '../format';
import { useClock, usePush, useStatus } from '../stores/context';
import { StatusBox } from './StatusBox';

/**
 * Sync with the shared remote, in the header (procedure.md §7: a failed push never loses or
 * blocks local evidence, so the words say where the evidence is, then what happens next).
 */
export function PushIndicator() {
  const status = usePush((s) => s.status);
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  if (!status) return null;
  return (
    <StatusBox
      id="push"
      look={status.state}
      title={
        <>
          <span className="visually-hidden">Evidence push: </span>
          {title(status)}
        </>
      }
      detail={<PushDetail status={status} />}
      action={!observer && (status.state === 'pending' || status.state === 'offline' || status.state === 'rejected') && <PushNow />}
    />
  );
}

function title(p: PushStatus): string {
  switch (p.state) {
    case 'local-only':
      return 'Local only';
    case 'synced':
      return 'Synced';
    case 'pending':
      return `${formatCount(p.pending, 'record')} pending`;
    case 'offline':
      return 'Offline';
    case 'rejected':
      return 'Push rejected';
    case 'behind':
      return 'History behind the remote';
    default:
      return assertNever(p);
  }
}

function PushDetail({ status: p }: { status: PushStatus }) {
  switch (p.state) {
    case 'local-only':
      return <p>No remote configured: evidence stays on this host.</p>;
    case 'synced':
      return (
        <p>
          {p.lastPushAt ? <>Last push <Stamp iso={p.lastPushAt} relative /></> : 'Up to date'} · <span className="mono">{p.remote}</span>
        </p>
      );
    case 'pending':
      return (
        <p>
          Pushing to <span className="mono">{p.remote}</span>
          {p.lastPushAt && <> · last push <Stamp iso={p.lastPushAt} relative /></>}
        </p>
      );
    case 'offline':
      return (
        <>
          <p>
            Since <Stamp iso={p.since} /> · {p.nextTryAt ? <>next try <Stamp iso={p.nextTryAt} relative /></> : 'tried again with the next fetch or record'}
          </p>
          <p>{p.pending > 0 ? `${formatCount(p.pending, 'record')} safe on this host, waiting to push.` : 'Evidence is safe on this host.'}</p>
          <p className="push-reason">Reason: {p.reason}</p>
        </>
      );
    case 'rejected':
      return (
        <>
          <p>
            Since <Stamp iso={p.since} /> · {formatCount(p.pending, 'record')} safe on this host
          </p>
          <p className="push-reason">Reason: {p.reason}</p>
        </>
      );
    case 'behind':
      return (
        <>
          <p>
            {formatCount(p.missing, 'record')} the remote confirmed (commit <span className="mono">{p.confirmed.slice(0, 12)}</span>) are no longer in this host's history · <span className="mono">{p.remote}</span>
          </p>
          <p className="push-reason">Removed here after the push, or an older copy restored: verify names them.</p>
        </>
      );
    default:
      return assertNever(p);
  }
}

/** A time in the header: local time, UTC in the tooltip-free small print, and optionally "in 2 minutes". */
export function Stamp({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const rel = useClock((s) => (relative ? formatRelative(iso, s.now) : ''));
  return (
    <time dateTime={iso} title={`${formatLocalDateTime(iso)} (${formatUtc(iso, { seconds: true })})`}>
      {formatLocalTime(iso)}
      {rel && ` (${rel})`}
    </time>
  );
}

function PushNow() {
  const pushing = usePush((s) => s.pushing);
  const error = usePush((s) => s.error);
  const pushNow = usePush((s) => s.actions.pushNow);
  return (
    <div className="push-action">
      {/* aria-disabled keeps the focus on the button while the attempt runs. */}
      <button type="button" className="button button-secondary" aria-disabled={pushing} onClick={() => void pushNow()}>
        {pushing ? 'Pushing…' : 'Push now'}
      </button>
      {error && <p className="push-error" role="alert">{error.message}</p>}
    </div>
  );
}
