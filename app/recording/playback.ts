import type { EvidenceRecord } from '../records';
import { indexCommands, type CommandIndex } from './commandIndex';
import { asciicastOf, recordingsOf } from './evidence';
import { renderTranscript } from './transcript';

// What a person is shown of a session's governed shells (issue 17, "Playback"): each recording's
// asciicast (for the console's player), its command index (the shell's own claim, checked against
// the recording) and the text it rendered to (search, the report, `breakglass log --transcript`).

/** One recording, ready to play back and read. */
export interface RecordingPlayback {
  recordingId: string;
  shell: string;
  via: 'cli-shell' | 'console';
  startedAt: string;
  /** How it ended, or null while it is running (or until a crash is recovered). */
  ended: { at: string; how: 'exit' | 'expiry' | 'close' | 'crash-recovered'; exitCode: number | null } | null;
  containment: { kind: 'pid-namespace' | 'process-group'; contained: boolean; reason?: string | undefined };
  /** The asciicast v2 file as committed (redacted). */
  asciicast: string;
  /** The command index; null when the shell had no integration or its nonce is unknown (crash-recovered). */
  commands: CommandIndex | null;
  /** The rendered text of the normal screen and its scrollback. */
  transcript: string;
}

/** The recordings of a session, rendered; `withTranscript: false` leaves the text empty (cheaper). */
export async function playbackOf(records: readonly EvidenceRecord[], options: { withTranscript?: boolean } = {}): Promise<RecordingPlayback[]> {
  const out: RecordingPlayback[] = [];
  for (const rec of recordingsOf(records)) {
    if (!rec.started) continue;
    const asciicast = asciicastOf(rec);
    const nonce = rec.ended?.payload.markNonce ?? null;
    const renderable = rec.chunks.length > 0;
    out.push({
      recordingId: rec.recordingId,
      shell: rec.started.payload.shell,
      via: rec.started.payload.via,
      startedAt: rec.started.at,
      ended: rec.ended ? { at: rec.ended.at, how: rec.ended.payload.how, exitCode: rec.ended.payload.exitCode } : null,
      containment: rec.started.payload.containment,
      asciicast,
      commands: renderable && nonce !== null && rec.started.payload.integration !== null ? await indexCommands(asciicast, { nonce }) : null,
      transcript: renderable && options.withTranscript !== false ? await renderTranscript(asciicast) : '',
    });
  }
  return out;
}
