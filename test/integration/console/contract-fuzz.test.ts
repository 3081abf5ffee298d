import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_NAMES, CALLS, type CallName } from '../../../app/contract';
import { whyNotSafeLine } from '../../../app/text';
import { ConsoleBackend } from '../../../main/console/backend';
import { allowRoot, runCli } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

// Issue 12 item 17: every call of the contract, through the real dispatcher on a real repository,
// with arbitrary and boundary inputs: the dispatcher never throws, no error carries a stack trace,
// a home path or a control character, a refused input writes no record, and every refusal of an
// object input names its field. The number of runs per call is printed.

const scratch = scratchFolder('bg-contract-fuzz-');
let backend: ConsoleBackend;
let repo = '';
const runsPerCall: Record<string, number> = {};

// Calls that reach the network or start Chromium get fewer runs: each valid input does real work.
const RUNS: Partial<Record<CallName, number>> = { 'remote.test': 15, 'remote.set': 15, 'report.export': 15, 'sync.fetch': 10, 'push.now': 10, 'sync.watch': 10 };
const DEFAULT_RUNS = 60;

/** Keys of a call's input object, when it is one: the fuzzer mixes right names with wrong values. */
function keysOf(name: CallName): string[] {
  const shape = (CALLS[name].input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u001b]0;owned\u0007', '\ud800', '../../etc/passwd', '$(touch /tmp/pwned)', '-rf', 'a'.repeat(70_000), 'bg-20261128-094826-0a1b2c3d', 'ext::sh -c touch% /tmp/pwned', '--upload-pack=touch /tmp/pwned'),
);
const boundaryValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(-1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity), fc.array(hostileString, { maxLength: 3 }), fc.object({ maxDepth: 2 }));

function inputFor(name: CallName): fc.Arbitrary<unknown> {
  const keys = keysOf(name);
  const shaped = keys.length === 0 ? fc.constant({}) : fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), boundaryValue, { maxKeys: keys.length + 1 });
  return fc.oneof(fc.anything(), shaped, boundaryValue);
}


beforeAll(async () => {
  const dir = scratch.fresh('ws');
  repo = path.join(dir, 'evidence');
  const env = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, 'data'), BREAKGLASS_HOST_ID: 'fuzz-host' };
  await runCli(['--repo', repo, 'status'], { env });
  allowRoot(repo);
  backend = await ConsoleBackend.create({ repo, env });
});

afterAll(() => {
  backend?.stop();
  console.log(`contract fuzz, runs per call:\n${Object.entries(runsPerCall).map(([n, r]) => `  ${n.padEnd(24)} ${r}`).join('\n')}`);
});

describe('every contract call, fuzzed through the real dispatcher', () => {
  it.each([...CALL_NAMES])('%s', async (name) => {
    let runs = 0;
    await fc.assert(fc.asyncProperty(inputFor(name), async (input) => {
      runs += 1;
      const before = (await backend.ctx.service.read()).head;
      const envelope = await backend.dispatch(name, input);
      if (envelope.ok) return;
      const e = envelope.error;
      const text = JSON.stringify(e);
      expect(text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(/);
      expect(text).not.toContain(os.homedir() === '/' ? '\u0000' : `${os.homedir()}/`);
      expect(whyNotSafeLine(e.message), e.message).toBeNull();
      expect(e.message.length).toBeLessThan(2_000);
      // A refused call wrote nothing.
      expect((await backend.ctx.service.read()).head).toBe(before);
      // Only an object with keys has a field to name: a bare number, string or array is refused as
      // a whole (the dispatcher's message says what the call takes), and `{}` has no field in it.
      if (e.code === 'invalid-input' && input !== null && typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length > 0) {
        // The field is a path a person can find in their input: a non-empty name, never blank.
        expect(e.field ?? e.problems?.[0]?.path, `${name} refusal of ${text} names no field`).toMatch(/^[^\s].*$/s);
      }
    }), { numRuns: RUNS[name] ?? DEFAULT_RUNS, seed: 12_017 });
    runsPerCall[name] = runs;
  }, 120_000);
});
