import type { SessionView } from '../../app/views';
import { CreateRoster } from '../home/CreateRoster';
import { GovernanceNotice } from '../home/GovernanceNotice';
import { OperatorCard, PolicyBanner, RecentSessions, RefreshError, RepositoryCard, UnreadableWarning } from '../home/HomeParts';
import { ActiveSession } from '../session/ActiveSession';
import { AwaitingReview } from '../session/AwaitingReview';
import { useStatus } from '../stores/context';
import { DeclarePanel } from '../wizard/DeclarePanel';

const NONE: readonly SessionView[] = [];

/**
 * The home screen (issue 3): policy, the roster to create while there is none (issue 15), this
 * host's open sessions or the way to declare, who and where, recent sessions. Composed here, in the shell, from three features: the home screen's own
 * parts, the active session view (issue 5) and the declaration wizard (issue 4).
 */
export function HomeScreen() {
  return (
    <>
      <PolicyBanner />
      <GovernanceNotice />
      <RefreshError />
      <UnreadableWarning />
      <OpenSessions />
      <AwaitingReview />
      {/* Below the sessions and the declaration: setting up signing is never what stands in the operator's way. */}
      <CreateRoster />
      <div className="cards">
        <OperatorCard />
        <RepositoryCard />
      </div>
      <RecentSessions />
    </>
  );
}

/** This host's open sessions (active with their countdown, or expired awaiting closure), and the way to declare in another environment. */
function OpenSessions() {
  const open = useStatus((s) => s.snapshot?.open ?? NONE);
  if (open.length === 0) return <DeclarePanel />;
  return (
    <div className="open-sessions">
      {open.map((s) => (
        <ActiveSession key={s.sessionId} session={s} />
      ))}
      {/* One session per environment (procedure.md §5): the others stay declarable (issue 4). */}
      <DeclarePanel />
    </div>
  );
}
