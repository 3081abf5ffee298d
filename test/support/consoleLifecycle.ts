import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertRendererBuilt, type ConsoleHost } from '../browser/host';
import { assertCliBuilt } from './lifecycleKit';
import { removeWorkspaces } from './workspace';

/**
 * The hooks of an e2e file that opens consoles on repositories the real CLI wrote: the built
 * renderer and CLI are checked first, each test's consoles are closed after it, and at the end
 * `stop` runs (the file's ssh-agents) and the workspaces are removed. Returns the list to push
 * each opened console to.
 */
export function consoleLifecycle(stop: () => void): ConsoleHost[] {
  const hosts: ConsoleHost[] = [];
  beforeAll(() => {
    assertRendererBuilt();
    assertCliBuilt();
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
  });
  afterAll(() => {
    stop();
    removeWorkspaces();
  });
  return hosts;
}
