import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createRequire } from 'node:module';
import { ROOT } from '../support/cli';

// electron-builder validates its configuration against its own schema before it downloads
// anything; we call that same validator offline (issue 3).
const require = createRequire(import.meta.url);
const { validateConfiguration, getConfig } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<Record<string, unknown>>;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder.yml', () => {
  const file = `${ROOT}electron-builder.yml`;
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  it('passes electron-builder\'s own schema', async () => {
    const config = await getConfig(ROOT, file, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator does reject a configuration that is wrong (so the pass above means something)', async () => {
    await expect(validateConfiguration({ ...raw, asar: 'sometimes', notAnOption: 1 }, new DebugLogger(false))).rejects.toThrow(/configuration/i);
  });

  it('flips the fuses the checklist asks for', () => {
    expect(raw.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs only the built output, in asar, for every platform target', () => {
    expect(raw.asar).toBe(true);
    expect(raw.files).toEqual(expect.arrayContaining(['dist/**/*']));
    expect((raw.files as string[]).every((f) => f.startsWith('dist/') || f.startsWith('!dist/') || f === 'package.json')).toBe(true);
    expect((raw.directories as Record<string, string>).buildResources).toBe('build');
    expect((raw.linux as { target: string[] }).target).toEqual(['AppImage', 'deb', 'rpm']);
    expect((raw.mac as { target: string[] }).target).toEqual(['dmg']);
    expect((raw.win as { target: string[] }).target).toEqual(['nsis']);
    expect(raw.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(raw.productName).toBe('Break-Glass Console');
  });

  it('has its icon and Linux desktop entry in build/', () => {
    const png = readFileSync(`${ROOT}build/icon.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512); // width
    const desktop = readFileSync(`${ROOT}build/breakglass-console.desktop`, 'utf8');
    expect(desktop).toMatch(/^\[Desktop Entry\]$/m);
    expect(desktop).toMatch(/^Exec=break-glass-console/m);
  });
});
