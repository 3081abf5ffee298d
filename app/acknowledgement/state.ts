import { z } from 'zod';
import { MAX_ACK_WITHIN_MINUTES, type Policy } from '../policy';
import type { LedgerEntry, LedgerView } from '../ports';
import { isChainRecord, type RecordOf } from '../records';
import { ackEventWord, AckEventSchema, challengeOf, formatCode, TypedCodeSchema, type AckEvent } from './codes';

/**
 * Where a session's acknowledgement stands (issue 16), from the two histories: the operator's
 * `acknowledged` records in the session's chain, and the commanders' `acknowledgement` records on
 * their hosts' journals. Pure: whether a commander's signature verifies against the roster is the
 * caller's `judge` (main/ verifies SSH signatures).
 *
 * - confirmed: the operator recorded a response code, and a commander's valid signed
 *   acknowledgement names the same commit's challenge, with a signature whose response it is;
 * - provisional: the operator recorded a response code, but no commander's record is here yet;
 * - mismatched: the codes do not agree (a finding);
 * - missing: the operator recorded no response (a finding once the policy's window has passed).
 */

/** The four states. */
export type AckStateName = 'confirmed' | 'provisional' | 'mismatched' | 'missing';

/** One event's acknowledgement (a session's declaration, or its closing). */
export interface AckStatus {
  event: AckEvent;
  state: AckStateName;
  /** The code of the event's commit, as read aloud. */
  challenge: string;
  /** A verify finding: mismatched, or missing past the policy's window. */
  finding: boolean;
  /** Still expected, not past due: the countdown warns, the board lists it. */
  awaiting: boolean;
  /** When it is due (declarations under `within` or `before-actions`); null: never due. */
  dueAt: string | null;
  /** The commander whose valid acknowledgement names the challenge, and when they signed it. */
  commander: { name: string; email: string; at: string } | null;
  /** One sentence saying what the histories show. */
  detail: string;
}

/** What the states read of a commander's `acknowledgement` record (a verify checkpoint carries only this). */
export interface AckRecordSummary {
  sessionId: string;
  seq: number;
  at: string;
  actor: { name: string; email: string };
  payload: { event: AckEvent; challenge: string; response: string };
}

/** A commander's acknowledgement as found in a journal, with the judge's answer (null: valid). */
export interface CommanderAck {
  record: AckRecordSummary;
  commit: string;
  path: string;
  invalid: string | null;
}

/** Judges a commander's acknowledgement: null when its signature is a roster commander's, else why not. */
export type AckJudge = (record: RecordOf<'acknowledgement'>) => string | null;

/**
 * Every commander's acknowledgement in the view, by challenge; with `challenges`, only those
 * (judging a signature is the costly part, and a view of one session needs only its own).
 */
export function commanderAcks(view: LedgerView, judge: AckJudge, challenges?: ReadonlySet<string>): Map<string, CommanderAck[]> {
  const out = new Map<string, CommanderAck[]>();
  for (const [id, entries] of view.sessions) {
    if (!id.startsWith('journal-')) continue;
    for (const e of entries) {
      if (e.record.type !== 'acknowledgement' || (challenges && !challenges.has(e.record.payload.challenge))) continue;
      const list = out.get(e.record.payload.challenge) ?? [];
      list.push({ record: e.record, commit: e.commit, path: e.path, invalid: judge(e.record) });
      out.set(e.record.payload.challenge, list);
    }
  }
  return out;
}

/** The commit of a session's event record (`declared`, or its chain's `closed`), or null. */
export function eventCommit(entries: readonly LedgerEntry[], event: AckEvent): string | null {
  const e = event === 'declared' ? entries[0] : entries.find((x) => x.record.type === 'closed' && isChainRecord(x.record));
  return e && e.record.type === event && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(e.commit) ? e.commit : null;
}

/** The challenge of a session's event, or null (not closed yet; no commit). */
export function sessionChallenge(entries: readonly LedgerEntry[], event: AckEvent): string | null {
  const commit = eventCommit(entries, event);
  return commit ? challengeOf(commit) : null;
}

/** Which session and event a challenge names in the view (the commander's console, when it has fetched the session). */
export function findChallenge(view: LedgerView, challenge: string): { sessionId: string; event: AckEvent } | null {
  for (const [sessionId, entries] of view.sessions) {
    if (sessionId.startsWith('journal-')) continue;
    for (const event of ['declared', 'closed'] as const) if (sessionChallenge(entries, event) === challenge) return { sessionId, event };
  }
  return null;
}

