import type { AckStatus } from '../../app/acknowledgement';
import { formatCode } from '../../app/acknowledgement';
import { BreakGlassError } from '../../app/errors';
import { acknowledgeAsCommander } from '../application/acknowledge';
import type { CallInput, CallOutput } from '../../app/contract';
import type { Application } from '../application/application';

type AckCalls = 'ack.acknowledge' | 'session.acknowledged';

/**
 * The console's side of the commander's offline acknowledgement (issue 16): "Acknowledge a
 * declaration" on the commander's console (allowed to the observer: it is the commander's own
 * signed record on their own host's journal), and the operator's field for the response code.
 */
export function acknowledgementHandlers({ app }: { app: Application }): { [K in AckCalls]: (input: CallInput<K>) => Promise<CallOutput<K>> } {
  return {
    'ack.acknowledge': async ({ code, event }) => {
      const r = await acknowledgeAsCommander(app, { code, ...(event ? { event } : {}) });
      if (r.record.type !== 'acknowledgement') throw new BreakGlassError('internal', 'The acknowledgement was not recorded as one.');
      const p = r.record.payload;
      return { event: p.event, challenge: formatCode(p.challenge), response: formatCode(p.response), commit: r.commit, commander: r.record.actor, at: r.record.at };
    },
    'session.acknowledged': async ({ sessionId, code, event }) => {
      const r = await app.write((s) => s.acknowledged({ sessionId }, { code, ...(event ? { event } : {}) }));
      return { sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit, record: r.record };
    },
  };
}

/**
 * The board's acknowledgement marks: per session, what the commander is to act on — awaited,
 * provisional or mismatched — and a missing one past due only while the session is still open
 * (`open`: active or expired), not on every old closed session.
 */
export function unconfirmed(bySession: ReadonlyMap<string, AckStatus[]>, open: ReadonlySet<string>): Record<string, AckStatus[]> {
  const out: Record<string, AckStatus[]> = {};
  for (const [id, list] of bySession) {
    const marked = list.filter((a) => a.awaiting || a.state === 'provisional' || a.state === 'mismatched' || (a.finding && open.has(id)));
    if (marked.length > 0) out[id] = marked;
  }
  return out;
}
