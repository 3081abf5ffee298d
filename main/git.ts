import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { BreakGlassError } from '../app/errors';
import { parseConfigList, refusedKeyIn } from './gitConfigList';

/**
 * The one place that runs git (style.md "What we take" 6). Every call names its caller and the
 * exit codes that count as success; anything else becomes a typed GitFailure. One simple-git
 * instance per repository with `maxConcurrentProcesses: 1`, so calls on a repository are serial;
 * stream()/bytes() (reads whose output is parsed as bytes: the verifier's, and opening a
 * repository's) spawn git directly, with the same arguments, checks and environment, beside that
 * queue. simple-git is loaded on the first run() (issue 18: a command that only reads through
 * stream()/bytes(), `env`, never loads it).
 */

/** simple-git's module, loaded once, on the first run(). */
let simpleGitModule: Promise<typeof import('simple-git')> | null = null;

/** A git command that exited with a code its caller did not expect (or timed out). */
export class GitFailure extends Error {
  constructor(
    readonly caller: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    /** Whether the message quotes stderr (the streamed path never does: its message is caller, command and code only). */
    echo = true,
  ) {
    super(`${caller}: git ${args[0] ?? ''} ${exitCode === null ? 'did not finish (timed out or was killed)' : `exited ${exitCode}`}${echo && stderr ? `: ${firstLines(stderr)}` : ''}`);
    this.name = 'GitFailure';
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' | ');
}

/** Options of one git call. */
export interface GitCallOptions {
  /** Bytes written to git's stdin (fast-import, cat-file --batch, hash-object --stdin). */
  input?: Buffer | string;
  /** Exit codes that count as success (default [0]). */
  ok?: readonly number[];
  /** Hard timeout in milliseconds for network calls: a blackholed address otherwise hangs git for minutes (issue 2). */
  timeoutMs?: number;
}

/** What a git call returned. */
export interface GitResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
  text(): string;
}

/** Environment every git child gets: never prompt, never page, stable output. */
const BASE_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  // ssh: no host-key or password prompt can block a background push. The variable also overrides
  // any core.sshCommand a repository's own config names (issue 12 item 15).
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=10',
  // Set (even empty), it makes git ignore every core.gitProxy in config: for core.gitProxy the
  // first value read wins, so a `-c` could not override a repository's own.
  GIT_PROXY_COMMAND: '',
};

/**
 * Configuration that makes git run a program, overridden on EVERY call (issue 12 item 15): an
 * evidence repository may be a copy received from someone else (an auditor's clone, a commander's
 * fetch), and its own `.git/config` must never run code on the machine that reads it. `-c` is read
 * last, so for these single-valued keys it wins over the repository's config.
 */
export const NEUTRALISED_CONFIG: readonly string[] = [
  'core.fsmonitor=false',
  // No hook ever runs: /dev/null is not a folder, so git finds no hook in it.
  'core.hooksPath=/dev/null',
  'core.askPass=',
  'core.alternateRefsCommand=',
  'diff.external=',
  'gpg.program=gpg',
  'gpg.ssh.program=ssh-keygen',
  'gpg.x509.program=gpgsm',
  'gpg.ssh.defaultKeyCommand=',
  'protocol.ext.allow=never',
  'remote.origin.uploadpack=git-upload-pack',
  'remote.origin.receivepack=git-receive-pack',
];

/**
 * `-c` settings callers may pass themselves; anything else in a caller's arguments is refused.
 * `remote.origin.fetch` only maps a remote ref onto a tracking ref (a push moves it: main/sync/transfer.ts).
 */
const CALLER_CONFIG = /^(core\.abbrev|user\.name|user\.email|remote\.origin\.fetch)=/;

/** The repository's own config names a program to run: refused before any git command runs there. */
export class UnsafeRepositoryConfig extends BreakGlassError {
  constructor(readonly key: string, readonly dir: string) {
    super('refused', `The repository's own git config sets ${key}, which can make git run a program. Breakglass never runs programs a repository names: remove it (git config --unset-all ${key}) or use a clean clone.`);
    this.name = 'UnsafeRepositoryConfig';
  }
}

/** Runs git in one repository, serially, through simple-git. */
export class Git {
  /** The main simple-git instance, made on the first run(). */
  private mainGit: Promise<SimpleGit> | null = null;
  private readonly inputs = new Map<string, Buffer | string>();
  private readonly collected = new Map<string, { out: Buffer[]; err: Buffer[] }>();
  private readonly exitCodes = new Map<string, number | null>();
  private nextId = 0;
  private readonly slowGit: Map<number, Promise<SimpleGit>> = new Map();

