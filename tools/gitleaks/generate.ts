// Regenerates app/redaction/gitleaksRules.generated.ts from gitleaks' published default
// ruleset (config/gitleaks.toml), issue 13: "a maintained ruleset, not a hand-grown list".
//
// To update the pinned ruleset (read the gitleaks release notes first):
//   git clone --depth 1 --branch v8.30.1 https://github.com/gitleaks/gitleaks.git /tmp/gitleaks
//   npx tsx tools/gitleaks/generate.ts /tmp/gitleaks/config/gitleaks.toml v8.30.1 "$(git -C /tmp/gitleaks rev-parse HEAD)"
//   npx vitest run test/unit/redaction*.test.ts   # recall and precision corpora must stay at 100%
// Any RE2 syntax or rule field this script does not understand stops it with an error, so a
// new release is read, not silently mistranslated. gitleaks is MIT-licensed (Zachary Rice);
// the licence is reproduced at the top of the generated module.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { startsWithKeyword } from './anchor';
import { re2ToJs } from './re2ToJs';

const OUT = path.resolve(import.meta.dirname, '../../app/redaction/gitleaksRules.generated.ts');

const MIT = `MIT License

Copyright (c) 2019 Zachary Rice

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

type Toml = Record<string, unknown>;

const RULE_KEYS = new Set(['id', 'description', 'regex', 'entropy', 'keywords', 'path', 'secretGroup', 'allowlists', 'tags']);
const ALLOWLIST_KEYS = new Set(['description', 'condition', 'regexTarget', 'regexes', 'stopwords', 'paths', 'commits']);

// gitleaks' generic rules open with a lazy `[\w.-]{0,50}?` that only widens the match to the
// left. In a backtracking engine it multiplies the work at every position by 50, so it is cut
// here and the runtime widens the match by the same characters (used by "match" allowlists).
const PREFIX = '[\\w.-]{0,50}?';

function stripPrefix(re: string): { re: string; prefix: number } {
  if (re.startsWith(`(?i)${PREFIX}`)) return { re: `(?i)${re.slice(4 + PREFIX.length)}`, prefix: 50 };
  if (re.startsWith(`${PREFIX}(?i:${PREFIX}`)) return { re: `(?i:${re.slice(2 * PREFIX.length + 4)}`, prefix: 100 };
  return { re, prefix: 0 };
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${where}: expected an array of strings`);
  return v as string[];
}

function checkKeys(obj: Toml, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) throw new Error(`${where}: unknown field "${k}" (read the release notes, then teach this script)`);
}

interface OutAllowlist {
  target: 'secret' | 'match' | 'line';
  and: boolean;
  regexes: string[];
  stopwords: string[];
}

// Allowlists keyed on file paths or commits never apply to terminal text (there is no path):
// an OR list keeps only its regexes and stopwords; an AND list with a path or commit can never
// be satisfied and is dropped, as gitleaks itself would never allow by it here.
function convertAllowlist(a: Toml, where: string): OutAllowlist | null {
  checkKeys(a, ALLOWLIST_KEYS, where);
  const and = a['condition'] === 'AND';
  if (a['condition'] !== undefined && a['condition'] !== 'AND' && a['condition'] !== 'OR') throw new Error(`${where}: condition ${String(a['condition'])}`);
  const hasPathOrCommit = strings(a['paths'], where).length > 0 || strings(a['commits'], where).length > 0;
  if (and && hasPathOrCommit) return null;
  const target = (a['regexTarget'] ?? 'secret') as OutAllowlist['target'];
  if (!['secret', 'match', 'line'].includes(target)) throw new Error(`${where}: regexTarget ${target}`);
  const regexes = strings(a['regexes'], where).map((r) => re2ToJs(r).source);
  const stopwords = strings(a['stopwords'], where).map((w) => w.toLowerCase());
  if (regexes.length === 0 && stopwords.length === 0) return null;
  return { target, and, regexes, stopwords };
}

function main(): void {
  const [tomlPath, version, commit] = process.argv.slice(2);
  if (tomlPath === undefined || version === undefined || !/^v\d+\.\d+\.\d+$/.test(version)) {
    throw new Error('usage: tsx tools/gitleaks/generate.ts <gitleaks>/config/gitleaks.toml vX.Y.Z [commit]');
  }
  const config = parse(readFileSync(tomlPath, 'utf8')) as Toml;
  const global = convertAllowlist(config['allowlist'] as Toml, 'allowlist');
  const rules: string[] = [];
  const skipped: string[] = [];
  for (const [n, raw] of (config['rules'] as Toml[]).entries()) {
    const id = String(raw['id']);
    const where = `rules[${n}] ${id}`;
    checkKeys(raw, RULE_KEYS, where);
    if (typeof raw['regex'] !== 'string' || raw['path'] !== undefined) {
      skipped.push(id); // path rules need a file name; terminal output has none
      continue;
    }
    const { re, prefix } = stripPrefix(raw['regex']);
    const t = re2ToJs(re);
    const secretGroup = raw['secretGroup'] === undefined ? undefined : Number(raw['secretGroup']);
    if (secretGroup !== undefined && secretGroup > t.groups) throw new Error(`${where}: secretGroup ${secretGroup} > ${t.groups} groups`);
    const allowlists = ((raw['allowlists'] as Toml[] | undefined) ?? [])
      .map((a, i) => convertAllowlist(a, `${where} allowlists[${i}]`))
      .filter((a): a is OutAllowlist => a !== null);
    const rule = {
      id,
      source: t.source,
      keywords: strings(raw['keywords'], where).map((k) => k.toLowerCase()),
      ...(raw['entropy'] === undefined ? {} : { entropy: Number(raw['entropy']) }),
      ...(secretGroup === undefined ? {} : { secretGroup }),
      ...(prefix === 0 ? {} : { prefix }),
      ...(prefix !== 0 && startsWithKeyword(re, strings(raw['keywords'], where).map((k) => k.toLowerCase())) ? { anchored: true } : {}),
      ...(allowlists.length === 0 ? {} : { allowlists }),
    };
    rules.push(`  ${JSON.stringify(rule)},`);
  }
  const header = [
    '// GENERATED by tools/gitleaks/generate.ts: do not edit. Update by re-running it (see that file).',
    `// Source: gitleaks ${version} config/gitleaks.toml${commit ? ` (commit ${commit})` : ''}, https://github.com/gitleaks/gitleaks`,
    `// ${rules.length} rules translated from RE2 to JavaScript; skipped (they need a file path): ${skipped.join(', ') || 'none'}.`,
    '//',
    ...MIT.split('\n').map((l) => `// ${l}`.trimEnd()),
    "import type { GitleaksAllowlist, GitleaksRule } from './gitleaksTypes';",
    '',
    '/** The gitleaks release these rules were taken from. */',
    `export const GITLEAKS_VERSION = ${JSON.stringify(version)};`,
    '',
    '/** gitleaks\' global allowlist (regexes and stopwords; its path entries do not apply to terminal text). */',
    `export const GITLEAKS_GLOBAL_ALLOWLIST: GitleaksAllowlist | null = ${JSON.stringify(global)};`,
    '',
    '/** gitleaks\' default rules, in the file\'s order. */',
    'export const GITLEAKS_RULES: readonly GitleaksRule[] = [',
    ...rules,
    '];',
    '',
  ];
  writeFileSync(OUT, header.join('\n'));
  console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${rules.length} rules, skipped ${skipped.length} (${skipped.join(', ')})`);
}

main();
