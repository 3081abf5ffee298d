import { useShallow } from 'zustand/react/shallow';
import { useStatus } from '../stores/context';
import { PushIndicator } from './PushIndicator';

/** The banner: what this is, on which host, observer mode, and the push state, always visible. */
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
      </div>
      <PushIndicator />
    </header>
  );
}
