import { useEffect, useRef, useState } from 'react';
import type { SessionView } from '../../app/views';
import { ACTIVE_SESSION_FACTS, SessionFacts } from '../evidence/SessionFacts';
import { useClock, useStatus } from '../stores/context';
import { useSession } from './useSession';
import { EnvironmentActions, NoteForm, RunCommand, RunList } from './Actions';
import { CloseForm } from './CloseForm';
import { Countdown, ExpiredNotice } from './Countdown';
import { ExtendDialog } from './ExtendDialog';
import { GovernedTerminal } from './GovernedTerminal';
import { ClockSkewNotice, Timeline } from './Timeline';
import { AckNotice } from './AckNotice';

import './session.css';
import './sessionActions.css';

/**
 * One of this host's open sessions (issue 5): the countdown and the facts of the declaration, the
 * actions (each committed as evidence), the extension dialog, the close form and the timeline.
 * At the expiry instant the view turns to "Expired — awaiting closure" by its own clock; the
 * service, which is the authority, refuses actions from that instant whatever the view shows.
 */
export function ActiveSession({ session }: { session: SessionView }) {
  const id = session.sessionId;
  const headingId = `session-${id}`;
  const expiresAtMs = Date.parse(session.expiresAt);
  const reachedExpiry = useClock((s) => s.now >= expiresAtMs);
  const expired = session.phase === 'expired' || reachedExpiry;
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  const closeOpen = useSession((s) => s.close.open && s.close.sessionId === id);
  const { openClose, openExtend, cancelExtend } = useSession((s) => s.actions);

  // The turn to expired is announced once, and the focus is not left on a control that is gone.
  const wasActive = useRef(!expired);
  const focusInside = useRef(false);
  const hasRuns = useSession((s) => s.runs.some((r) => r.sessionId === id));
  const [announcement, setAnnouncement] = useState('');
  // Issue 17: the terminal tab beside the actions; once opened it stays mounted (the shell lives on).
  const [tab, setTab] = useState<'actions' | 'terminal'>('actions');
  const [terminalShown, setTerminalShown] = useState(false);
  const showTab = (t: 'actions' | 'terminal') => {
    setTab(t);
    if (t === 'terminal') setTerminalShown(true);
  };
  useEffect(() => {
    if (!expired || !wasActive.current) return;
    wasActive.current = false;
    cancelExtend();
    setAnnouncement(`${session.incidentId} has expired: break-glass access has ended. Close the session with its reversal record.`);
    // A focused control that was removed leaves the focus on <body> (no blur fires): bring it here.
    if (focusInside.current && (document.activeElement === null || document.activeElement === document.body)) document.getElementById(`expired-${id}`)?.focus();
  }, [expired, cancelExtend, id, session.incidentId]);

  return (
    <div
      className="sv-session-group"
      onFocusCapture={() => {
        focusInside.current = true;
      }}
      onBlurCapture={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) focusInside.current = false;
      }}
    >
      <article className={`session ${expired ? 'session--expired' : 'session--active'}`} aria-labelledby={headingId}>
        <div className="session-head">
          <h2 id={headingId}>
            {expired ? 'Expired session' : 'Active break-glass session'} <span className="session-incident">{session.incidentId}</span>
          </h2>
          <span className="env-pill">{session.environment}</span>
        </div>
        <div className="session-body">
          {expired ? (
            <ExpiredNotice session={session} recording={session.phase !== 'expired'}>
              {!observer && (
                <button type="button" className="button button-primary" aria-expanded={closeOpen} onClick={() => openClose(id)}>
                  Close session…
                </button>
              )}
            </ExpiredNotice>
          ) : (
            <Countdown session={session}>
              {!observer && (
                <button type="button" className="button button-secondary sv-countdown-extend" aria-haspopup="dialog" onClick={() => openExtend(id)}>
                  Extend…
                </button>
              )}
            </Countdown>
          )}
          <SessionFacts session={session} facts={ACTIVE_SESSION_FACTS} />
        </div>
        <ClockSkewNotice sessionId={id} expiresAt={session.expiresAt} wallExpiresAt={session.wallExpiresAt} />
        <AckNotice sessionId={id} />
        <div className="visually-hidden" aria-live="assertive" aria-atomic="true">
          {announcement}
        </div>
      </article>

      {closeOpen && !observer && <CloseForm key={id} session={session} expired={expired} />}

      {!observer && !expired && (
        <div className="sv-session-tabs" role="tablist" aria-label="Work in this session">
          <button type="button" role="tab" id={`tab-actions-${id}`} aria-selected={tab === 'actions'} aria-controls={`panel-actions-${id}`} onClick={() => showTab('actions')}>
            Actions
          </button>
          <button type="button" role="tab" id={`tab-terminal-${id}`} aria-selected={tab === 'terminal'} aria-controls={`panel-terminal-${id}`} onClick={() => showTab('terminal')}>
            Terminal
          </button>
        </div>
      )}
      {!observer && !expired && terminalShown && (
        <div role="tabpanel" id={`panel-terminal-${id}`} aria-labelledby={`tab-terminal-${id}`} hidden={tab !== 'terminal'}>
          <GovernedTerminal sessionId={id} />
        </div>
      )}

      {!observer && (tab === 'actions' || expired) && (
        <section className="sv-session-actions" id={`panel-actions-${id}`} aria-labelledby={`actions-${id}`}>
          <div className="section-head">
            <h2 id={`actions-${id}`}>{expired ? 'After expiry' : 'Actions'}</h2>
            <p className="sv-hint">
              {expired
                ? 'Only a note or the closing record may be added now; commands, the environment and extensions are refused.'
                : 'Each action is committed to the evidence repository under your name before it counts.'}
            </p>
          </div>
          {expired ? (
            <div className="sv-actions-grid">
              <NoteForm sessionId={id} expired />
              {hasRuns && (
                <div className="box stack sv-action-card sv-action-card--plain">
                  <RunList sessionId={id} heading />
                </div>
              )}
            </div>
          ) : (
            <div className="sv-actions-grid">
              <RunCommand sessionId={id} />
              <div className="sv-actions-side">
                <NoteForm sessionId={id} expired={false} />
                <EnvironmentActions sessionId={id} />
                <section className="box stack sv-action-card" aria-labelledby={`end-${id}`}>
                  <h3 id={`end-${id}`}>Finished early?</h3>
                  <p className="sv-hint">Close the session now with its reversal record; access ends at once.</p>
                  <div className="sv-form-actions">
                    <button type="button" className="button button-secondary" aria-expanded={closeOpen} onClick={() => openClose(id)}>
                      Close session early…
                    </button>
                  </div>
                </section>
              </div>
            </div>
          )}
        </section>
      )}

      <Timeline sessionId={id} incidentId={session.incidentId} />

      {!expired && !observer && <ExtendDialog session={session} />}
    </div>
  );
}