  /** The environment the main instance's children get (fixed when it is made). */
  private readonly childEnv: Record<string, string>;

  constructor(readonly dir: string, private readonly env: Record<string, string> = {}) {
    this.childEnv = { ...inheritedEnv(), ...BASE_ENV, ...this.env };
  }

  private async instance(timeoutMs?: number): Promise<SimpleGit> {
    const { simpleGit } = await (simpleGitModule ??= import('simple-git'));
    // Per instance: its tasks run one at a time, so the finished task is the last one spawned.
    let current: string | null = null;
    const g = simpleGit({
      baseDir: this.dir,
      maxConcurrentProcesses: 1,
      // simple-git waits 50 ms after exit for silent commands by default; records must not pay that.
      completion: { onClose: true, onExit: 0 },
      ...(timeoutMs ? { timeout: { block: timeoutMs, stdOut: false, stdErr: false } } : {}),
      // simple-git guards these keys against injection through arguments. We set them ourselves, to
      // constants (BASE_ENV, NEUTRALISED_CONFIG), and check every caller's `-c` against CALLER_CONFIG.
      unsafe: {
        allowUnsafeSshCommand: true, allowUnsafeFsMonitor: true, allowUnsafeHooksPath: true, allowUnsafeAskPass: true,
        allowUnsafeDiffExternal: true, allowUnsafeGpgProgram: true, allowUnsafeProtocolOverride: true, allowUnsafePack: true,
        allowUnsafeGitProxy: true,
      },
      // simple-git strips guarded variables (GIT_*, EDITOR, PAGER…) unless named; these are ours, constant.
      allowEnvironment: [...Object.keys(BASE_ENV), ...Object.keys(this.env)],
      input: (commands: readonly string[]) => {
        const id = callIdOf(commands);
        return id === null ? undefined : this.inputs.get(id);
      },
      // Called once per finished task, before the next one is spawned (calls are serial), so the
      // task it belongs to is `current`. Returning undefined lets us judge exit codes ourselves.
      errors: (_error, result) => {
        if (current !== null) this.exitCodes.set(current, result.exitCode);
        return undefined;
      },
    });
    g.env(timeoutMs ? { ...inheritedEnv(), ...BASE_ENV, ...this.env } : this.childEnv);
    g.outputHandler((_cmd, stdout, stderr, args) => {
      const id = callIdOf(args);
      if (id === null) return;
      current = id;
      const bucket = { out: [] as Buffer[], err: [] as Buffer[] };
      this.collected.set(id, bucket);
      stdout.on('data', (d: Buffer) => bucket.out.push(d));
      stderr.on('data', (d: Buffer) => bucket.err.push(d));
    });
    return g;
  }

  /** The repository's own config, checked once per instance (null until checked). */
  private localConfigChecked: Promise<void> | null = null;
  /** What that check read: each key (lower-cased as git lists it) with its values in file order; null when it could not be read. */
  private localConfigRead: ReadonlyMap<string, readonly string[]> | null = null;

  /**
   * Refuses a repository whose own config names programs we cannot override one by one
   * (gitConfigList.ts REFUSED_LOCAL_KEYS). Reading config runs nothing; outside a repository (before `init`) there is
   * no local config to read. Names and values are read in the one process (issue 18: the caller
   * that needs a value, localConfig(), spares a `git config` of its own).
   */
  private checkLocalConfig(): Promise<void> {
    this.localConfigChecked ??= (async () => {
      // Spawned directly, as stream() does: a read, before any other call of this instance.
      const out: Buffer[] = [];
      const exitCode = await this.spawnGit([...neutralisedArgs(), 'config', '--local', '--includes', '--list', '-z'], '', (d) => out.push(d), () => {});
      const read = parseConfigList(Buffer.concat(out).toString('utf8'));
      const refused = refusedKeyIn(read);
      if (refused !== null) throw new UnsafeRepositoryConfig(refused, this.dir);
      // Outside a repository git exits 128 having listed nothing: no snapshot to keep.
      if (exitCode === 0) this.localConfigRead = read;
    })();
    return this.localConfigChecked;
  }

