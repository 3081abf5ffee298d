import { ConsoleSettings } from './ConsoleSettings';
import { ForwardingSettings } from './ForwardingSettings';
import { RemoteSettings } from './RemoteSettings';
import './settings.css';

/** Remote, forwarding (issue 19), fetch schedule, terminal and observer settings (issue 6). An observer never reaches this view (routes.ts). */
export function Settings() {
  return (
    <section className="st" aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>
        Settings
      </h2>
      <p className="st-lead">Kept on this machine, not in the evidence repository.</p>
      <RemoteSettings />
      <ForwardingSettings />
      <ConsoleSettings />
    </section>
  );
}
