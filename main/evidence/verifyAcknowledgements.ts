import { ackEventWord, ackInputsOf, acknowledgementFrom, commanderAcks, formatCode, unmatchedAmong, type AckStatus, type CommanderAck, type SessionAckInputs } from '../../app/acknowledgement';
import type { IntegrityProblem } from '../../app/ledger';
import { DEFAULT_POLICY, type Policy } from '../../app/policy';
import type { LedgerView } from '../../app/ports';
import { parseRosterYaml, type Roster } from '../../app/roster/schema';
import { ackJudge } from './acknowledgements';
import type { LedgerIndex } from './ledgerIndex';

/** The roster in force as a ledger index read it from git (null: none, or unreadable). */
export async function rosterOf(index: Pick<LedgerIndex, 'governed' | 'catBlobs'>): Promise<Roster | null> {
  return rosterFromBlob(index, index.governed?.roster ?? null);
}

/** The roster of one roster.yaml blob (null: none, or unreadable). */
export async function rosterFromBlob(index: Pick<LedgerIndex, 'catBlobs'>, blob: string | null): Promise<Roster | null> {
  const text = blob ? (await index.catBlobs([blob])).get(blob) : undefined;
  const load = text === undefined ? null : parseRosterYaml(text);
  return load?.ok ? load.roster : null;
}

export type AcknowledgementReport = { list: Array<AckStatus & { sessionId: string }>; problems: IntegrityProblem[] };

/**
 * verify's acknowledgement checks (issue 16), over the view read from git: for each session, the
 * declaration's (and the closing's) acknowledgement state, each commander's record judged against
 * the roster in force. Findings: a mismatch; a declaration's acknowledgement missing past the
 * policy's window; and a commander's acknowledgement of a code no declaration or closing in this
 * history has (the record it was read from was rewritten, or the code was mistyped).
 */
export function verifyAcknowledgements(roster: Roster | null, view: LedgerView, nowMs: number): AcknowledgementReport {
  const inputs: Array<[string, SessionAckInputs]> = [];
  for (const [id, entries] of view.sessions) {
    const i = id.startsWith('journal-') ? null : ackInputsOf(entries);
    if (i) inputs.push([id, i]);
  }
  return acknowledgementReport(inputs, commanderAcks(view, ackJudge(roster)), view.policy.ok ? view.policy.policy : DEFAULT_POLICY, nowMs);
}

/** The same checks from each session's inputs and the commanders' judged acknowledgements (what an incremental verify carries). */
export function acknowledgementReport(sessions: Iterable<readonly [string, SessionAckInputs]>, acks: ReadonlyMap<string, readonly CommanderAck[]>, policy: Pick<Policy, 'acknowledgement'>, nowMs: number): AcknowledgementReport {
  const list: Array<AckStatus & { sessionId: string }> = [];
  const problems: IntegrityProblem[] = [];
  const known = new Set<string>();
  for (const [sessionId, inputs] of sessions) {
    for (const event of ['declared', 'closed'] as const) {
      const s = acknowledgementFrom(inputs, event, acks, policy, nowMs);
      if (!s) continue;
      known.add(s.challenge);
      // A literal, not `{ sessionId, ...s }`: see acknowledgementFrom.
      list.push({ sessionId, event: s.event, challenge: s.challenge, dueAt: s.dueAt, state: s.state, finding: s.finding, awaiting: s.awaiting, commander: s.commander, detail: s.detail });
      if (s.finding) problems.push({ sessionId, seq: null, path: null, commit: null, message: `Acknowledgement (${s.state}): ${s.detail}` });
    }
  }
  for (const a of unmatchedAmong(known, acks)) {
    problems.push({
      sessionId: a.record.sessionId, seq: a.record.seq, path: a.path, commit: a.commit,
      message: `${a.record.actor.name} acknowledged the ${ackEventWord(a.record.payload.event)} code ${formatCode(a.record.payload.challenge)} at ${a.record.at}, but no declaration or closing in this history has that code: the record it was read from was rewritten, or the code was mistyped.${a.invalid ? ` Also: ${a.invalid}.` : ''}`,
    });
  }
  return { list, problems };
}
