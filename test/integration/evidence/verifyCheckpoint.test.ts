import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFile, readCheckpoint, writeCheckpoint, type Checkpoint } from '../../../main/evidence/verifyCheckpoint';
import { cleanup, tempDir } from '../../support/cli';

/**
 * Issue 18: the verify checkpoint stores its per-session tables as columns (checkpointColumns.ts).
 * What is written reads back the same, and a file whose columns do not agree is no checkpoint:
 * the verify is then full, never built on a guess.
 */

const dirs: string[] = [];
afterAll(() => cleanup(...dirs));

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function checkpoint(): Checkpoint {
  return {
    version: 3, objectFormat: 'sha1', branch: 'main', hostId: 'test-host', pinned: null, head: A,
    tips: [{ ref: 'refs/heads/main', commit: A }, { ref: 'refs/heads/hosts/test-host', commit: B }],
    problems: [{ problem: { sessionId: 's-2', seq: 3, path: 'sessions/s-2/000003-note.json', commit: null, message: 'Chain broken.' }, session: true }],
    counts: new Map([['s-1', 5], ['journal-test-host', 2], ['s-2', 12]]),
    commitsChecked: 19,
    signatures: { roster: false, anchor: null, proven: 0, claimed: 19, invalid: 0 },
    governance: { anchor: null, adopted: [], order: 19, states: { [B]: { roster: null, policy: null, changedAt: 0, signedSeen: false } }, operatorKeys: {} },
    carried: {
      roster: null,
      rules: { acknowledgement: { declared: 'within', withinMinutes: 15 }, clockSkewToleranceSeconds: 120 },
      sessions: new Map([
        ['s-1', { declaredAt: '2026-01-01T00:00:00.000Z', challenges: { declared: 'ABCDEFGHJK', closed: null }, typed: [] }],
        ['s-2', { declaredAt: '2026-01-02T00:00:00.000Z', challenges: { declared: 'BCDEFGHJKM', closed: 'CDEFGHJKMN' }, typed: [{ seq: 2, event: 'declared', challenge: 'BCDEFGHJKM', response: 'DEFGHJKMNP' }, { seq: 9, event: 'closed', challenge: 'CDEFGHJKMN', response: 'EFGHJKMNPQ' }] }],
      ]),
      acks: [], claims: [], contained: [],
    },
  };
}

async function written(cp: Checkpoint): Promise<string> {
  const dir = tempDir('bg-checkpoint-');
  dirs.push(dir);
  await writeCheckpoint(dir, cp);
  return dir;
}

describe('the verify checkpoint on disk (issue 18)', () => {
  it('reads back what was written, sessions and counts in their order', async () => {
    const dir = await written(checkpoint());
    const read = await readCheckpoint(dir);
    expect(read).toEqual({ checkpoint: checkpoint() });
    if (!('checkpoint' in read)) throw new Error('no checkpoint');
    expect([...read.checkpoint.counts.keys()]).toEqual(['s-1', 'journal-test-host', 's-2']);
    expect([...read.checkpoint.carried.sessions.keys()]).toEqual(['s-1', 's-2']);
  });

  it('a file whose columns do not agree, or hold what no column may, is not a valid checkpoint', async () => {
    const dir = await written(checkpoint());
    const good = JSON.parse(readFileSync(checkpointFile(dir), 'utf8')) as { counts: Record<string, string>; carried: { sessions: Record<string, unknown> } };
    const edits: Array<(j: typeof good) => void> = [
      (j) => { j.counts.records = '5\n2'; }, // a row short
      (j) => { j.counts.records = '5\n-2\n12'; }, // not a count
      (j) => { j.counts.ids = 's-1\n\ns-2'; }, // an empty id
      (j) => { j.counts.ids = 's-1\ns-1\ns-2'; }, // a session twice
      (j) => { j.carried.sessions.closed = ''; }, // a column of one row for two sessions
      (j) => { j.carried.sessions.typed = [{ row: 2, seq: 2, event: 'declared', challenge: 'BCDEFGHJKM', response: 'DEFGHJKMNP' }]; }, // a row no session has
      (j) => { j.carried.sessions.declared = ['ABCDEFGHJK', 'BCDEFGHJKM']; }, // an array, not a column
    ];
    for (const edit of edits) {
      const j = structuredClone(good);
      edit(j);
      writeFileSync(checkpointFile(dir), JSON.stringify(j));
      expect(await readCheckpoint(dir)).toEqual({ reason: 'the checkpoint file is not a valid checkpoint' });
    }
  });

  it('a session id a column cannot hold leaves no checkpoint (the next verify is full)', async () => {
    const dir = await written(checkpoint());
    const cp = checkpoint();
    cp.counts.set('s-\n3', 1);
    await writeCheckpoint(dir, cp);
    expect(await readCheckpoint(dir)).toEqual({ reason: 'there is no checkpoint of an earlier verify yet' });
  });
});
