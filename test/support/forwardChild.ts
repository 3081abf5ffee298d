import { openForwarder } from './forwardHarness';

/**
 * A forwarding process for the kill -9 test: `node --import tsx test/support/forwardChild.ts REPO`
 * forwards the repository's records to its policy's destinations until it is killed, as the
 * console's main process will. It prints "forwarding" once started.
 */
const repo = process.argv[2];
if (!repo) throw new Error('usage: forwardChild.ts REPO');
const { forwarder } = await openForwarder(repo, { env: process.env, pollIntervalMs: 200 });
forwarder.start();
process.stdout.write('forwarding\n');
process.on('SIGTERM', () => {
  void forwarder.stop().then(() => process.exit(0));
});
