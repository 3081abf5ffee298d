import type { BreakGlassService } from '../../app/service';
import { renderEnvInactive } from '../../app/envExport';
import { sessionEnvFile } from '../host/paths';
import { writePrivateFileAtomic } from '../host/privateFiles';

/**
 * Keeps `<data dir>/session.env` (mode 0600) in step with the ledger (issue 5): the export block
 * while a session is active, `GOVERNED_BREAK_GLASS=false` alone otherwise. `breakglass env` and
 * `exec` read the ledger, not this file, so a stale file can never grant anything.
 */
export async function writeSessionEnvFile(service: BreakGlassService, file = sessionEnvFile()): Promise<void> {
  const env = await service.environment();
  const text = env ? env.text : renderEnvInactive();
  await writePrivateFileAtomic(file, text);
}
