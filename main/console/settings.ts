import { writePrivateFileAtomic } from '../host/privateFiles';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SettingsSchema, type Settings } from '../../app/contract';

const DEFAULTS: Settings = { terminal: [], observer: false, fetchIntervalSeconds: 30 };

/** The settings file exists but cannot be used; the message names the file and what is wrong, never its contents. */
export class SettingsUnreadable extends Error {
  constructor(readonly reason: string) {
    super(`${reason}. Fix or delete it; until then the console is read-only.`);
    this.name = 'SettingsUnreadable';
  }
}

/**
 * Whether the console starts read-only, and why (issue 12 item 10). `--observer` always wins; a
 * settings file that cannot be read leaves the console read-only (fail closed) and says why, so a
 * console meant to be an observer never turns itself into a writer.
 */
export async function resolveObserver(settings: SettingsStore, flag: boolean | undefined): Promise<{ observer: boolean; reason: string | null }> {
  if (flag === true) return { observer: true, reason: null };
  try {
    const s = await settings.get();
    // Without the flag the settings decide; nothing but the settings file turns observer mode off.
    return { observer: s.observer, reason: null };
  } catch (e) {
    if (e instanceof SettingsUnreadable) return { observer: true, reason: e.message };
    throw e;
  }
}

/** Local console settings (`<data dir>/settings.json`), validated on read like every file on disk. */
export class SettingsStore {
  constructor(private readonly file: string) {}

  /**
   * The settings, or the defaults when the file is absent. A file that exists but cannot be read,
   * is not JSON or does not match the schema is reported (SettingsUnreadable), never guessed at:
   * the console then starts read-only (issue 12 item 10, fail closed).
   */
  async get(): Promise<Settings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULTS };
      throw new SettingsUnreadable(`${path.basename(this.file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SettingsUnreadable(`${path.basename(this.file)} is not valid JSON`);
    }
    const parsed = SettingsSchema.partial().safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
      // The field is named, the value never echoed: the file is the operator's, but errors go to logs.
      throw new SettingsUnreadable(`${path.basename(this.file)} is invalid${where} (${issue?.code === 'unrecognized_keys' ? 'an unknown setting' : 'a value of the wrong kind'})`);
    }
    return { ...DEFAULTS, ...parsed.data };
  }

  /** Merges and saves. */
  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...(await this.get()), ...patch };
    await writePrivateFileAtomic(this.file, JSON.stringify(next, null, 2));
    return next;
  }
}
