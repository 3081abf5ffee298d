import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';

/**
 * Files the console writes for the operator (issue 12 item 14): the report, session.env, the
 * wizard's draft, settings. Another local account must not be able to make us write through a
 * link it planted, overwrite a file it owns, or guess a temporary name to race us; and the data
 * folder that holds them must be this user's alone.
 */

const myUid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

/** Opening flags that never follow a link at the last component (O_NOFOLLOW is 0 where the platform lacks it). */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Writes `data` to `file` atomically, mode 0600: into a temporary file with a random name
 * created exclusively in the same folder, then renamed over `file` (a rename replaces a link
 * itself, never what it points to).
 */
export async function writePrivateFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(12).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function whyNotOurs(s: Stats): string | null {
  if (s.isSymbolicLink()) return 'is a symbolic link';
  if (!s.isFile()) return 'is not a regular file';
  const uid = myUid();
  if (uid !== null && s.uid !== uid) return 'belongs to another user';
  if (s.nlink > 1) return 'has other hard links';
  return null;
}

/**
 * Writes a file the operator named (the report's `--out`, the PDF's default name), mode 0600.
 * A new file is created exclusively without following links; an existing one is replaced only
 * when it is a plain file of this user's with no other link to it — checked on the opened file
 * itself, so it cannot be swapped between the check and the write.
 */
export async function writeOperatorFile(file: string, data: Uint8Array, field: string): Promise<string> {
  const target = path.resolve(file);
  const refuse = (why: string) => new BreakGlassError('invalid-input', `Will not write the report to ${target}: it ${why}. Name a new file, or remove it first if it is yours.`, { field });
  const failed = (e: unknown) => new BreakGlassError('invalid-input', `Cannot write the report to ${target}: ${(e as NodeJS.ErrnoException).code ?? 'error'}.`, { field });
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw failed(e);
    const before = await fs.lstat(target).catch((err: unknown) => { throw failed(err); });
    const why = whyNotOurs(before);
    if (why) throw refuse(why);
    try {
      handle = await fs.open(target, constants.O_WRONLY | NOFOLLOW);
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ELOOP' ? refuse('is a symbolic link') : failed(err);
    }
    const opened = await handle.stat();
    const whyOpened = whyNotOurs(opened) ?? (opened.ino !== before.ino || opened.dev !== before.dev ? 'was replaced while being opened' : null);
    if (whyOpened) {
      await handle.close();
      throw refuse(whyOpened);
    }
    await handle.truncate(0);
    await handle.chmod(0o600);
  }
  try {
    await handle.writeFile(data);
  } catch (e) {
    throw failed(e);
  } finally {
    await handle.close();
  }
  return target;
}

/**
 * The data folder (session.env, drafts, settings, reports, the embedded evidence repository) is
 * created private (0700) when absent; an existing one must belong to this user and be writable by
 * no one else, or everything in it could be replaced under the operator.
 */
export async function ensurePrivateDataDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const s = await fs.lstat(dir);
  const uid = myUid();
  if (s.isSymbolicLink() || !s.isDirectory()) {
    throw new BreakGlassError('refused', `The data folder ${dir} is not a directory (a link or a file is there). Move it away, or set BREAKGLASS_DATA_DIR to a folder of your own.`);
  }
  if (uid !== null && s.uid !== uid) {
    throw new BreakGlassError('refused', `The data folder ${dir} belongs to another user (uid ${s.uid}). Use a folder of your own (BREAKGLASS_DATA_DIR), or have it handed over: chown -R "$(id -u)" ${JSON.stringify(dir)}`);
  }
  if (process.platform !== 'win32' && (s.mode & 0o022) !== 0) {
    throw new BreakGlassError('refused', `The data folder ${dir} is writable by other users (mode ${(s.mode & 0o777).toString(8)}). Make it private: chmod 700 ${JSON.stringify(dir)}`);
  }
}
