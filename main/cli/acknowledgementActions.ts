import { ackEventWord, challengeOf, formatCode, type AckStatus } from '../../app/acknowledgement';
import { acknowledgeAsCommander } from '../application/acknowledge';
import { witnessNow } from '../application/witness';
import { openApplication } from './openApplication';
import { out, type GlobalOptions } from './output';

/** What the acknowledgement commands do (registered in acknowledgementCommands.ts, imported when one runs). */

/** `acknowledge CODE`: the commander signs the code read aloud and gets the response code to read back. */
export async function acknowledge(opts: GlobalOptions, code: string[], o: { event?: string; key?: string }): Promise<void> {
  const app = await openApplication(opts);
  const r = await acknowledgeAsCommander(app, { code: code.join(' '), ...(o.event ? { event: o.event } : {}) }, o.key);
  if (r.record.type !== 'acknowledgement') return;
  const p = r.record.payload;
  const response = formatCode(p.response);
  out(opts, `Acknowledged the ${ackEventWord(p.event)} ${formatCode(p.challenge)} as ${r.record.actor.name} (incident commander), signed and committed on this host's journal (commit ${r.commit.slice(0, 12)}).\nRead this response code back to the operator: ${response}\nThey record it with: breakglass acknowledged ${response}`, { event: p.event, challenge: formatCode(p.challenge), response, commit: r.commit, commander: r.record.actor, at: r.record.at });
}

/** `acknowledged CODE`: the operator records the commander's response code. */
export async function acknowledged(opts: GlobalOptions, code: string[], o: { session?: string; event?: string }): Promise<void> {
  const app = await openApplication(opts);
  const r = await app.write((s) => s.acknowledged({ sessionId: o.session }, { code: code.join(' '), ...(o.event ? { event: o.event } : {}) }));
  if (r.record.type !== 'acknowledged') return;
  const p = r.record.payload;
  out(opts, `Recorded the commander's response ${formatCode(p.response)} to the ${ackEventWord(p.event)} code ${formatCode(p.challenge)} in ${r.record.sessionId} (commit ${r.commit.slice(0, 12)}). Provisional until the commander's record and this one are in one history (both push, then fetch): breakglass verify says confirmed or mismatched.`, { sessionId: r.record.sessionId, event: p.event, challenge: formatCode(p.challenge), response: formatCode(p.response), commit: r.commit, state: 'provisional' });
}

/** `witness`: fetch, state every other host's tip this host's journal has not stated yet, push (issue 16). */
export async function witness(opts: GlobalOptions, o: { fetch: boolean; asHost?: boolean; key?: string }): Promise<void> {
  const app = await openApplication(opts);
  const remote = await app.ctx.remote.url();
  const lines: string[] = [];
  if (o.fetch && remote !== null) {
    const fetched = await app.ctx.outbox.fetchOnce();
    lines.push(fetched.state.failure ? `The fetch failed (${fetched.state.failure.reason}): witnessing what this repository already holds.` : `Fetched from ${remote}.`);
  }
  const r = await witnessNow(app, 'command', o.asHost ? 'host' : 'person', o.key);
  if (!r || r.record.type !== 'witnessed') {
    out(opts, [...lines, "Nothing new to witness: this host's journal already states every other host's tip this repository holds."].join('\n'), { witnessed: null });
    return;
  }
  const p = r.record.payload;
  lines.push(`Witnessed as ${r.record.actor.name}, committed on this host's journal (commit ${r.commit.slice(0, 12)}):`, ...p.tips.map((t) => `  ${t.host}: commit ${t.commit.slice(0, 12)}, ${t.records} record(s)`));
  const pushed = remote === null ? null : await app.ctx.outbox.syncOnce({ fetchFirst: false });
  lines.push(pushed === null ? 'No remote configured: the statement stays here until this host pushes.' : pushed.state === 'synced' ? `Pushed to ${remote}: from now on a rewrite of these histories is a verify finding everywhere.` : `Not pushed yet (${pushed.state}): the statement is committed here and goes with the next push.`);
  out(opts, lines.join('\n'), { witnessed: { commit: r.commit, at: r.record.at, witness: r.record.actor, tips: p.tips }, pushed: pushed?.state ?? null });
}

/** What `declare` and `close` say after committing (issue 16): the code to read to the incident commander. */
export function challengeWords(commit: string, event: 'declared' | 'closed'): { human: string; json: { event: 'declared' | 'closed'; challenge: string } } {
  const challenge = formatCode(challengeOf(commit));
  return {
    human: `Read this ${ackEventWord(event)} code to the incident commander: ${challenge} (they run: breakglass acknowledge ${challenge}${event === 'closed' ? ' --event closed' : ''}; record their response with: breakglass acknowledged RESPONSE)`,
    json: { event, challenge },
  };
}

/** One line per acknowledgement of a session, for `status`. */
export function describeAcknowledgements(list: readonly AckStatus[]): string[] {
  return list.map((a) => `  Acknowledgement of the ${ackEventWord(a.event)} ${formatCode(a.challenge)}: ${a.state}. ${a.detail}`);
}
