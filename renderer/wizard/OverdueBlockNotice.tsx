import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { formatLocalDateTime, formatUtc } from '../format';
import { hrefOf } from '../routes';
import { useApi, useStatus } from '../stores/context';
import { operatorOf } from './rules';
import { useWizard } from './useWizard';

interface Block {
  detail: string;
  sessions: SessionView[];
}

/**
 * The last answer per operator, so the notice does not vanish and reappear each time the wizard is
 * shown again; it is checked afresh on every showing and on every change of the evidence.
 */
const lastAnswer = new Map<string, Block | null>();

/**
 * At the top of the declaration wizard (issue 7): when the policy makes an overdue review block a
 * new declaration by the same operator, say so before anything is filled in, with the session,
 * incident and due date, and a way to its review form. The verdict is the service's own
 * precondition ("overdue-review"), the same one that blocks the preconditions step and `declare`.
 */
export function OverdueBlockNotice() {
  const api = useApi();
  const operator = useWizard(useShallow((s) => operatorOf(s.fields)));
  const changedAt = useStatus((s) => s.snapshot?.at ?? null);
  const name = operator?.name ?? null;
  const email = operator?.email ?? null;
  const key = `${name ?? ''}\n${email ?? ''}`;
  const [block, setBlockState] = useState<Block | null>(() => lastAnswer.get(key) ?? null);

  useEffect(() => {
    if (!name || !email) {
      setBlockState(null);
      return;
    }
    let live = true;
    const setBlock = (b: Block | null) => {
      lastAnswer.set(key, b);
      setBlockState(b);
    };
    void Promise.all([api.preconditions.check({ operator: { name, email } }), api.sessions.list({ phase: 'closed' })])
      .then(([checks, closed]) => {
        if (!live) return;
        const row = checks.ok ? checks.value.find((c) => c.id === 'overdue-review' && c.status === 'fail') : undefined;
        if (!row) return setBlock(null);
        const mine = closed.ok ? closed.value.filter((v) => v.reviewOverdue && v.operator.email.toLowerCase() === email.trim().toLowerCase()) : [];
        setBlock({ detail: row.detail, sessions: mine });
      })
      .catch(() => {
        // The preconditions step shows the same check with its own error handling.
        if (live) setBlockState(null);
      });
    return () => {
      live = false;
    };
  }, [api, name, email, key, changedAt]);

  if (!block) return null;
  return (
    <div className="notice notice--error wz-block-notice" role="alert" data-testid="overdue-block">
      <p>
        <strong>Declaring is blocked for {name}: a review of one of your sessions is overdue.</strong> {block.detail}
      </p>
      {block.sessions.length > 0 && (
        <ul>
          {block.sessions.map((v) => (
            <li key={v.sessionId}>
              <a href={hrefOf({ view: 'review', sessionId: v.sessionId })}>
                Review form for <span className="mono">{v.incidentId}</span>
              </a>{' '}
              ({v.environment}, review was due{' '}
              {v.reviewDueAt && (
                <>
                  <time dateTime={v.reviewDueAt}>{formatLocalDateTime(v.reviewDueAt)}</time> <span className="utc">({formatUtc(v.reviewDueAt)})</span>
                </>
              )}
              )
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
