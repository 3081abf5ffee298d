import type { SessionView } from '../../app/views';
import { ActiveSession } from '../session/ActiveSession';

export { TRIGGER_LABELS } from '../session/ActiveSession';

/**
 * One of this host's open sessions on the home screen: active with its live countdown and
 * actions, or expired awaiting closure (issue 5; the view lives in renderer/session/).
 */
export function SessionPanel({ session }: { session: SessionView }) {
  return <ActiveSession session={session} />;
}
