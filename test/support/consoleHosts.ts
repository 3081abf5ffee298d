import { afterEach, beforeAll } from 'vitest';
import { assertRendererBuilt, type ConsoleHost } from '../browser/host';
import { assertCliBuilt } from './lifecycleKit';
import { removeWorkspaces } from './workspace';

/**
 * The hosts an end-to-end file launches, closed after each test with its workspaces; before the
 * file, the CLI and the console must be built. Push each launched host onto the returned list.
 */
export function consoleHostsPerTest(): ConsoleHost[] {
  const hosts: ConsoleHost[] = [];
  beforeAll(() => {
    assertCliBuilt();
    assertRendererBuilt();
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
    removeWorkspaces();
  });
  return hosts;
}
