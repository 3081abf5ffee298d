import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertRendererBuilt, type ConsoleHost } from '../browser/host';
import { assertCliBuilt } from './lifecycleKit';
import { removeWorkspaces } from './workspace';

/**
 * The hosts an end-to-end file launches, closed after each test; before the file, the CLI and
 * the console must be built. Push each launched host onto the returned list. The workspaces go
 * after each test — or, for a file whose tests share what it set up once (ssh-agents, keys,
 * repositories the real CLI wrote), after the file, once `stopShared` has run.
 */
export function consoleHostsPerTest(options: { stopShared?: () => void } = {}): ConsoleHost[] {
  const hosts: ConsoleHost[] = [];
  const { stopShared } = options;
  beforeAll(() => {
    assertCliBuilt();
    assertRendererBuilt();
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
    if (!stopShared) removeWorkspaces();
  });
  if (stopShared) {
    afterAll(() => {
      stopShared();
      removeWorkspaces();
    });
  }
  return hosts;
}
