import { parseAsciicast } from './asciicast';
import { bufferText, replay } from './replay';

/** Size and scrollback of a rendered transcript (default: the recording's own size). */
export interface TranscriptOptions {
  cols?: number;
  rows?: number;
  scrollback?: number;
}

/**
 * Renders a recording to the text a person saw (issue 17, "Playback": search, the report's
 * transcript, `breakglass log --transcript`): every line of the normal screen and its scrollback,
 * soft-wrapped lines joined, trailing blank lines dropped. Full-screen programs (less, vim) draw on
 * the alternate screen, which leaves no scrollback: their last screen is not part of the text.
 */
export async function renderTranscript(asciicastText: string, options: TranscriptOptions = {}): Promise<string> {
  const terminal = await replay(parseAsciicast(asciicastText), options);
  try {
    return bufferText(terminal).replace(/\n+$/, '');
  } finally {
    terminal.dispose();
  }
}
