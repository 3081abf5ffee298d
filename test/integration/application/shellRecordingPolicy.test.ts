import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../../app/records';
import { Application } from '../../../main/application/application';
import { openContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { WriterLock } from '../../../main/evidence/writerLock';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { allowRoot, declaration } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';
import { waitFor } from '../../support/waitFor';

// Issue 17, "Fail closed, by policy", end to end: the policy in the repository chooses, and the
// failure is real — another writer holds the evidence lock, so the shell's chunks cannot be
// committed until it lets go.

const { fresh } = scratchFolder('bg-shell-policy-');

async function governedShell(mode: 'strict' | 'best-effort') {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo, { shellRecording: mode });
  const data = fresh('data');
  const env = { ...process.env, BREAKGLASS_DATA_DIR: data };
  const ctx = await openContext({ repo, env, host: nodeHostInfo({ ...env, BREAKGLASS_HOST_ID: `host-${mode}` }), lockWaitMs: 300 });
  const app = new Application(ctx, { sessionEnvPath: path.join(data, 'session.env'), observer: false, shells: { maxChunkMs: 300 } });
  const d = await app.declare(declaration());
  let screen = '';
  const opened = await app.shells.openShell({
    sessionId: d.state.sessionId, via: 'console', cwd: data, cols: 100, rows: 30, shell: '/bin/bash',
    onOutput: (data) => void (screen += data),
  });
  opened.shell.input('echo ready-$((1+1))\r');
  await waitFor('the shell to answer', () => screen.includes('ready-2'), { timeoutMs: 20_000 });
  const records = async (): Promise<EvidenceRecord[]> => ((await ctx.service.read()).sessions.get(d.state.sessionId) ?? []).map((e) => e.record);
  return { opened, records, screen: () => screen, lock: new WriterLock(ctx.store.gitDir) };
}

function chunkSeqs(records: EvidenceRecord[]): number[] {
  return records.filter((r) => r.type === 'recording-chunk').map((r) => (r.payload as { seq: number }).seq);
}

describe('the shell recording policy, with the evidence lock held by another writer', () => {
  it('best-effort: the shell goes on answering, then the backlog and a recording-degraded record are committed', async () => {
    const s = await governedShell('best-effort');
    const held = await s.lock.acquire();
    s.opened.shell.input('echo while-held-$((6*7))\r');
    await waitFor('the answer while the lock is held', () => s.screen().includes('while-held-42'), { timeoutMs: 20_000 });
    await waitFor('degraded', () => s.opened.shell.status().state === 'degraded', { timeoutMs: 20_000 });
    await held.release();
    await waitFor('recording again', () => s.opened.shell.status().state === 'recording', { timeoutMs: 20_000 });
    s.opened.shell.input('exit\r');
    const ended = await s.opened.done;
    expect(ended.recorded).toBe(true);
    const records = await s.records();
    const degraded = records.filter((r) => r.type === 'recording-degraded');
    expect(degraded).toHaveLength(1);
    const p = degraded[0]!.payload as { since: string; until: string | null; failures: number };
    expect(p.until).not.toBeNull();
    expect(Date.parse(p.since)).toBeLessThan(Date.parse(p.until!));
    const seqs = chunkSeqs(records);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const text = records.filter((r) => r.type === 'recording-chunk').map((r) => (r.payload as { text: string }).text).join('');
    expect(text).toContain('while-held-42');
  }, 90_000);

  it('strict: the shell is paused while the lock is held and what was typed runs only once it is recorded', async () => {
    const s = await governedShell('strict');
    const held = await s.lock.acquire();
    s.opened.shell.input('echo first-while-held\r');
    await waitFor('paused', () => s.opened.shell.status().state === 'paused', { timeoutMs: 20_000 });
    s.opened.shell.input('echo second-$((40+2))\r');
    // Several lock waits have failed since: the held command has still not run.
    await waitFor('three failed commits', () => s.opened.shell.status().failures >= 3, { timeoutMs: 20_000 });
    expect(s.screen()).not.toContain('second-42');
    await held.release();
    await waitFor('the held command ran', () => s.screen().includes('second-42'), { timeoutMs: 20_000 });
    s.opened.shell.input('exit\r');
    const ended = await s.opened.done;
    expect(ended.recorded).toBe(true);
    const records = await s.records();
    expect(records.some((r) => r.type === 'recording-degraded')).toBe(false);
    const seqs = chunkSeqs(records);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const text = records.filter((r) => r.type === 'recording-chunk').map((r) => (r.payload as { text: string }).text).join('');
    expect(text.indexOf('first-while-held')).toBeLessThan(text.indexOf('second-42'));
  }, 90_000);
});
