import { useShallow } from 'zustand/react/shallow';
import { formatLocalTime, formatUtc } from '../format';
import { useStatus } from '../stores/context';
import { ChoiceCards } from './ChoiceCards';
import { activeSessionIn } from './rules';
import { useWizard } from './useWizard';
import type { Policy } from '../../app/policy';

const NO_ENVIRONMENTS: Policy['environments'] = [];

/**
 * The environment (procedure.md §1 "least privilege: the declaration names one environment"),
 * as radio buttons with the policy's description and credential checks. Used on the
 * preconditions step (credentials are checked for it) and on the scope step.
 */
export function EnvironmentChoice({ hint }: { hint: string }) {
  const environments = useWizard((s) => s.policy?.environments ?? NO_ENVIRONMENTS);
  const value = useWizard((s) => s.fields.environment);
  const update = useWizard((s) => s.actions.update);
  const cards = environments.map((env) => ({
    value: env.id,
    text: (
      <>
        <span className="choice-title mono">{env.id}</span>
        {env.description && <span className="choice-meta">{env.description}</span>}
        <span className="choice-meta">
          {env.credentialChecks.length === 0
            ? 'No credential checks in the policy'
            : `Credential checks: ${env.credentialChecks.map((c) => (c.kind === 'env' ? `$${c.name}` : c.path)).join(', ')}`}
        </span>
      </>
    ),
  }));
  return (
    <ChoiceCards path="environment" legend="Environment" hint={hint} value={value} cards={cards} onChange={(environment) => update({ environment })} inline>
      <ActiveSessionNotice />
    </ChoiceCards>
  );
}

/**
 * This host already has an active session in the chosen environment (procedure.md §5: one per
 * environment): say so and link to it instead of starting a second one (issue 4).
 */
export function ActiveSessionNotice() {
  const environment = useWizard((s) => s.fields.environment);
  const session = useStatus(useShallow((s) => activeSessionIn(s.snapshot?.open, environment)));
  if (!session) return null;
  return (
    <div className="notice notice--conflict" role="note">
      <p>
        <strong>A session is already active for {session.environment} on this host:</strong> <span className="mono">{session.incidentId}</span>, operator {session.operator.name}, until{' '}
        <time dateTime={session.expiresAt}>{formatLocalTime(session.expiresAt)}</time> <span className="utc">({formatUtc(session.expiresAt, { seconds: true })})</span>.
      </p>
      <p>
        <a href={`#session-${session.sessionId}`}>Go to the active session {session.incidentId}</a> to work in it, or pick another environment. Only one session per environment may be active on a host.
      </p>
    </div>
  );
}
