// A child Node process for containment tests: starts one contained command and reports on stdout,
// as one JSON line, how it is contained and the wrapper's pid; then waits to be killed.
import { startContained } from '../../../main/process/container';

const argv = JSON.parse(process.argv[2] ?? '[]') as string[];
const started = startContained({ argv, cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' } });
if (started.mode === 'not-started') {
  process.stdout.write(`${JSON.stringify({ error: (await started.done).startError })}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ containment: started.containment, pid: started.pid })}\n`);
started.stdout.pipe(process.stderr);
await started.done;