/**
 * One event's acknowledgement in a session's entries, with the commanders' acknowledgements of
 * the view (by challenge), under `policy`, at `nowMs`. Null when the event has not happened.
 */
export function acknowledgementOf(entries: readonly LedgerEntry[], event: AckEvent, acks: ReadonlyMap<string, readonly CommanderAck[]>, policy: Policy, nowMs: number): AckStatus | null {
  const inputs = ackInputsOf(entries);
  return inputs ? acknowledgementFrom(inputs, event, acks, policy, nowMs) : null;
}

/**
 * What a session's own chain gives its acknowledgement states: when it was declared, the
 * challenge of its declaration's and closing's commits (null: not closed, or the commit not known
 * here), and the operator's `acknowledged` records. Null for no declaration.
 */
export interface SessionAckInputs {
  declaredAt: string;
  challenges: { declared: string | null; closed: string | null };
  typed: Array<{ seq: number; event: AckEvent; challenge: string; response: string }>;
}

export function ackInputsOf(entries: readonly LedgerEntry[]): SessionAckInputs | null {
  const first = entries[0];
  if (!first || first.record.type !== 'declared') return null;
  const typed = entries.map((e) => e.record).filter((r): r is RecordOf<'acknowledged'> => r.type === 'acknowledged')
    .map((r) => ({ seq: r.seq, event: r.payload.event, challenge: r.payload.challenge, response: r.payload.response }));
  return { declaredAt: first.record.at, challenges: { declared: sessionChallenge(entries, 'declared'), closed: sessionChallenge(entries, 'closed') }, typed };
}

/** Who a status names as the commander. */
function commanderOf(a: CommanderAck | undefined): AckStatus['commander'] {
  return a ? { name: a.record.actor.name, email: a.record.actor.email, at: a.record.at } : null;
}

/** One status as an object literal, not a spread of a common base: verify judges every session's two events, and the spread cost some 50 times more (issue 18). */
function ackStatus(event: AckEvent, challenge: string, dueAt: string | null, state: AckStateName, finding: boolean, awaiting: boolean, commander: AckStatus['commander'], detail: string): AckStatus {
  return { event, challenge, dueAt, state, finding, awaiting, commander, detail };
}

/** One event's acknowledgement from a session's inputs (acknowledgementOf, without the session's records). */
export function acknowledgementFrom(inputs: SessionAckInputs, event: AckEvent, acks: ReadonlyMap<string, readonly CommanderAck[]>, policy: Pick<Policy, 'acknowledgement'>, nowMs: number): AckStatus | null {
  const challenge = inputs.challenges[event];
  if (!challenge) return null;
  const code = formatCode(challenge);
  const typed = inputs.typed.filter((t) => t.event === event);
  const theirs = acks.get(challenge) ?? [];
  const valid = theirs.filter((a) => a.invalid === null && a.record.payload.event === event);
  const confirmedBy = valid.find((a) => typed.some((t) => t.challenge === challenge && t.response === a.record.payload.response));
  const declaredAt = Date.parse(inputs.declaredAt);
  const rule = policy.acknowledgement;
  const due = event === 'declared' && rule.declared !== 'optional' ? declaredAt + rule.withinMinutes * 60_000 : null;
  const dueAt = due === null ? null : new Date(due).toISOString();
  if (confirmedBy) {
    return ackStatus(event, challenge, dueAt, 'confirmed', false, false, commanderOf(confirmedBy), `Confirmed: ${confirmedBy.record.actor.name} (incident commander) signed the acknowledgement of ${ackEventWord(event)} ${code} at ${confirmedBy.record.at}, and the operator recorded its response code ${formatCode(confirmedBy.record.payload.response)}.`);
  }
  if (typed.length > 0) {
    const last = typed[typed.length - 1]!;
    if (last.challenge !== challenge) {
      return ackStatus(event, challenge, dueAt, 'mismatched', true, false, null, `Mismatched: the operator's acknowledged record (#${last.seq}) names code ${formatCode(last.challenge)}, but the ${ackEventWord(event)}'s commit gives ${code}: the ${ackEventWord(event)} was rewritten after the code was read aloud.`);
    }
    if (theirs.length === 0) {
      return ackStatus(event, challenge, dueAt, 'provisional', false, false, null, `Provisional: the operator recorded response ${formatCode(last.response)} for ${ackEventWord(event)} ${code}; the commander's signed acknowledgement is not in this history yet (it arrives when both hosts have pushed and this repository fetched).`);
    }
    const why = valid.length > 0
      ? `the operator recorded response ${formatCode(last.response)}, but ${valid.map((a) => `${a.record.actor.name}'s signature gives ${formatCode(a.record.payload.response)}`).join(', ')}`
      : theirs.map((a) => a.invalid ?? `${a.record.actor.name}'s acknowledgement says it is of the ${ackEventWord(a.record.payload.event)}`).join('; ');
    return ackStatus(event, challenge, dueAt, 'mismatched', true, false, null, `Mismatched acknowledgement of ${ackEventWord(event)} ${code}: ${why}.`);
  }
  const past = due !== null && nowMs > due;
  const seen = valid[0];
  const commanderSaw = seen ? ` ${seen.record.actor.name} (incident commander) acknowledged it at ${seen.record.at}, but the operator has not recorded the response code.` : '';
  const window = due === null ? ' The policy does not require it.' : past ? ` It was due by ${dueAt} (policy: within ${rule.withinMinutes} min of the declaration).` : ` Due by ${dueAt}.`;
  return ackStatus(event, challenge, dueAt, 'missing', past, due !== null && !past, commanderOf(seen), `No acknowledgement of ${ackEventWord(event)} ${code} recorded.${commanderSaw}${window}`);
}