  /**
   * The repository's own config (`git config --local --list`) as this instance's safety check read
   * it, before its first git call: a snapshot, never refreshed (what this process sets later is not
   * in it). Null when there was no local config to read (outside a repository); throws
   * UnsafeRepositoryConfig as every call on a refused repository does.
   */
  async localConfig(): Promise<ReadonlyMap<string, readonly string[]> | null> {
    await this.checkLocalConfig();
    return this.localConfigRead;
  }

  /** Runs `git <args>` for `caller`; resolves when git exits with an accepted code, else throws GitFailure. */
  async run(caller: string, args: readonly string[], options: GitCallOptions = {}): Promise<GitResult> {
    checkCallerConfig(caller, args);
    await this.checkLocalConfig();
    const id = String(++this.nextId);
    if (options.input !== undefined) this.inputs.set(id, options.input);
    const git = await (options.timeoutMs ? this.timed(options.timeoutMs) : (this.mainGit ??= this.instance()));
    let thrown: unknown = null;
    try {
      await git.raw(['-c', `breakglass.call=${id}`, ...neutralisedArgs(), ...args]);
    } catch (e) {
      thrown = e;
    }
    const bucket = this.collected.get(id) ?? { out: [], err: [] };
    const exitCode = this.exitCodes.has(id) ? this.exitCodes.get(id)! : null;
    this.inputs.delete(id);
    this.collected.delete(id);
    this.exitCodes.delete(id);
    const stderr = Buffer.concat(bucket.err).toString('utf8');
    const ok = options.ok ?? [0];
    if (thrown !== null || exitCode === null || !ok.includes(exitCode)) {
      throw new GitFailure(caller, args, thrown !== null && exitCode === 0 ? null : exitCode, stderr || (thrown instanceof Error ? thrown.message : ''));
    }
    const stdout = Buffer.concat(bucket.out);
    return { stdout, stderr, exitCode, text: () => stdout.toString('utf8') };
  }

  /**
   * Runs `git <args>` for `caller` with stdout handed to `onData` chunk by chunk as git writes it:
   * bytes, never decoded or gathered (the verifier's hot reads, issue 15). Same arguments, config
   * checks and environment as run(); spawned directly (no shell), so it is not queued behind this
   * instance's simple-git calls — for reads. Resolves on an accepted exit code; otherwise, or when
   * `onData` throws (git is then killed), rejects: a GitFailure whose message names caller, command
   * and code but never quotes git's stderr (kept, capped, on `stderr`).
   */
  async stream(caller: string, args: readonly string[], options: Pick<GitCallOptions, 'input' | 'ok'>, onData: (chunk: Buffer) => void): Promise<{ exitCode: number }> {
    checkCallerConfig(caller, args);
    await this.checkLocalConfig();
    const err: Buffer[] = [];
    let errBytes = 0;
    const exitCode = await this.spawnGit([...neutralisedArgs(), ...args], options.input ?? '', onData, (d) => {
      if (errBytes < STDERR_CAP) err.push(d);
      errBytes += d.length;
    });
    if (exitCode === null || !(options.ok ?? [0]).includes(exitCode)) {
      throw new GitFailure(caller, args, exitCode, Buffer.concat(err).subarray(0, STDERR_CAP).toString('utf8'), false);
    }
    return { exitCode };
  }

