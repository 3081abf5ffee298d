import { spawn } from 'node:child_process';
import { sealRecord } from '../app/ledger';
import { declarationTemplate } from '../app/declaration';
import { DEFAULT_POLICY } from '../app/policy';
import { commitMessageFor, recordPath, type EvidenceRecord, type UnsealedRecord } from '../app/records';
import type { LedgerEntry } from '../app/ports';
import { ownRef } from '../main/evidence/layout';
import { GitEvidenceStore } from '../main/evidence/store';

/**
 * Generates a realistic evidence repository for benchmarks and large UI tests: `sessions`
 * sessions of `recordsPerSession` records (declared, notes, actions, expired, closed, reviewed),
 * one commit per record, spread over three years, written in one `git fast-import` stream on each
 * host's own ref (`refs/heads/hosts/<id>`, issue 14), which starts at the organisation branch.
 * With `mix`, the newest sessions are in every state relative to `mix.now` (see {@link LedgerMix});
 * without it the output is unchanged (every session reviewed, before November 2026).
 */
export async function generateLedger(repo: string, options: { sessions: number; recordsPerSession?: number; hostId?: string; start?: number; activeNow?: number; mix?: LedgerMix }): Promise<{ head: string; records: number }> {
  const store = await GitEvidenceStore.open(repo, { create: true });
  const parent = (await store.readTips()).tips.find((t) => t.organisation)!.commit;
  const started = new Set<string>();
  const perSession = Math.max(3, options.recordsPerSession ?? 10);
  const start = options.start ?? Date.parse('2024-01-01T00:00:00Z');
  const mix = options.mix;
  // A mix keeps its reviewed sessions a month clear of `now`, so none of them looks recent.
  const span = (mix ? mix.now - 30 * 86_400_000 : Date.parse('2026-11-01T00:00:00Z')) - start;
  const ownHost = { id: options.hostId ?? 'bench-host', name: 'admin-bench' };
  const mixed = mix ? mixedStates(options.sessions, mix) : null;
  const operators = [
    { name: 'Ada Lovelace', email: 'ada@example.com' },
    { name: 'Alan Turing', email: 'alan@example.com' },
    { name: 'Katherine Johnson', email: 'katherine@example.com' },
  ];
  const reviewer = { name: 'Grace Hopper', email: 'grace@example.com' };
  const child = spawn('git', ['fast-import', '--quiet', '--date-format=raw', '--done'], { cwd: store.gitDir, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((res, rej) => child.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))));
  let mark = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const buf = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (!child.stdin.write(buf)) await new Promise((r) => child.stdin.once('drain', r));
  };
  const emit = async (s: string) => {
    const b = Buffer.from(s, 'utf8');
    pending.push(b);
    pendingBytes += b.length;
    if (pendingBytes > 1 << 20) await flush();
  };
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  let records = 0;
  for (let i = 0; i < options.sessions; i++) {
    const planned = mixed?.(i) ?? null;
    const declaredAt = planned?.declaredAt ?? start + Math.floor((span * i) / (mixed ? mixed.reviewed : options.sessions));
    const phase = planned?.phase ?? 'reviewed';
    const host = mix?.otherHost && i % mix.otherHost.every === 0 ? { id: mix.otherHost.id, name: mix.otherHost.name } : ownHost;
    // An active session's notes come seconds apart, so that none is later than `mix.now`.
    const step = phase === 'active' ? 0.25 : 1;
    const operator = operators[i % operators.length]!;
    const sessionId = `bg-${new Date(declaredAt).toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}-${i.toString(16).padStart(8, '0')}`;
    const entries: LedgerEntry[] = [];
    const add = async (u: Omit<UnsealedRecord, 'sessionId' | 'host'>) => {
      const record: EvidenceRecord = sealRecord(entries, { ...u, sessionId, host } as UnsealedRecord);
      entries.push({ record, commit: '', path: '' });
      const path = recordPath(record, new Date(declaredAt).toISOString());
      const when = `${Math.floor(Date.parse(record.at) / 1000)} +0000`;
      const who = `${record.actor.name} <${record.actor.email}>`;
      mark += 1;
      const first = !started.has(host.id);
      started.add(host.id);
      await emit(`commit ${ownRef(host.id)}\nmark :${mark}\nauthor ${who} ${when}\ncommitter ${who} ${when}\n${data(commitMessageFor(record, 'INC-' + (10000 + i)))}${first ? `from ${parent}\n` : ''}M 100644 inline ${path}\n${data(`${JSON.stringify(record, null, 2)}\n`)}\n`);
      records += 1;
    };
    const at = (min: number) => new Date(declaredAt + min * 60_000).toISOString();
    const decl = { ...declarationTemplate(DEFAULT_POLICY), incidentId: `INC-${10000 + i}`, operator, environment: i % 4 === 0 ? 'pre-production' : 'production' };
    await add({ type: 'declared', at: at(0), actor: operator, redactions: 0, payload: { declaration: decl, expiresAt: at(30), policySha256: '0'.repeat(64), preconditions: [] } } as never);
    const middle = perSession - 4;
    for (let k = 0; k < middle; k++) {
      if (k % 2 === 0) await add({ type: 'note', at: at(step * (1 + k)), actor: operator, redactions: 0, payload: { text: `Checked state lock #${k}: still held by job ${i}-${k}.` } } as never);
      else {
        await add({
          type: 'action', at: at(step * (1 + k)), actor: operator, redactions: 0,
          payload: { kind: 'command', argv: ['terraform', 'force-unlock', `${i}-${k}`], shell: false, cwd: '/srv/infra', startedAt: at(step * (1 + k)), endedAt: at(step * (1 + k)), exitCode: 0, signal: null, stoppedBy: null, via: 'cli-exec', outputSha256: 'f'.repeat(64), outputBytes: 42, output: 'Terraform state has been successfully unlocked!\n', outputTruncated: false },
        } as never);
      }
    }
    if (phase === 'active') continue;
    await add({ type: 'expired', at: at(30), actor: operator, redactions: 0, payload: { expiresAt: at(30), recordedAt: at(30) } } as never);
    if (phase === 'expired') continue;
    await add({ type: 'closed', at: at(40), actor: operator, redactions: 0, payload: { closure: { summary: 'Lock repaired, pipeline re-run.', reversalSteps: ['Re-enabled lock'], controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' }, followUps: [] }, reviewDueAt: at(40 + 5 * 1440) } } as never);
    if (phase === 'closed') continue;
    await add({ type: 'reviewed', at: at(1440), actor: reviewer, redactions: 0, payload: { review: { reviewer, outcome: 'justified', drill: false, findings: '', followUps: [] } } } as never);
  }
  await emit('done\n');
  await flush();
  child.stdin.end();
  await done;
  const tips = (await store.readTips()).tips;
  return { head: tips.find((t) => t.ref === ownRef(ownHost.id))?.commit ?? parent, records };
}

/**
 * Sessions in every state relative to `now`, for the commander's board (issue 6). The newest
 * sessions are, oldest first: `overdue` closed with their review overdue, `awaitingReview` closed
 * with the review still due, `expired` expired awaiting closure, `active` active at `now` (10 to
 * 25 minutes left); the rest are reviewed. Every record is at or before `now`.
 */
export interface LedgerMix {
  now: number;
  active: number;
  expired: number;
  awaitingReview: number;
  overdue: number;
  /** Sessions whose index is a multiple of `every` are this other host's. */
  otherHost?: { id: string; name: string; every: number };
}

/** Where each of the newest sessions sits in time, by index; `reviewed` is how many come before them. */
function mixedStates(sessions: number, mix: LedgerMix): ((i: number) => { declaredAt: number; phase: 'active' | 'expired' | 'closed' } | null) & { reviewed: number } {
  const minute = 60_000;
  const day = 1440 * minute;
  const bands: Array<{ n: number; phase: 'active' | 'expired' | 'closed'; from: number; width: number }> = [
    // Closed 40 min after declaring, due 5 days later: before `now` for these, after it for the next band.
    { n: mix.overdue, phase: 'closed', from: mix.now - 15 * day, width: 9 * day },
    { n: mix.awaitingReview, phase: 'closed', from: mix.now - 4 * day, width: 3 * day },
    { n: mix.expired, phase: 'expired', from: mix.now - 6 * 60 * minute, width: 5 * 60 * minute },
    { n: mix.active, phase: 'active', from: mix.now - 20 * minute, width: 15 * minute },
  ];
  const newest = bands.reduce((sum, b) => sum + b.n, 0);
  if (newest > sessions) throw new Error(`The mix names ${newest} sessions; only ${sessions} are generated.`);
  const reviewed = sessions - newest;
  const at = (i: number) => {
    let k = i - reviewed;
    if (k < 0) return null;
    for (const b of bands) {
      if (k < b.n) return { declaredAt: b.from + Math.floor((b.width * k) / b.n), phase: b.phase };
      k -= b.n;
    }
    return null;
  };
  return Object.assign(at, { reviewed });
}
