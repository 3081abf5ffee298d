import { describe, expect, it } from 'vitest';
import { hoistGlobalOptions } from '../../main/cli/program';
import { urlHasPassword } from '../../main/sync/remote';

describe('global CLI options anywhere before --', () => {
  it('moves --json and --repo in front of the command', () => {
    expect(hoistGlobalOptions(['status', '--json'])).toEqual(['--json', 'status']);
    expect(hoistGlobalOptions(['note', 'text', '--repo', '/r'])).toEqual(['--repo', '/r', 'note', 'text']);
    expect(hoistGlobalOptions(['log', '--repo=/r', '--session', 'x'])).toEqual(['--repo=/r', 'log', '--session', 'x']);
  });
  it('never touches what follows -- (the command exec runs)', () => {
    expect(hoistGlobalOptions(['exec', '--', 'tool', '--json', '--repo', 'x'])).toEqual(['exec', '--', 'tool', '--json', '--repo', 'x']);
    expect(hoistGlobalOptions(['--json', 'exec', '--', 'echo', '--json'])).toEqual(['--json', 'exec', '--', 'echo', '--json']);
  });
});

describe('remote URLs never carry a password', () => {
  it('recognises a password in the URL', () => {
    expect(urlHasPassword('https://ada:hunter2@git.example.com/sec/evidence.git')).toBe(true);
    expect(urlHasPassword('ssh://git:pw@host/repo')).toBe(true);
  });
  it('accepts URLs with a user only, scp-style, and paths', () => {
    for (const u of ['https://git.example.com/sec/evidence.git', 'https://ada@git.example.com/x.git', 'git@git.example.com:sec/evidence.git', '/srv/evidence.git', 'git://127.0.0.1:9418/org.git']) {
      expect(urlHasPassword(u), u).toBe(false);
    }
  });
});
