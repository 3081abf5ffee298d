import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { formatLocalTime, formatUtc } from '../format';
import { usePolicy } from '../stores/context';
import { extensionRoom, formatMinutes } from './extension';
import { useSession } from './useSession';
import { Fact } from '../evidence/Fact';

/**
 * The extension dialog (issue 5 "Extension", procedure.md §5): a new justification and the
 * minutes to add; the policy's step, the count left and the total cap, and the new expiry, shown
 * before confirming. The dialog closes only once `extended` is committed, and the countdown moves
 * only when the next snapshot (derived from that record) arrives.
 */
export function ExtendDialog({ session }: { session: SessionView }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const state = useSession(useShallow((s) => ({ open: s.extend.open && s.extend.sessionId === session.sessionId, busy: s.extend.busy, error: s.extend.error })));
  const policy = usePolicy((s) => s.policy);
  const loadPolicy = usePolicy((s) => s.actions.load);
  const { cancelExtend, extendSession } = useSession(useShallow((s) => ({ cancelExtend: s.actions.cancelExtend, extendSession: s.actions.extendSession })));
  const [minutes, setMinutes] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const room = policy ? extensionRoom(session, policy.extension) : null;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (state.open && !dialog.open) {
      // The caps shown are the policy in force: read again only if it changed (or the last read failed).
      void loadPolicy();
      setReason('');
      setMinutes(null);
      dialog.showModal();
      reasonRef.current?.focus();
    } else if (!state.open && dialog.open) {
      dialog.close();
    }
  }, [state.open, loadPolicy]);

  // Until the operator types a figure, propose the most the policy allows now.
  const proposed = minutes ?? (room ? String(room.maxNow) : '');
  const asked = Number(proposed);
  const validFigure = proposed.trim() !== '' && Number.isInteger(asked) && asked >= 1;
  const newExpiry = validFigure ? new Date(Date.parse(session.expiresAt) + asked * 60_000).toISOString() : null;
  const blocked = room && (room.countLeft === 0 || room.underCap === 0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (state.busy) return;
    await extendSession(session.sessionId, validFigure ? asked : Number.NaN, reason);
  };

  return (
    <dialog
      ref={ref}
      className="sv-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-now`}
      onCancel={(e) => {
        // Esc while the extension is being committed would hide an answer that is still coming.
        if (state.busy) e.preventDefault();
      }}
      onClose={() => cancelExtend()}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={`${id}-title`}>
          Extend <span className="mono">{session.incidentId}</span>
        </h2>
        <p id={`${id}-now`}>
          Current expiry: <time dateTime={session.expiresAt}>{formatLocalTime(session.expiresAt)}</time>{' '}
          <span className="utc">({formatUtc(session.expiresAt, { seconds: true })})</span>. An extension needs a new justification and is committed as evidence before the countdown moves.
        </p>
        {policy && room ? (
          <dl className="sv-caps" aria-label="What the policy allows">
            <Fact term="Each extension">up to {formatMinutes(policy.extension.stepMinutes)}</Fact>
            <div className={room.countLeft === 0 ? 'sv-caps--exhausted' : ''}>
              <dt>Extensions left</dt>
              <dd>
                {room.countLeft} of {policy.extension.maxCount}
              </dd>
            </div>
            <div className={room.underCap === 0 ? 'sv-caps--exhausted' : ''}>
              <dt>Total session cap</dt>
              <dd>
                {formatMinutes(policy.extension.maxTotalMinutes)} (now {formatMinutes(room.usedMinutes)}; {formatMinutes(room.underCap)} more possible)
              </dd>
            </div>
          </dl>
        ) : (
          <p className="muted">Reading the policy…</p>
        )}
        {blocked ? (
          <p className="sv-dialog-blocked" role="alert">
            {room.countLeft === 0
              ? `No extension left: the policy allows ${policy!.extension.maxCount} per session.`
              : `The session is at the policy's total cap of ${formatMinutes(policy!.extension.maxTotalMinutes)}.`}{' '}
            Finish, then close the session with its reversal record; declare a new session if the emergency continues.
          </p>
        ) : (
          <>
            <label htmlFor={`${id}-reason`}>New justification: why more time is needed</label>
            <textarea
              className="control"
              id={`${id}-reason`}
              ref={reasonRef}
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={state.error && state.error.field !== 'minutes' ? true : undefined}
            />
            <label htmlFor={`${id}-min`}>Minutes to add</label>
            <input
              id={`${id}-min`}
              className="control sv-input-minutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={room?.maxNow}
              step={1}
              value={proposed}
              onChange={(e) => setMinutes(e.target.value)}
              aria-invalid={state.error?.field === 'minutes' ? true : undefined}
              aria-describedby={`${id}-min-hint`}
            />
            <p className="sv-hint" id={`${id}-min-hint`}>
              {room ? `At most ${room.maxNow} minutes now.` : ''}
            </p>
            <p className="sv-new-expiry" aria-live="polite">
              {newExpiry ? (
                <>
                  New expiry: <strong><time dateTime={newExpiry}>{formatLocalTime(newExpiry)}</time></strong>{' '}
                  <span className="utc">({formatUtc(newExpiry, { seconds: true })})</span>
                </>
              ) : (
                'Enter whole minutes to see the new expiry.'
              )}
            </p>
          </>
        )}
        {state.error && (
          <p className="sv-field-error" role="alert">
            Not extended: {state.error.message}
          </p>
        )}
        <div className="sv-form-actions">
          {!blocked && (
            <button type="submit" className="button button-primary" aria-disabled={state.busy}>
              {state.busy ? 'Committing the extension…' : validFigure ? `Extend by ${asked} min` : 'Extend'}
            </button>
          )}
          <button type="button" className="button button-secondary" aria-disabled={state.busy} onClick={() => cancelExtend()}>
            {blocked ? 'Close' : 'Cancel'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