/** Both events' acknowledgements of a session (the closing's once it is closed). */
export function sessionAcknowledgements(entries: readonly LedgerEntry[], acks: ReadonlyMap<string, readonly CommanderAck[]>, policy: Policy, nowMs: number): AckStatus[] {
  return (['declared', 'closed'] as const).map((e) => acknowledgementOf(entries, e, acks, policy, nowMs)).filter((s): s is AckStatus => s !== null);
}

/**
 * The sessions whose acknowledgements the board may mark (main/console/acknowledgementHandlers.ts
 * `unconfirmed`): the open ones (`open`), those whose chain holds an operator's `acknowledged`
 * record (provisional or mismatched need one), and those declared less than the longest window a
 * policy may give ago (awaited). Every other session's statuses are confirmed-free "missing" past
 * due on a closed session, which the board does not mark: at 10,000 sessions, judging them is most
 * of the board's read (issue 18).
 */
export function markableSessions(view: LedgerView, open: ReadonlySet<string>, nowMs: number): Set<string> {
  const since = nowMs - MAX_ACK_WITHIN_MINUTES * 60_000;
  const out = new Set<string>();
  for (const [id, entries] of view.sessions) {
    if (id.startsWith('journal-') || entries[0]?.record.type !== 'declared') continue;
    if (open.has(id) || !(Date.parse(entries[0].record.at) < since) || entries.some((e) => e.record.type === 'acknowledged')) out.add(id);
  }
  return out;
}

/** Commanders' acknowledgements whose challenge no session's declaration or closing has (a rewritten record, or a mistyped code). */
export function unmatchedAcks(view: LedgerView, acks: ReadonlyMap<string, readonly CommanderAck[]>): CommanderAck[] {
  const known = new Set<string>();
  for (const [id, entries] of view.sessions) {
    if (id.startsWith('journal-')) continue;
    for (const event of ['declared', 'closed'] as const) {
      const c = sessionChallenge(entries, event);
      if (c) known.add(c);
    }
  }
  return unmatchedAmong(known, acks);
}

/** Commanders' acknowledgements whose challenge is not among `known` (every session's declaration and closing codes). */
export function unmatchedAmong(known: ReadonlySet<string>, acks: ReadonlyMap<string, readonly CommanderAck[]>): CommanderAck[] {
  return [...acks.entries()].filter(([c]) => !known.has(c)).flatMap(([, list]) => list);
}

/** The commander's typed input: the challenge code, and optionally which event it is of. */
export const AcknowledgeInputSchema = z.object({
  code: TypedCodeSchema,
  event: AckEventSchema.optional(),
}).strict();

/** The operator's typed input: the commander's response code, and optionally which event. */
export const AcknowledgedInputSchema = AcknowledgeInputSchema;
