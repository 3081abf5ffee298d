import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleBackend } from '../../../main/console/backend';
import { allowRoot, declaration, runCli } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/** Issue 12 item 10: observer mode never turns itself off. */

const scratch = scratchFolder('bg-console-failsafe-');
const started: ConsoleBackend[] = [];
afterEach(() => {
  for (const b of started.splice(0)) b.stop();
});

async function consoleWith(settingsText: string | null, observerFlag?: boolean) {
  const dir = scratch.fresh('ws');
  const repo = path.join(dir, 'evidence');
  const data = path.join(dir, 'data');
  const env = { ...process.env, BREAKGLASS_DATA_DIR: data, BREAKGLASS_HOST_ID: 'failsafe-host' };
  await runCli(['--repo', repo, 'status'], { env });
  allowRoot(repo);
  mkdirSync(data, { recursive: true });
  if (settingsText !== null) writeFileSync(path.join(data, 'settings.json'), settingsText);
  const backend = await ConsoleBackend.create({ repo, env, ...(observerFlag !== undefined ? { observer: observerFlag } : {}) });
  started.push(backend);
  return backend;
}

describe('a settings file that cannot be read leaves the console read-only and says why', () => {
  for (const [what, text] of [
    ['an unknown key', JSON.stringify({ observer: true, obsrver: false })],
    ['invalid JSON', '{"observer": tru'],
    ['a value of the wrong kind', JSON.stringify({ observer: 'no' })],
  ] as const) {
    it(`with ${what}: read-only, the reason shown, and a declaration refused with nothing written`, async () => {
      const backend = await consoleWith(text);
      expect(backend.observer).toBe(true);
      const snapshot = await backend.snapshot();
      expect(snapshot.observer).toBe(true);
      expect(snapshot.readOnlyReason).toMatch(/settings\.json is (invalid|not valid JSON).*read-only/);
      // The reason names the file, never its contents.
      expect(snapshot.readOnlyReason).not.toContain('obsrver');
      const head = snapshot.repository.head;
      const r = await backend.dispatch('session.declare', { declaration: declaration() });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect((await backend.snapshot()).repository.head).toBe(head);
    });
  }

  it('--observer wins over settings that say otherwise', async () => {
    const backend = await consoleWith(JSON.stringify({ observer: false }), true);
    expect(backend.observer).toBe(true);
    expect((await backend.snapshot()).readOnlyReason).toBeNull();
  });

  it('no flag: observer mode set in the settings holds; an absent file is a writable console', async () => {
    expect((await consoleWith(JSON.stringify({ observer: true }))).observer).toBe(true);
    expect((await consoleWith(JSON.stringify({ observer: true }), false)).observer).toBe(true);
    const writable = await consoleWith(null);
    expect(writable.observer).toBe(false);
    expect((await writable.snapshot()).readOnlyReason).toBeNull();
  });
});

describe('issue 12 item 2: the wizard\'s "Shared remote" precondition names the remote and its push state', () => {
  it('says local only without a remote, then names the remote with pending, synced and offline', async () => {
    const backend = await consoleWith(null);
    const remoteRow = async () => {
      const r = await backend.dispatch('preconditions.check', { environment: 'production', incidentId: 'INC-1' });
      expect(r.ok).toBe(true);
      return (r as { ok: true; value: Array<{ id: string; status: string; detail: string }> }).value.find((c) => c.id === 'remote')!;
    };
    expect(await remoteRow()).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^No remote configured/) });

    const bare = scratch.fresh('remote.git');
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    expect((await backend.dispatch('remote.set', { url: bare })).ok).toBe(true);
    backend.ctx.outbox.stop();
    const declared = await backend.dispatch('session.declare', { declaration: declaration() });
    expect(declared.ok, JSON.stringify(declared)).toBe(true);
    expect(await remoteRow()).toMatchObject({ status: 'pass', detail: expect.stringMatching(new RegExp(`^${bare.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\d+ record\\(s\\) pending push`)) });

    expect((await backend.dispatch('push.now', {})).ok).toBe(true);
    expect(await remoteRow()).toMatchObject({ status: 'pass', detail: expect.stringContaining(`${bare}: synced`) });

    const { rmSync } = await import('node:fs');
    rmSync(bare, { recursive: true, force: true });
    await backend.dispatch('session.note', { text: 'after the remote went away' });
    await backend.dispatch('push.now', {});
    const offline = await remoteRow();
    expect(offline.status).toBe('warn');
    expect(offline.detail).toContain(bare);
    expect(offline.detail).toMatch(/since \d{4}-\d{2}-\d{2}T/);
  });
});
