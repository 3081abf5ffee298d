import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import type { EvidenceStore, HostInfo, LedgerView } from '../../app/ports';
import { BreakGlassService } from '../../app/service';
import { tipSetOf } from '../evidence/layout';
import { OpenSliceFile } from '../evidence/openSlice';
import { openRepository } from '../evidence/repository';
import { systemBootClock } from '../host/bootClock';
import { nodeHostInfo, systemClock } from '../host/hostInfo';
import { dataDir, evidenceRepoDir } from '../host/paths';
import { ensurePrivateDataDir } from '../host/privateFiles';

/** Where a caller's repository is and who this host is, with the data folder checked private (issue 12 item 14): what every open starts with. */
export async function openingPrologue(options: { repo?: string | undefined; env?: NodeJS.ProcessEnv; host?: HostInfo }): Promise<{ env: NodeJS.ProcessEnv; repoDir: string; host: HostInfo }> {
  const env = options.env ?? process.env;
  const repoDir = evidenceRepoDir(options.repo, env);
  // Everything the console keeps for the operator lives in the data folder: it must be theirs alone (issue 12 item 14).
  await ensurePrivateDataDir(dataDir(env));
  return { env, repoDir, host: options.host ?? nodeHostInfo(env) };
}

/**
 * Issue 18: the service over this host's open slice alone, for a command that reads this host's
 * open session and writes nothing (`env`), without the application layer, the writer side of the
 * store or simple-git. The repository is opened as openContext opens it (the same checks, in the
 * same order: the data folder, the repository's config, its fsync settings) and the slice is the
 * one GitEvidenceStore's openOnly read would return: made from exactly the refs just listed (its
 * view id covers every ref's commit), validated with its schema. Null — the caller then opens the
 * whole context — when there is no such slice, or nothing to read yet (an absent or empty folder,
 * which openContext creates; a repository without commits).
 */
export async function openSliceService(options: { repo?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Promise<BreakGlassService | null> {
  const { repoDir, host } = await openingPrologue(options);
  if (!existsSync(repoDir) || (await fs.readdir(repoDir)).length === 0) return null;
  const repo = await openRepository(repoDir, false);
  const tips = tipSetOf(repo.refs, repo.branch, host.hostId);
  if (tips.tips.length === 0) return null;
  const slice = await new OpenSliceFile(path.join(repo.gitDir, 'breakglass-open'), host.hostId).load(tips.viewId);
  if (!slice) return null;
  return new BreakGlassService({ store: fixedView(slice.view), clock: systemClock, boot: systemBootClock, host });
}

/** A store that holds one view and records nothing. */
function fixedView(view: LedgerView): EvidenceStore {
  return {
    read: () => Promise.resolve(view),
    write: () => Promise.reject(new BreakGlassError('refused', 'The evidence repository was opened to read this host\'s open session only: nothing can be recorded here.')),
  };
}