  /**
   * Spawns `git <args>` here (no shell, this instance's environment), stdout to `onData` as it
   * comes, stderr to `onErr`; resolves with the exit code (null: not started, or killed). When
   * `onData` throws, git is killed and the promise rejects with that error.
   */
  private async spawnGit(args: readonly string[], input: Buffer | string, onData: (chunk: Buffer) => void, onErr: (chunk: Buffer) => void): Promise<number | null> {
    const child = spawn('git', args, { cwd: this.dir, env: this.childEnv, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let thrown: { e: unknown } | null = null;
    child.stdout.on('data', (d: Buffer) => {
      if (thrown) return;
      try {
        onData(d);
      } catch (e) {
        thrown = { e };
        child.kill();
      }
    });
    child.stderr.on('data', onErr);
    child.stdin.on('error', () => undefined); // git may exit before reading all of stdin; its exit code says what happened
    child.stdin.end(input);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(null));
      child.on('close', (code) => resolve(code));
    });
    if (thrown) throw (thrown as { e: unknown }).e;
    return exitCode;
  }

  /** stream() gathered: git's stdout as one Buffer (one copy, no string). */
  async bytes(caller: string, args: readonly string[], options: Pick<GitCallOptions, 'input' | 'ok'> = {}): Promise<Buffer> {
    const out: Buffer[] = [];
    await this.stream(caller, args, options, (d) => out.push(d));
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Convenience: the trimmed text output. */
  async text(caller: string, args: readonly string[], options: GitCallOptions = {}): Promise<string> {
    return (await this.run(caller, args, options)).text().trim();
  }

  /**
   * A read's trimmed text, spawned directly like bytes(). simple-git waits a fixed 50 ms after a
   * command that printed nothing, whatever its completion settings: a `for-each-ref` that matches
   * no ref (a host with no own ref yet, no tracking refs) paid it on every fetch and push, and under
   * a test's fake clock that wait never ended.
   */
  async readText(caller: string, args: readonly string[]): Promise<string> {
    return (await this.bytes(caller, args)).toString('utf8').trim();
  }

  /**
   * Moves refs in one transaction (`update-ref --stdin` with start/prepare/commit). An `old` value
   * makes it a compare-and-swap; the all-zero id means "must not exist". The transaction verbs make
   * git answer on stdout, which also spares the fixed wait simple-git adds after a silent command.
   */
  async updateRefs(caller: string, updates: ReadonlyArray<{ ref: string; next: string; old?: string }>, options: GitCallOptions = {}): Promise<void> {
    const lines = ['start', ...updates.map((u) => `update ${u.ref} ${u.next}${u.old ? ` ${u.old}` : ''}`), 'prepare', 'commit', ''];
    await this.run(caller, ['update-ref', '--stdin'], { ...options, input: lines.join('\n') });
  }

  /**
   * A key that changes whenever the configuration git reads in this repository (`gitDir`) may
   * have: the bytes of the repository's own config and of the user's global files, as this
   * instance's children find them (the system file is never read: GIT_CONFIG_NOSYSTEM). Null when
   * those files alone cannot tell: an include names more files; a linked worktree keeps its config
   * elsewhere. A caller may keep what it read from config for as long as the key stays the same.
   */
  async configFingerprint(gitDir: string): Promise<string | null> {
    const home = this.childEnv.HOME || null;
    const xdg = this.childEnv.XDG_CONFIG_HOME || (home ? path.join(home, '.config') : null);
    const files = [path.join(gitDir, 'config'), path.join(gitDir, 'config.worktree'), xdg ? path.join(xdg, 'git', 'config') : null, home ? path.join(home, '.gitconfig') : null];
    const key = createHash('sha256');
    if ((await readIfPresent(path.join(gitDir, 'commondir'))) !== null) return null;
    for (const file of files) {
      if (file === null) continue;
      const text = await readIfPresent(file);
      if (text === undefined || (text !== null && /^\s*\[\s*include/im.test(text))) return null;
      key.update(`${file}\0${text === null ? '-' : `+${text}`}\0`);
    }
    return key.digest('hex');
  }

  private timed(ms: number): Promise<SimpleGit> {
    let g = this.slowGit.get(ms);
    if (!g) {
      g = this.instance(ms);
      this.slowGit.set(ms, g);
    }
    return g;
  }
}

/** A file's text; null when it does not exist, undefined when it cannot be read. */
async function readIfPresent(file: string): Promise<string | null | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : undefined;
  }
}

/** Refuses a caller's `-c` that CALLER_CONFIG does not list. */
function checkCallerConfig(caller: string, args: readonly string[]): void {
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '-c' && !CALLER_CONFIG.test(args[i + 1]!)) throw new Error(`${caller}: git -c ${args[i + 1]?.split('=')[0]} is not a setting callers may pass (main/git.ts CALLER_CONFIG).`);
  }
}

/** Bytes of stderr a streamed call keeps. */
const STDERR_CAP = 64 * 1024;

function neutralisedArgs(): string[] {
  return NEUTRALISED_CONFIG.flatMap((c) => ['-c', c]);
}

function callIdOf(args: readonly string[]): string | null {
  for (const a of args) if (a.startsWith('breakglass.call=')) return a.slice('breakglass.call='.length);
  return null;
}

/**
 * What git children inherit: an allowlist, not the whole environment. An inherited GIT_DIR,
 * GIT_INDEX_FILE, EDITOR or PAGER must never redirect or hook the evidence repository's git;
 * HOME / XDG_CONFIG_HOME keep the user's own git config and credential helpers, SSH_AUTH_SOCK the agent.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TMP', 'TEMP', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK', 'SYSTEMROOT', 'APPDATA', 'USERPROFILE', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of INHERITED) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}
