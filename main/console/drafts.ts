import { writePrivateFileAtomic } from '../host/privateFiles';
import { promises as fs } from 'node:fs';
import { DraftSchema, type Draft } from '../../app/contract';

/**
 * The wizard's draft, kept locally — never in the evidence repository (issue 4): nothing typed is
 * lost across step changes, reloads and restarts. A file that no longer parses is set aside, not
 * silently dropped, so a person can still recover its text.
 */
export class DraftStore {

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
    // A random temporary name per write (issue 12 item 14): overlapping saves never share one, and no one can pre-plant it.
    await writePrivateFileAtomic(this.file, JSON.stringify({ ...draft, savedAt }));
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
