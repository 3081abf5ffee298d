import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Application } from '../../../main/application/application';
import { openContext } from '../../../main/application/context';
import { OpenSliceFile } from '../../../main/evidence/openSlice';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { allowRoot, declaration } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

// Issue 17 × 18: the console keeps this host's open slice (`<git dir>/breakglass-open`) in step
// with every record it commits. A governed shell commits a 256 KiB chunk per 256 KiB of output
// into a session the slice keeps; when each commit rewrote the whole slice, a 10 MB `cat` in the
// console's terminal took 3–5 s and every later one longer (the session's whole recording was
// written again per chunk). Each record is now one line appended to the slice, and a reader
// (`breakglass env`, `status`) rebuilds the same view from it.

const { fresh } = scratchFolder('bg-open-slice-');
const HOST = 'slice-host';

async function consoleWithSession() {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const data = fresh('data');
  const env = { ...process.env, BREAKGLASS_DATA_DIR: data };
  const host = nodeHostInfo({ ...env, BREAKGLASS_HOST_ID: HOST });
  const ctx = await openContext({ repo, env, host });
  const app = new Application(ctx, { sessionEnvPath: path.join(data, 'session.env'), observer: false });
  const d = await app.declare(declaration({ durationMinutes: 60 }));
  const sliceFile = path.join(ctx.store.gitDir, 'breakglass-open');
  // What a CLI command about the open session reads: the slice, when made from the current refs.
  const openOnlyView = async () => (await openContext({ repo, env, host, openOnly: true })).store.read();
  return { ctx, sessionId: d.state.sessionId, sliceFile, openOnlyView };
}

describe("this host's open slice, kept by the console", () => {
  it('grows by one line per record committed, not rewritten; a reader gets the same session as the whole view', async () => {
    const s = await consoleWithSession();
    await s.ctx.service.note({ sessionId: s.sessionId }, 'first note');
    const before = statSync(s.sliceFile);
    const big = 'the pipeline lock was held again; '.repeat(480); // about 16 KiB, within a note's 20,000 characters
    for (let i = 0; i < 8; i++) await s.ctx.service.note({ sessionId: s.sessionId }, `note ${i} ${big}`);
    const after = statSync(s.sliceFile);
    // The same file, appended to (a rewrite replaces it through a rename, a new inode).
    expect(after.ino).toBe(before.ino);
    const lines = readFileSync(s.sliceFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(9);
    // Each append is about one record: 8 notes of 16 KiB add well under twice their size.
    expect(after.size - before.size).toBeGreaterThan(8 * big.length);
    expect(after.size - before.size).toBeLessThan(2 * 8 * big.length);

    const whole = await s.ctx.service.read();
    const sliced = await s.openOnlyView();
    expect(sliced.viewId).toBe(whole.viewId);
    const ids = (v: typeof whole) => (v.sessions.get(s.sessionId) ?? []).map((e) => `${e.record.seq}:${e.record.type}:${e.commit}`);
    expect(ids(sliced)).toEqual(ids(whole));
    expect(ids(sliced)).toHaveLength(10);
    // Read from the slice itself (not the whole view a reader falls back to): the first line plus the lines after it.
    const fromFile = await new OpenSliceFile(s.sliceFile, HOST).load(whole.viewId!);
    expect(fromFile).not.toBeNull();
    expect(ids(fromFile!.view)).toEqual(ids(whole));
  }, 120_000);

  it('a torn last line, or a line for another view, sends the reader to the whole view, which still has every record', async () => {
    const s = await consoleWithSession();
    await s.ctx.service.note({ sessionId: s.sessionId }, 'kept');
    const whole = await s.ctx.service.read();
    const text = readFileSync(s.sliceFile, 'utf8');
    // A writer killed mid-append: the last line is cut short.
    writeFileSync(s.sliceFile, text.slice(0, text.length - 20));
    expect(await new OpenSliceFile(s.sliceFile, HOST).load(whole.viewId!)).toBeNull();
    const afterTear = await s.openOnlyView();
    expect(afterTear.viewId).toBe(whole.viewId);
    expect((afterTear.sessions.get(s.sessionId) ?? []).map((e) => e.record.type)).toEqual((whole.sessions.get(s.sessionId) ?? []).map((e) => e.record.type));

    // A line claiming to follow a view the file does not describe is not applied.
    writeFileSync(s.sliceFile, text.split('\n')[0]! + '\n');
    const forged = JSON.parse(text.split('\n').filter(Boolean).at(-1)!) as { from: string };
    appendFileSync(s.sliceFile, `${JSON.stringify({ ...forged, from: 'f'.repeat(64) })}\n`);
    expect(await new OpenSliceFile(s.sliceFile, HOST).load(whole.viewId!)).toBeNull();
    const afterForged = await s.openOnlyView();
    expect(afterForged.viewId).toBe(whole.viewId);
    expect((afterForged.sessions.get(s.sessionId) ?? []).some((e) => e.record.type === 'note')).toBe(true);
  }, 120_000);
});
