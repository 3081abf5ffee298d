import { useShallow } from 'zustand/react/shallow';
import { useStatus, useUi } from '../stores/context';
import { allowedRoute, hrefOf, type Route } from '../routes';
import { ForwardIndicator } from './ForwardIndicator';
import { PushIndicator } from './PushIndicator';
import { RosterMark } from './RosterMark';

/** The banner: what this is, on which host, observer mode, unsigned or the trust anchor (issue 15), the push state and forwarding (issue 19), always visible. */
export function Header() {
  const { host, observer } = useStatus(useShallow((s) => ({ host: s.snapshot?.host.name ?? null, observer: s.snapshot?.observer ?? false })));
  return (
    <header className="topbar">
      <div className="topbar-brand">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <h1 className="brand-name">Break-Glass Console</h1>
          {host && <p className="brand-host">Host <span className="mono">{host}</span></p>}
        </div>
        {observer && <span className="badge badge-observer">Observer (read-only)</span>}
        <RosterMark />
      </div>
      <PushIndicator />
      <ForwardIndicator />
      <Nav observer={observer} />
    </header>
  );
}

const LINKS: ReadonlyArray<{ route: Route; label: string; views: ReadonlyArray<Route['view']> }> = [
  { route: { view: 'home' }, label: 'This host', views: ['home'] },
  { route: { view: 'board' }, label: 'Board', views: ['board', 'session'] },
  { route: { view: 'reviews' }, label: 'Reviews', views: ['reviews', 'review'] },
  { route: { view: 'reports' }, label: 'Reports', views: ['reports'] },
  { route: { view: 'settings' }, label: 'Settings', views: ['settings'] },
];

/** The views; an observer gets the board only (its session pages open from there). */
function Nav({ observer }: { observer: boolean }) {
  const current = useUi((s) => allowedRoute(s.route, observer).view);
  const overdue = useStatus((s) => s.snapshot?.counts.overdueReviews ?? 0);
  const links = LINKS.filter((l) => allowedRoute(l.route, observer).view === l.route.view);
  return (
    <nav className="topnav" aria-label="Views">
      <ul>
        {links.map((l) => (
          <li key={l.label}>
            <a href={hrefOf(l.route)} aria-current={l.views.includes(current) ? 'page' : undefined}>
              {l.label}
              {l.route.view === 'reviews' && overdue > 0 && (
                <span className="nav-badge" aria-label={`${overdue} overdue`}>{overdue}</span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
