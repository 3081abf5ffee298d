import { spawn } from 'node:child_process';
import { sealRecord } from '../app/ledger';
import { declarationTemplate } from '../app/declaration';
import { DEFAULT_POLICY } from '../app/policy';
import { commitMessageFor, recordPath, type EvidenceRecord, type UnsealedRecord } from '../app/records';
import type { LedgerEntry } from '../app/ports';
import { GitEvidenceStore } from '../main/evidenceStore';

/**
 * Generates a realistic evidence repository for benchmarks and large UI tests: `sessions`
 * sessions of `recordsPerSession` records (declared, notes, actions, expired, closed, reviewed),
 * one commit per record, spread over three years, written in one `git fast-import` stream.
 */
export async function generateLedger(repo: string, options: { sessions: number; recordsPerSession?: number; hostId?: string; start?: number; activeNow?: number }): Promise<{ head: string; records: number }> {
  const store = await GitEvidenceStore.open(repo, { create: true });
  const parent = (await store.resolveHead())!;
  const perSession = Math.max(3, options.recordsPerSession ?? 10);
  const start = options.start ?? Date.parse('2024-01-01T00:00:00Z');
  const span = Date.parse('2026-11-01T00:00:00Z') - start;
  const host = { id: options.hostId ?? 'bench-host', name: 'admin-bench' };
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
    const declaredAt = start + Math.floor((span * i) / options.sessions);
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
      await emit(`commit refs/heads/${store.branch}\nmark :${mark}\nauthor ${who} ${when}\ncommitter ${who} ${when}\n${data(commitMessageFor(record, 'INC-' + (10000 + i)))}${mark === 1 ? `from ${parent}\n` : ''}M 100644 inline ${path}\n${data(`${JSON.stringify(record, null, 2)}\n`)}\n`);
      records += 1;
    };
    const at = (min: number) => new Date(declaredAt + min * 60_000).toISOString();
    const decl = { ...declarationTemplate(DEFAULT_POLICY), incidentId: `INC-${10000 + i}`, operator, environment: i % 4 === 0 ? 'pre-production' : 'production' };
    await add({ type: 'declared', at: at(0), actor: operator, redactions: 0, payload: { declaration: decl, expiresAt: at(30), policySha256: '0'.repeat(64), preconditions: [] } } as never);
    const middle = perSession - 4;
    for (let k = 0; k < middle; k++) {
      if (k % 2 === 0) await add({ type: 'note', at: at(1 + k), actor: operator, redactions: 0, payload: { text: `Checked state lock #${k}: still held by job ${i}-${k}.` } } as never);
      else {
        await add({
          type: 'action', at: at(1 + k), actor: operator, redactions: 0,
          payload: { kind: 'command', argv: ['terraform', 'force-unlock', `${i}-${k}`], shell: false, cwd: '/srv/infra', startedAt: at(1 + k), endedAt: at(1 + k), exitCode: 0, signal: null, stoppedBy: null, via: 'cli-exec', outputSha256: 'f'.repeat(64), outputBytes: 42, output: 'Terraform state has been successfully unlocked!\n', outputTruncated: false },
        } as never);
      }
    }
    await add({ type: 'expired', at: at(30), actor: operator, redactions: 0, payload: { expiresAt: at(30), recordedAt: at(30) } } as never);
    await add({ type: 'closed', at: at(40), actor: operator, redactions: 0, payload: { closure: { summary: 'Lock repaired, pipeline re-run.', reversalSteps: ['Re-enabled lock'], controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' }, followUps: [] }, reviewDueAt: at(40 + 5 * 1440) } } as never);
    await add({ type: 'reviewed', at: at(1440), actor: reviewer, redactions: 0, payload: { review: { reviewer, outcome: 'justified', drill: false, findings: '', followUps: [] } } } as never);
  }
  await emit('done\n');
  await flush();
  child.stdin.end();
  await done;
  return { head: (await store.resolveHead())!, records };
}
