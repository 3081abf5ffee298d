import { afterAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../app/api';
import { ConsoleBackend } from '../../../main/console/backend';
import { createBoardStore } from '../../../renderer/board/store';
import { generateLedger, type LedgerMix } from '../../../bench/generate';
import { removeWorkspaces, workspace } from '../../support/workspace';

/**
 * The board's rows in pages (issue 18), through the real backend and the renderer's board store:
 * the first read shows its first page, most urgent first, then every row; a re-read keeps the
 * complete rows on screen until its own are complete; a read no longer kept is refused.
 */

const SESSIONS = 3_000;
const NOW = Date.parse('2026-11-28T14:00:00Z');
const MIX: LedgerMix = { now: NOW, active: 5, expired: 4, awaitingReview: 10, overdue: 6 };

afterAll(() => removeWorkspaces());

describe('board pages through the backend and the board store', () => {
  it('shows the first page, then every row; a re-read never shrinks the list; a read no longer kept is refused', async () => {
    const { repo, env } = await workspace({ init: false, env: { BREAKGLASS_HOST_ID: 'bench-host', BREAKGLASS_HOST_NAME: 'admin-bench' } });
    await generateLedger(repo, { sessions: SESSIONS, mix: MIX });
    const backend = await ConsoleBackend.create({ repo, env, clock: { now: () => NOW, monotonicMs: () => 0 } });
    try {
      const api = buildApi((name, input) => backend.dispatch(name, input), () => () => {});
      const store = createBoardStore(api);
      const seen: Array<{ rows: number; partial: number | null; first: string | undefined }> = [];
      store.subscribe((s) => {
        if (s.data) seen.push({ rows: s.data.rows.length, partial: s.partial?.total ?? null, first: s.data.rows[0]?.phase });
      });

      await store.getState().actions.load();
      // 200 first, the most urgent (an active or expired session) at the top, then the rest in pages of 2,500.
      expect(seen[0]).toEqual({ rows: 200, partial: SESSIONS, first: 'expired' });
      expect(seen.map((s) => s.rows)).toEqual([200, 2_700, 3_000]);
      expect(seen.at(-1)!.partial).toBeNull();
      expect(store.getState().loading).toBe(false);
      const ids = store.getState().data!.rows.map((r) => r.sessionId);
      expect(new Set(ids).size).toBe(SESSIONS);

      // A re-read: the complete rows stay until the new read is complete.
      seen.length = 0;
      await store.getState().actions.load();
      expect(seen.every((s) => s.rows === SESSIONS && s.partial === null)).toBe(true);
      expect(store.getState().data!.rows.map((r) => r.sessionId)).toEqual(ids);

      // A read the backend no longer keeps (it keeps the last four) is refused, as is one it never made.
      const opened = await backend.dispatch('board.open', { limit: 1 });
      if (!opened.ok) throw new Error(opened.error.message);
      const { snapshot } = opened.value as { snapshot: string };
      for (let i = 0; i < 4; i++) await backend.dispatch('board.open', { limit: 1 });
      const gone = await backend.dispatch('board.rows', { snapshot, offset: 1, limit: 10 });
      expect(gone).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'snapshot' } });
      expect(await backend.dispatch('board.rows', { snapshot: 'not-a-read', offset: 0, limit: 10 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    } finally {
      backend.stop();
    }
  }, 120_000);
});
