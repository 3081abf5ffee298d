import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DraftSchema, type Draft } from '../../app/contract';

/**
 * The wizard's draft, kept locally — never in the evidence repository (issue 4): nothing typed is
 * lost across step changes, reloads and restarts. A file that no longer parses is set aside, not
 * silently dropped, so a person can still recover its text.
 */
export class DraftStore {
  private writes = 0;

  constructor(private readonly file: string) {}

  /** The saved draft, or null. */
  async get(): Promise<Draft | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = DraftSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      /* falls through: set aside */
    }
    await fs.rename(this.file, `${this.file}.unreadable-${Date.now()}`).catch(() => {});
    return null;
  }

  /** Saves the draft atomically (mode 0600: it may hold a justification not yet redacted). */
  async save(draft: Draft): Promise<string> {
    const savedAt = new Date().toISOString();
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // A unique temporary name per write: overlapping saves must not write into each other's file.
    const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
    await fs.writeFile(tmp, JSON.stringify({ ...draft, savedAt }), { mode: 0o600 });
    await fs.rename(tmp, this.file);
    return savedAt;
  }

  /** Discards the draft (after a successful declaration, or on explicit "discard"). */
  async discard(): Promise<boolean> {
    try {
      await fs.rm(this.file);
      return true;
    } catch {
      return false;
    }
  }
}
