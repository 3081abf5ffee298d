import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import os from 'node:os';
import { ConsoleBackend } from '../../../main/console/backend';
import { CALLS, type CallName } from '../../../app/contract';
import { allowRoot, cleanup, declaration, runCli, tempDir } from '../../support/cli';

describe('console backend: the contract dispatcher', () => {
  let dir = '';
  let repo = '';
  let backend: ConsoleBackend;
  let observer: ConsoleBackend;

  beforeAll(async () => {
    dir = tempDir('bg-backend-');
    repo = path.join(dir, 'evidence');
    const env = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, 'data'), BREAKGLASS_HOST_ID: 'backend-host' };
    await runCli(['--repo', repo, 'status'], { env });
    allowRoot(repo);
    backend = await ConsoleBackend.create({ repo, env });
    observer = await ConsoleBackend.create({ repo, env, observer: true });
  });
  afterAll(() => {
    backend?.stop();
    observer?.stop();
    cleanup(dir);
  });

  it('refuses bad input with the field path before any handler runs', async () => {
    const spy = vi.spyOn(backend.handlers, 'session.note');
    const r = await backend.dispatch('session.note', { text: 42 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'text' } });
    const extra = await backend.dispatch('session.note', { text: 'x', sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses an unknown call', async () => {
    expect(await backend.dispatch('session.__proto__', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await backend.dispatch('constructor', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('declares through the contract and the snapshot shows the session as this host\'s open one', async () => {
    const r = await backend.dispatch('session.declare', { declaration: declaration() });
    expect(r.ok).toBe(true);
    const s = await backend.dispatch('status.get', {});
    expect(s.ok && (s.value as { open: Array<{ incidentId: string; phase: string }> }).open).toEqual([expect.objectContaining({ incidentId: 'INC-12345', phase: 'active' })]);
  });

  it('returns the service\'s refusal with its field, and no stack trace or home path', async () => {
    const r = await backend.dispatch('session.declare', { declaration: declaration({ justification: 'too short' }) });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'justification' } });
    if (!r.ok) {
      expect(r.error.message).not.toMatch(/\n\s+at /);
      expect(r.error.message).not.toContain(os.homedir() + path.sep);
    }
  });

  it('observer mode refuses every write call at the contract, and still answers reads', async () => {
    const writes = (Object.keys(CALLS) as CallName[]).filter((n) => CALLS[n].writes);
    expect(writes.length).toBeGreaterThan(8);
    for (const name of writes) {
      const r = await observer.dispatch(name, {});
      expect(r, name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect((await observer.dispatch('status.get', {})).ok).toBe(true);
    expect((await observer.dispatch('sessions.list', {})).ok).toBe(true);
  });
});
