import { describe, expect, it } from 'vitest';
import { Application } from '../../../main/application/application';
import { openContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import type { LedgerView } from '../../../app/ports';
import { allowRoot, cliEnv, declaration, runCli } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/**
 * One GitEvidenceStore read by several callers at once (issue 19: forwarding reads the ledger
 * beside the console's own reads and writes, in the same process): every read sees each record
 * exactly once, whether the branch moved under this process's own commits or another writer's.
 */

const { fresh } = scratchFolder('bg-concurrent-reads-');
const HOST = 'host-reads';

/** Every session's sequence numbers as a view holds them, to compare with a fresh store's. */
function seqs(view: LedgerView): Record<string, number[]> {
  return Object.fromEntries([...view.sessions].map(([id, entries]) => [id, entries.map((e) => e.record.seq)]));
}

async function repository() {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const ctx = await openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: HOST }) });
  const app = new Application(ctx, { sessionEnvPath: `${fresh('data')}/session.env` });
  return { repo, ctx, app };
}

describe('concurrent readers of one store', () => {
  it('reads running beside this process\'s own commits never place a record twice', async () => {
    const { repo, ctx, app } = await repository();
    const d = await app.declare(declaration());
    let reading = true;
    const seen: LedgerView[] = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) seen.push(await ctx.store.read());
    });
    for (let i = 0; i < 6; i++) await app.note({ sessionId: d.record.sessionId }, `note ${i}`);
    reading = false;
    await Promise.all(readers);

    expect(seen.length).toBeGreaterThan(6);
    for (const v of seen) {
      const s = seqs(v)[d.record.sessionId] ?? [];
      expect(s).toEqual(s.map((_, i) => i + 1));
    }
    const final = await ctx.store.read();
    expect(seqs(final)[d.record.sessionId]).toEqual(Array.from({ length: 7 }, (_, i) => i + 1));
    expect(seqs(await (await GitEvidenceStore.open(repo)).read())).toEqual(seqs(final));
  });

  it('reads that start together after another writer moved the branch refresh once, to the same view', async () => {
    const { repo, ctx } = await repository();
    const env = cliEnv(fresh('cli-data'), { BREAKGLASS_HOST_ID: HOST });
    await ctx.store.read();
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['--repo', repo, 'declare', '--file', '-'], { env, input: JSON.stringify(declaration({ environment: i === 0 ? 'production' : 'pre-production' })) });
      expect(r.code, r.stderr).toBe(0);
      const views = await Promise.all(Array.from({ length: 6 }, () => ctx.store.read()));
      const expected = seqs(await (await GitEvidenceStore.open(repo)).read());
      expect(Object.keys(expected)).toHaveLength(i + 1);
      for (const v of views) expect(seqs(v)).toEqual(expected);
    }
  });
});
