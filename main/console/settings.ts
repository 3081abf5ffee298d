import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SettingsSchema, type Settings } from '../../app/contract';

const DEFAULTS: Settings = { terminal: [], observer: false, fetchIntervalSeconds: 30 };

/** Local console settings (`<data dir>/settings.json`), validated on read like every file on disk. */
export class SettingsStore {
  constructor(private readonly file: string) {}

  /** The settings, or the defaults when the file is absent; an invalid file is reported, not guessed at. */
  async get(): Promise<Settings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return { ...DEFAULTS };
    }
    const parsed = SettingsSchema.partial().safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${path.basename(this.file)} is invalid: ${parsed.error.issues[0]?.message ?? 'unreadable'}. Fix or delete it.`);
    return { ...DEFAULTS, ...parsed.data };
  }

  /** Merges and saves. */
  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...(await this.get()), ...patch };
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    await fs.rename(tmp, this.file);
    return next;
  }
}
