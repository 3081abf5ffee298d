import { expect } from 'vitest';
import { cliEnv, declaration, runCli } from './cli';
import { lastJson } from './cliProcess';
import type { DeclaredJson, LogEntry, StatusJson, VerifyJson } from './cliJson';
import { expectExit } from './evidenceRepo';
import type { Scratch } from './scratch';

/**
 * One simulated admin host driving the real CLI in child processes (`--json`): its own data
 * folder and host id (and name, when given), its own evidence repository. The sync and board
 * tests build on it with the calls of their own.
 */
export function cliHost(scratch: Pick<Scratch, 'fresh' | 'json'>, id: string, repo: string, extraEnv: Record<string, string> = {}) {
  const env = cliEnv(scratch.fresh(`data-${id}`), { BREAKGLASS_HOST_ID: id, ...extraEnv });
  const cli = (...args: string[]) => runCli(['--repo', repo, '--json', ...args], { env });
  return {
    id, repo, env, cli,
    async declare(overrides: Record<string, unknown> = {}): Promise<DeclaredJson> {
      const file = scratch.json(`decl-${id}`, declaration(overrides));
      return lastJson<DeclaredJson>(expectExit(await cli('declare', '--file', file), 0, `${id} declare`));
    },
    async status(): Promise<StatusJson> {
      return lastJson<StatusJson>(await cli('status'));
    },
    async log(sessionId: string): Promise<LogEntry[]> {
      return lastJson<LogEntry[]>(expectExit(await cli('log', '--session', sessionId), 0, `${id} log`));
    },
    /** `verify`, which must find nothing. */
    async verify(): Promise<VerifyJson> {
      const r = await cli('verify');
      const report = lastJson<VerifyJson>(r);
      expect(report.problems, `${id} verify problems`).toEqual([]);
      expect(r.code).toBe(0);
      return report;
    },
  };
}
