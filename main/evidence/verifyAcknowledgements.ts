import { ackEventWord, formatCode, unmatchedAcks, type AckStatus } from '../../app/acknowledgement';
import type { IntegrityProblem } from '../../app/ledger';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerView } from '../../app/ports';
import { parseRosterYaml, type Roster } from '../../app/roster/schema';
import { acknowledgementsOf } from './acknowledgements';
import type { LedgerIndex } from './ledgerIndex';

/** The roster in force as a ledger index read it from git (null: none, or unreadable). */
export async function rosterOf(index: Pick<LedgerIndex, 'governed' | 'catBlobs'>): Promise<Roster | null> {
  const blob = index.governed?.roster ?? null;
  const text = blob ? (await index.catBlobs([blob])).get(blob) : undefined;
  const load = text === undefined ? null : parseRosterYaml(text);
  return load?.ok ? load.roster : null;
}

/**
 * verify's acknowledgement checks (issue 16), over the view read from git: for each session, the
 * declaration's (and the closing's) acknowledgement state, each commander's record judged against
 * the roster in force. Findings: a mismatch; a declaration's acknowledgement missing past the
 * policy's window; and a commander's acknowledgement of a code no declaration or closing in this
 * history has (the record it was read from was rewritten, or the code was mistyped).
 */
export async function verifyAcknowledgements(roster: Roster | null, view: LedgerView, nowMs: number): Promise<{ list: Array<AckStatus & { sessionId: string }>; problems: IntegrityProblem[] }> {
  const policy = view.policy.ok ? view.policy.policy : DEFAULT_POLICY;
  const { bySession, acks } = acknowledgementsOf(view, roster, policy, nowMs);
  const list: Array<AckStatus & { sessionId: string }> = [];
  const problems: IntegrityProblem[] = [];
  for (const [sessionId, statuses] of bySession) {
    for (const s of statuses) {
      list.push({ sessionId, ...s });
      if (s.finding) problems.push({ sessionId, seq: null, path: null, commit: null, message: `Acknowledgement (${s.state}): ${s.detail}` });
    }
  }
  for (const a of unmatchedAcks(view, acks)) {
    problems.push({
      sessionId: a.record.sessionId, seq: a.record.seq, path: a.path, commit: a.commit,
      message: `${a.record.actor.name} acknowledged the ${ackEventWord(a.record.payload.event)} code ${formatCode(a.record.payload.challenge)} at ${a.record.at}, but no declaration or closing in this history has that code: the record it was read from was rewritten, or the code was mistyped.${a.invalid ? ` Also: ${a.invalid}.` : ''}`,
    });
  }
  return { list, problems };
}
