import { escapeForTerminal } from '../../app/text';
import { BreakGlassError } from '../../app/errors';
import { ReportScopeSchema } from '../../app/contract';
import { parseOrThrow } from '../../app/zodIssues';
import { verifyRepository } from '../evidence/verify';
import { describeAcknowledgementCounts, describeMode, describeSignatures, describeWitnesses } from '../../app/verifyResult';
import type { Outbox } from '../sync/outbox';
import type { RemoteFailureCause } from '../sync/remoteFailure';
import { z } from 'zod';
import { produceReport, type ReportFormat } from '../report/produce';
import { writeReportFile } from '../report/save';
import { openApplication } from './openApplication';
import { printTranscript } from './shellActions';
import { describeState, EXIT, out, type GlobalOptions, sessionJson } from './output';
import { behindSentence } from '../../app/pushText';

/** What the repository's commands do (registered in repositoryCommands.ts, imported when one runs). */

const CommitIdSchema = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'Give the full commit id.');

/** What a failed fetch was, in a few words (git's own line may name a URL or a user). */
const FETCH_FAILURE_WORDS: Record<RemoteFailureCause, string> = {
  timeout: 'the remote did not answer in time',
  unreachable: 'the remote could not be reached',
  'not-a-repository': 'no git repository at the remote',
  auth: 'the remote refused the credentials',
  'push-rejected': 'the remote refused',
  unknown: 'an unrecognised failure',
};

/**
 * Where verify's copy of the remote comes from (issue 16): with --online a fetch just before
 * (only the refs: the organisation branch is taken in by the next writer), else the last fetch.
 * Null for a repository with no remote and no --online.
 */
async function remoteSource(outbox: Outbox, online: boolean): Promise<string | null> {
  const url = await outbox.remote.url();
  if (url === null) return online ? 'Online: no remote configured; nothing to fetch.' : null;
  if (online) {
    const f = await outbox.fetchOnce(undefined, { takeIn: false });
    return f.cause === undefined
      ? `Online: fetched from ${url.replace(/:\/\/[^/@]*@/, '://')} before comparing.`
      : `Online: the fetch failed (${FETCH_FAILURE_WORDS[f.cause]}); compared with the last fetched tips.`;
  }
  const at = (await outbox.fetchState()).lastFetchAt;
  return `Offline: compared with ${at ? `the last fetch at ${at}` : 'the remote-tracking refs as they are (no fetch recorded)'}; verify --online fetches first.`;
}

