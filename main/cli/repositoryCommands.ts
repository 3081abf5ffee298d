import { Option } from 'commander';
import type { ReportFormat } from '../report/produce';
import type { CommandGroup } from './commandGroup';

/** The implementation, imported when one of these commands runs (issue 18). */
const actions = () => import('./repositoryActions');

/** The repository's commands: verify, push, remote, log, report. */
export const registerRepositoryCommands: CommandGroup = (program, { g, action }) => {
  program.command('verify')
    .description('verify every record, chain, commit, signature (against the roster) and the history against the remote; incremental from the last verify unless --full')
    .option('--anchor <commit>', 'the roster\'s trust anchor an auditor pins (the first roster commit)')
    .option('--full', 're-check everything from the trust anchor, never the checkpoint of an earlier verify (git fsck --connectivity-only)')
    .option('--deep', 'with --full: the full git fsck as well (hashes every object)')
    .option('--online', 'fetch from the remote first (only its refs: nothing is recorded), then compare with what it has now')
    .action(action(async (o: { anchor?: string; full?: boolean; deep?: boolean; online?: boolean }) => (await actions()).verify(g(), o)));

  program.command('push')
    .description('fetch every host\'s evidence, then push this host\'s own ref once')
    .action(action(async () => (await actions()).push(g())));

  const remote = program.command('remote').description('the shared remote (origin)');
  remote.command('set')
    .argument('<url>', 'git URL (ssh, https, or a path)')
    .description('set the shared remote; credentials stay with git\'s helpers and ssh agent')
    .action(action(async (url: string) => (await actions()).remoteSet(g(), url)));
  remote.command('show').description('print the remote').action(action(async () => (await actions()).remoteShow(g())));

  program.command('log')
    .description('list sessions, or one session\'s records')
    .option('--session <id>', 'show this session\'s timeline')
    .option('--transcript', 'with --session: the governed shells\' commands and what they showed (issue 17)')
    .action(action(async (o: { session?: string; transcript?: boolean }) => (await actions()).log(g(), o)));

  program.command('report')
    .description('audit report of one session or of a period (procedure.md §10), as Markdown, HTML or PDF')
    .option('--session <id>', 'one session')
    .option('--from <date>', 'first day of the period, YYYY-MM-DD (UTC, on declaration time)')
    .option('--to <date>', 'last day of the period, YYYY-MM-DD (inclusive)')
    .option('--environment <env>', 'only sessions of this environment (period reports)')
    .addOption(new Option('--format <format>', 'md, html or pdf').choices(['md', 'html', 'pdf']).default('md'))
    .option('--out <file>', 'write the report to this file (md and html go to stdout without it)')
    .action(action(async (o: { session?: string; from?: string; to?: string; environment?: string; format: ReportFormat; out?: string }) => (await actions()).report(g(), o)));
};
