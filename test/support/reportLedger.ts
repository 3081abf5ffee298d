import { declarationTemplate, type Declaration } from '../../app/declaration';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerEntry, LedgerView } from '../../app/ports';
import type { ReportInput } from '../../app/report/model';
import type { ReportScope } from '../../app/contract';
import { ChainBuilder } from './records';

// Sealed ledgers for report tests (pure, no git): sessions with unique commit ids, a view, an input.

export const NOW = Date.parse('2026-11-28T12:00:00.000Z');
export const POLICY_SHA = 'b'.repeat(64);
let commitCounter = 0;
/** A distinct 40-hex commit id per record, as git gives. */
const nextCommit = () => (++commitCounter).toString(16).padStart(8, '0').repeat(5);

export interface SessionSpec {
  id: string;
  at: string;
  incident: string;
  environment?: string;
  close?: { followUps?: Array<{ action: string; owner: string; due?: string }> };
  reviews?: Array<{ outcome: 'justified' | 'justified-with-findings' | 'not-justified'; findings?: string; followUps?: Array<{ action: string; owner: string; due?: string }>; supersedesPrevious?: boolean }>;
  commands?: string[][];
  /** Output recorded for the command at the same index. */
  outputs?: string[];
  note?: string;
  /** Fields of the declaration that differ from the policy's template. */
  declaration?: Partial<Declaration>;
}

/** One session's sealed records with unique commit ids (pure, no git). */
export function session(spec: SessionSpec): LedgerEntry[] {
  const t0 = Date.parse(spec.at);
  const b = new ChainBuilder(spec.id, t0);
  const iso = (min: number) => new Date(t0 + min * 60_000).toISOString();
  b.add({
    type: 'declared', at: iso(0), redactions: 0,
    payload: {
      declaration: { ...declarationTemplate(DEFAULT_POLICY), ...spec.declaration, incidentId: spec.incident, environment: spec.environment ?? 'production', scopes: ['state-lock', 'diagnostics'], operator: b.operator },
      expiresAt: iso(30), policySha256: POLICY_SHA, preconditions: [],
    },
  } as never);
  for (const [i, argv] of (spec.commands ?? []).entries()) {
    const output = spec.outputs?.[i] ?? '';
    b.add({
      type: 'action', at: iso(2), redactions: 0,
      payload: { kind: 'command', argv, shell: false, cwd: '/srv', startedAt: iso(2), endedAt: iso(3), exitCode: 0, signal: null, stoppedBy: null, via: 'cli-exec', outputSha256: 'f'.repeat(64), outputBytes: output.length, output, outputTruncated: false },
    } as never);
  }
  if (spec.note) b.add({ type: 'note', at: iso(4), redactions: 0, payload: { text: spec.note } } as never);
  if (spec.close) {
    b.add({
      type: 'closed', at: iso(20), redactions: 0,
      payload: {
        closure: { summary: 'Lock released, pipeline re-run.', reversalSteps: ['Re-enabled the lock'], controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' }, followUps: spec.close.followUps ?? [] },
        reviewDueAt: new Date(t0 + 20 * 60_000 + 5 * 86_400_000).toISOString(),
      },
    } as never);
  }
  const reviewer = { name: 'Grace Hopper', email: 'grace@example.com' };
  for (const r of spec.reviews ?? []) {
    const previous = [...b.records()].reverse().find((x) => x.type === 'reviewed');
    b.add({
      type: 'reviewed', at: iso(60 + b.entries.length), redactions: 0, actor: reviewer,
      payload: { review: { reviewer, outcome: r.outcome, drill: false, findings: r.findings ?? '', followUps: r.followUps ?? [], ...(r.supersedesPrevious && previous ? { supersedes: previous.hash } : {}) } },
    } as never);
  }
  return b.entries.map((e) => ({ ...e, commit: nextCommit() }));
}

export function view(sessions: LedgerEntry[][]): LedgerView {
  return {
    head: 'e'.repeat(40),
    branch: 'main',
    sessions: new Map(sessions.map((s) => [s[0]!.record.sessionId, s])),
    unreadable: [],
    policy: { ok: true, policy: DEFAULT_POLICY, sha256: POLICY_SHA, source: 'repository' },
  };
}

export function input(v: LedgerView, scope: ReportScope, extra: Partial<ReportInput> = {}): ReportInput {
  return { view: v, scope, nowMs: NOW, repository: { path: '/srv/evidence', remote: 'https://bot:ghp_abcdefghijklmnopqrstuvwxyz0123456789@git.example.com/sec/evidence.git' }, ...extra };
}

