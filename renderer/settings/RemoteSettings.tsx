import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorInfo, RemoteTest } from '../../app/contract';
import { formatLocalTime } from '../format';
import { useApi } from '../stores/context';
import { settle } from '../stores/bridge';
import { Field, errorFor, fieldControl, formError } from '../forms/Field';
import { MachineInput } from '../forms/MachineInput';

interface RemoteNow {
  url: string | null;
  branch: string;
  remoteBranch: string;
}

/** What each test stage means to the person who must fix it. */
const STAGES: Record<RemoteTest['stage'], { title: string; next: string }> = {
  reachable: { title: 'Reachable', next: 'Save the remote to push evidence there.' },
  unreachable: { title: 'Unreachable', next: 'Nothing answered at this address: check the host name, port and path, the network or VPN, then test again.' },
  auth: { title: 'Authentication failed', next: 'The remote answered but refused the credentials: set them up in git’s credential helper or your ssh agent (not here), then test again.' },
  'not-a-repository': { title: 'Not a repository', next: 'The address answered, but there is no git repository there: check the path, or ask for the shared evidence repository to be created.' },
  'no-write-access': { title: 'No write access', next: 'This account can read the repository but a push would be refused: ask for write access. Until then evidence stays safe on this host.' },
  'invalid-url': { title: 'Invalid URL', next: 'Correct the URL and test again.' },
};

type Tested = { url: string; at: number; result: RemoteTest };

/** A URL as repeated back on screen: a password typed into it (which main refuses) is not shown again. */
function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^/@\s]*@/i, '$1:•••@');
}

/**
 * The shared remote (issue 6): where evidence is pushed and other hosts' records come from.
 * "Test connection" reads the remote and dry-runs a push, changing nothing; "Save remote" sets it.
 * Credentials never pass through here: git's credential helper and the ssh agent hold them.
 */
export function RemoteSettings() {
  const api = useApi();
  const [current, setCurrent] = useState<RemoteNow | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [url, setUrl] = useState('');
  const [remoteBranch, setRemoteBranch] = useState('');
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<Tested | null>(null);
  const [testError, setTestError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null);
  const [saved, setSaved] = useState<{ url: string; remoteBranch: string } | null>(null);

  useEffect(() => {
    let live = true;
    void settle(api.remote.get({})).then((r) => {
      if (!live) return;
      if (!r.ok) return setLoadError(r.error);
      setCurrent(r.value);
      // The fields start from what is configured; whatever the person types afterwards is never replaced.
      setUrl((typed) => typed || (r.value.url ?? ''));
      setRemoteBranch((typed) => typed || r.value.remoteBranch);
    });
    return () => {
      live = false;
    };
  }, [api]);

  const test = async () => {
    if (testing) return;
    const target = url.trim();
    setTesting(true);
    setTestError(null);
    const r = await settle(api.remote.test({ url: target }));
    setTesting(false);
    if (r.ok) setTested({ url: target, at: Date.now(), result: r.value });
    else {
      setTested(null);
      setTestError(r.error.field ? r.error : { ...r.error, field: 'url' });
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setSaveError(null);
    setSaved(null);
    const branch = remoteBranch.trim();
    const r = await settle(api.remote.set({ url: url.trim(), ...(branch ? { remoteBranch: branch } : {}) }));
    setSaving(false);
    if (!r.ok) return setSaveError(r.error);
    setSaved(r.value);
    setCurrent((c) => ({ branch: c?.branch ?? 'main', url: r.value.url, remoteBranch: r.value.remoteBranch }));
  };

  const urlError = errorFor(saveError, 'url') ?? errorFor(testError, 'url');
  const branchError = errorFor(saveError, 'remoteBranch');
  const otherError = formError(saveError, ['url', 'remoteBranch']) ?? formError(testError, ['url']);
  const localBranch = current?.branch ?? 'main';

  return (
    <section className="card st-card" aria-labelledby="st-remote-h">
      <h3 id="st-remote-h">Shared remote</h3>
      <p className="st-current" data-testid="current-remote">
        {loadError ? (
          <span className="st-error">The remote could not be read: {loadError.message}</span>
        ) : current === null ? (
          'Reading the configured remote…'
        ) : current.url ? (
          <>
            Evidence is pushed to <span className="mono break">{current.url}</span>, branch <span className="mono">{current.remoteBranch}</span> (local branch <span className="mono">{current.branch}</span>).
          </>
        ) : (
          'No remote: local only. Evidence is committed on this host and not shared until a remote is saved.'
        )}
      </p>
      <form className="st-form" onSubmit={(e) => void save(e)} noValidate>
        <Field
          id="st-remote-url"
          label="Remote URL"
          hint={
            <>
              ssh (<span className="mono">git@git.example.com:sec/evidence.git</span>), https (<span className="mono">https://git.example.com/sec/evidence.git</span>) or a folder path.
            </>
          }
          error={urlError}
        >
          <MachineInput
            {...fieldControl('st-remote-url', urlError)}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        <Field id="st-remote-branch" label="Remote branch" hint={<>The branch on the remote that evidence is pushed to and fetched from. Default: the local branch, <span className="mono">{localBranch}</span>.</>} error={branchError}>
          <MachineInput
            {...fieldControl('st-remote-branch', branchError)}
            className="st-short"
            value={remoteBranch}
            placeholder={localBranch}
            onChange={(e) => setRemoteBranch(e.target.value)}
          />
        </Field>
        <p className="st-note">
          Credentials stay with git’s credential helper and your ssh agent; the console never stores a password or key. A URL with a password in it is refused.
        </p>
        <div className="st-actions">
          <button type="button" className="button button-secondary" aria-disabled={testing} onClick={() => void test()}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="button button-primary" aria-disabled={saving}>
            {saving ? 'Saving…' : 'Save remote'}
          </button>
        </div>
        <p className="st-hint">Testing reads the remote and asks whether a push would be accepted (a dry run): it changes nothing, here or on the remote.</p>
        {otherError && (
          <p className="st-error" role="alert">
            {otherError}
          </p>
        )}
        <div role="status" aria-live="polite" className="st-live">
          {tested && <TestResult tested={tested} />}
          {saved && (
            <p className="callout callout--ok st-saved">
              Saved: evidence is pushed to <span className="mono break">{saved.url}</span>, branch <span className="mono">{saved.remoteBranch}</span>. The push state in the header follows it.
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

function TestResult({ tested }: { tested: Tested }) {
  const { result } = tested;
  const words = STAGES[result.stage];
  return (
    <div className={`stack st-test st-test--${result.ok ? 'ok' : 'failed'}`} data-testid="remote-test-result" data-stage={result.stage}>
      <p className="st-test-title">
        <strong>{words.title}</strong>
        {result.ok ? '' : ': the connection test failed.'}
      </p>
      <p className="st-test-detail">{result.detail}</p>
      <p>{words.next}</p>
      <p className="st-hint">
        Tested <span className="mono break">{withoutPassword(tested.url)}</span> at {formatLocalTime(new Date(tested.at).toISOString())}. Nothing was changed by the test.
      </p>
    </div>
  );
}