/** `verify`: every record, chain, commit and signature, and the history against the remote. */
export async function verify(opts: GlobalOptions, o: { anchor?: string; full?: boolean; deep?: boolean; online?: boolean }): Promise<number> {
  if (o.deep && !o.full) throw new BreakGlassError('invalid-input', '--deep goes with --full: breakglass verify --full --deep', { field: 'deep' });
  const { ctx } = await openApplication(opts, { readOnly: true });
  const anchor = o.anchor !== undefined ? { anchor: parseOrThrow(CommitIdSchema, o.anchor, 'trust anchor (--anchor COMMIT)') } : {};
  const source = await remoteSource(ctx.outbox, o.online ?? false);
  const report = await verifyRepository(ctx.store, { ...anchor, mode: o.deep ? 'deep' : o.full ? 'full' : 'incremental' });
  const signatures = [...(report.signatures ? [describeSignatures(report.signatures)] : []), ...(report.acknowledgements?.length ? [describeAcknowledgementCounts(report.acknowledgements), ...report.acknowledgements.map((a) => `  ${a.sessionId} ${a.event}: ${a.state}. ${a.detail}`)] : [])];
  const lines = report.problems.map((p) => `  ${[p.sessionId, p.seq === null ? null : `seq ${p.seq}`, p.path, p.commit ? `commit ${p.commit.slice(0, 12)}` : null].filter(Boolean).join(' ')}: ${p.message}`);
  const read = `Read ${report.tips.length} ref(s): ${report.tips.map((t) => `${t.ref.replace(/^refs\//, '')} ${t.commit.slice(0, 12)}`).join(', ') || 'none'}.`;
  const compared = report.comparedWith.length > 0 ? `Compared with ${report.comparedWith.map((r) => r.replace('refs/remotes/', '')).join(', ')}.` : 'No fetched copy of the remote to compare with.';
  const notices = report.notices.map((n) => `Note: ${n}`);
  out(opts, [
    ...notices,
    report.ok
      ? `OK: ${report.records} record(s) in ${report.sessions} session(s), ${report.commitsChecked} commit(s) checked${report.comparedWithRemote ? `, history contains ${report.comparedWithRemote.replace('refs/remotes/', '')}` : ''}; ${report.mode === 'incremental' ? 'the new commits are connected' : report.mode === 'full+deep' ? 'git fsck clean' : 'git fsck --connectivity-only clean'}.`
      : `FAILED: ${report.problems.length} problem(s):\n${lines.join('\n')}`,
    `Mode: ${describeMode(report)}.`,
    ...signatures,
    ...describeWitnesses(report.witnesses),
    read, compared, ...(source ? [source] : []),
  ].join('\n'), { ...report, remoteSource: source });
  return report.ok ? EXIT.ok : EXIT.refused;
}

/** `push`: fetch every host's evidence, then push this host's own ref once. */
export async function push(opts: GlobalOptions): Promise<number> {
  const { ctx } = await openApplication(opts);
  const s = await ctx.outbox.syncOnce();
  out(opts, s.state === 'synced' ? `Synced with ${s.remote}.` : s.state === 'local-only' ? 'No remote configured: set one with breakglass remote set URL.' : s.state === 'behind' ? `Not synced with ${s.remote}: ${behindSentence(s)}` : `Not pushed: ${s.state}${'reason' in s ? ` (${s.reason})` : ''}; ${'pending' in s ? s.pending : 0} record(s) pending. Local evidence is safe.`, s);
  return s.state === 'synced' || s.state === 'local-only' ? EXIT.ok : EXIT.notCommitted;
}

/** `remote set URL`. */
export async function remoteSet(opts: GlobalOptions, url: string): Promise<void> {
  const { ctx } = await openApplication(opts);
  await ctx.remote.set(url);
  out(opts, `Remote set to ${url}. Push with: breakglass push`, { remote: url });
}

/** `remote show`. */
export async function remoteShow(opts: GlobalOptions): Promise<void> {
  const { ctx } = await openApplication(opts);
  const url = await ctx.remote.url();
  out(opts, url ?? 'No remote (local only).', { remote: url });
}

/** `log`: the sessions, or one session's records (or its governed shells' transcript). */
export async function log(opts: GlobalOptions, o: { session?: string; transcript?: boolean }): Promise<void> {
  if (o.transcript) {
    if (!o.session) throw new BreakGlassError('invalid-input', 'Name the session with --session ID (list sessions with: breakglass log).', { field: 'session' });
    return printTranscript(opts, o.session);
  }
  const { ctx } = await openApplication(opts, { readOnly: true });
  const view = await ctx.service.read();
  if (!o.session) {
    const states = await ctx.service.sessions(view);
    out(opts, states.length ? states.map(describeState).join('\n') : 'No sessions recorded yet.', states.map(sessionJson));
    return;
  }
  const entries = view.sessions.get(o.session);
  if (!entries) throw new BreakGlassError('no-active-session', `No session ${o.session}. List sessions with: breakglass log`);
  out(opts, entries.map((e) => `${e.record.at}  #${e.record.seq} ${e.record.type.padEnd(14)} ${e.commit.slice(0, 12)}  ${e.record.actor.name}`).join('\n'),
    entries.map((e) => ({ seq: e.record.seq, type: e.record.type, at: e.record.at, commit: e.commit, actor: e.record.actor, path: e.path, record: e.record })));
}

/** `report`: the audit report of one session or of a period. */
export async function report(opts: GlobalOptions, o: { session?: string; from?: string; to?: string; environment?: string; format: ReportFormat; out?: string }): Promise<void> {
  const scope = parseOrThrow(ReportScopeSchema, {
    ...(o.session !== undefined ? { sessionId: o.session } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.environment !== undefined ? { environment: o.environment } : {}),
  }, 'report scope (--session ID, or --from YYYY-MM-DD --to YYYY-MM-DD)');
  const { ctx } = await openApplication(opts, { readOnly: true });
  const r = await produceReport(ctx, scope, o.format);
  // A PDF never goes to a terminal: without --out it is written beside the caller under its own name.
  const target = o.out ?? (o.format === 'pdf' ? r.fileName : null);
  if (target === null) {
    if (opts.json) out(opts, '', { fileName: r.fileName, savedTo: null, bytes: r.content.byteLength, text: r.text });
    // Markdown and HTML to stdout may land on a person's terminal: escape control sequences there too.
    else process.stdout.write(escapeForTerminal(r.text ?? ''));
    return;
  }
  const savedTo = await writeReportFile(target, r.content);
  out(opts, `Report written to ${savedTo} (${r.content.byteLength} bytes).`, { fileName: r.fileName, savedTo, bytes: r.content.byteLength });
}
