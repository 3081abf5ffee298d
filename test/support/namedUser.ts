import { spawnSync } from 'node:child_process';

/** A named unprivileged OS user created for a test (root only), removed with `remove()`. */
export interface NamedUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  remove(): void;
}

/** Creates a user with a home folder, as an operator on an admin host would be (needs root). */
export function createNamedUser(prefix: string): NamedUser {
  const name = `${prefix}${Math.floor(Math.random() * 1e6)}`;
  const add = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`useradd failed: ${add.stderr}`);
  const info = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim().split(':');
  return { name, uid: Number(info[2]), gid: Number(info[3]), home: info[5] as string, remove: () => void spawnSync('userdel', ['-r', name], { encoding: 'utf8' }) };
}
