/**
 * The app shell (renderer/shell/ is not a feature folder): the one place that composes the
 * features. Feature folders never import each other (eslint.config.js, "renderer feature
 * folders"); this folder may import every one of them, and none imports it.
 */
import { useEffect } from 'react';
import { windowTitleFor } from '../../app/countdown';
import { useClock, usePush, useStatus, useUi } from '../stores/context';
import { allowedRoute, type Route } from '../routes';
import { Board } from '../board/Board';
import { SessionPage } from '../sessionPage/SessionPage';
import { Reviews } from '../reviews/Reviews';
import { ReviewForm } from '../reviews/ReviewForm';
import { Reports } from '../reports/Reports';
import { Settings } from '../settings/Settings';
import { Header } from './Header';
import { HomeScreen } from './HomeScreen';

/** The console window: banner, announcements, and the home screen (or why it cannot be shown). */
export function App() {
  const phase = useStatus((s) => s.phase);
  // The board needs nothing of the status snapshot and is open to every console (the observer's
  // too): opened cold, it reads its rows beside the snapshot, not after it (issue 18).
  const boardFirst = useUi((s) => s.route.view === 'board');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <Header />
      <Announcer />
      <main id="main" tabIndex={-1} aria-busy={phase === 'loading'}>
        {phase === 'error' ? <LoadError /> : phase === 'loading' && !boardFirst ? <Loading /> : <CurrentView />}
      </main>
      <TitleSync />
    </>
  );
}

/** The view the address names, as far as this console may show it (observer: board and sessions only). */
function CurrentView() {
  const route = useUi((s) => s.route);
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  return <View route={allowedRoute(route, observer)} />;
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'home':
      return <HomeScreen />;
    case 'board':
      return <Board />;
    case 'session':
      return <SessionPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'reviews':
      return <Reviews />;
    case 'review':
      return <ReviewForm key={route.sessionId} sessionId={route.sessionId} />;
    case 'reports':
      return <Reports />;
    case 'settings':
      return <Settings />;
  }
}

function Loading() {
  return (
    <p className="loading" role="status">
      Reading the evidence repository…
    </p>
  );
}

function LoadError() {
  const error = useStatus((s) => s.error);
  const load = useStatus((s) => s.actions.load);
  return (
    <section className="banner banner--blocking" role="alert" aria-labelledby="load-error-heading">
      <h2 id="load-error-heading">The console cannot read its state</h2>
      <p>{error?.message ?? 'No answer from the service.'}</p>
      <button type="button" className="button button-secondary" onClick={() => void load()}>
        Retry
      </button>
    </section>
  );
}

/** Polite announcements for push-state changes; an assertive one for expiry warnings. */
function Announcer() {
  const push = usePush((s) => s.announcement);
  const warning = useStatus((s) => s.lastWarning);
  const incident = useStatus((s) => s.snapshot?.open.find((o) => o.sessionId === warning?.sessionId)?.incidentId ?? null);
  return (
    <>
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="push-announcer">
        {push}
      </div>
      <div className="visually-hidden" aria-live="assertive" aria-atomic="true" data-testid="warning-announcer">
        {warning ? `${warning.minutesLeft} ${warning.minutesLeft === 1 ? 'minute' : 'minutes'} left${incident ? ` on ${incident}` : ''}.` : ''}
      </div>
    </>
  );
}

/** The window title shows the remaining time while a session is active (procedure.md §5), in the tray's words (app/countdown.ts). */
function TitleSync() {
  const open = useStatus((s) => s.snapshot?.open);
  const title = useClock((s) => windowTitleFor(open ?? [], s.now));
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}
