import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { RecordingPlayback } from '../../app/recording/playback';
import { eventsAt, firstOutputAt, formatOffset, matchingLines, seekPlan, SPEEDS, timelineOf, type PlaybackTimeline } from './playback';
import { CommandIndexList } from './CommandIndexList';
import { withAdoptedStyles } from './xtermCsp';
import './recordingPlayer.css';

/** How often a playing recording moves on; each tick applies the real time since the last, times the speed. */
const TICK_MS = 100;

type SearchResult = { query: string; lines: number; at: number | null } | null;

/**
 * One governed shell's recording played back (issue 17, "Playback"), on the session page and the
 * review form alike: @xterm/xterm draws the committed (redacted) asciicast with its own timing;
 * Play/Pause, speed, a position slider, the command index (seek to a command) and a search of the
 * rendered text. The terminal takes no input: it shows evidence, it is not a shell.
 */
export function RecordingPlayer({ recording }: { recording: RecordingPlayback }) {
  const timeline = useMemo(() => timelineOf(recording.asciicast), [recording.asciicast]);
  const screenRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  /** Events written to the terminal so far (the screen is those events' result). */
  const shownRef = useRef(0);
  const positionRef = useRef(0);
  const timelineRef = useRef<PlaybackTimeline>(timeline);
  timelineRef.current = timeline;
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(1);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<SearchResult>(null);
  const id = `rec-${recording.recordingId}`;

  useEffect(() => {
    if (!screenRef.current) return;
    const { cols, rows } = timelineRef.current;
    // disableStdin: keys typed here go nowhere; the player shows evidence, it is not a shell.
    const term = new Terminal({ cols, rows, scrollback: 5_000, fontSize: 13, disableStdin: true, cursorBlink: false });
    withAdoptedStyles(() => term.open(screenRef.current!));
    // xterm's input textarea would be a Tab stop that keeps Tab for itself (a keyboard trap, and
    // there is nothing to type): out of the Tab order; the controls below are the way in.
    term.textarea?.setAttribute('tabindex', '-1');
    termRef.current = term;
    shownRef.current = 0;
    return () => {
      term.dispose();
      termRef.current = null;
    };
  }, []);

  /** Puts the screen at recording time `t`: only new events forward, from a reset backward. */
  const showAt = (t: number) => {
    const term = termRef.current;
    const tl = timelineRef.current;
    const at = Math.min(Math.max(t, 0), tl.duration);
    positionRef.current = at;
    setPosition(at);
    if (!term) return;
    const target = eventsAt(tl, at);
    const plan = seekPlan(tl, shownRef.current, target);
    shownRef.current = target;
    // Through the write queue, never term.reset()/resize() directly: those act at once, ahead of
    // output still queued, which would then land on the fresh screen.
    if (plan.reset) term.write('\x1bc');
    for (const step of plan.steps) {
      if ('write' in step) term.write(step.write);
      else term.write('', () => term.resize(step.resize.cols, step.resize.rows));
    }
  };

  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const next = positionRef.current + ((now - last) / 1000) * speed;
      last = now;
      showAt(next);
      if (next >= timelineRef.current.duration) setPlaying(false);
    }, TICK_MS);
    return () => clearInterval(timer);
    // showAt reads refs only; a new speed restarts the timer from the current position.
  }, [playing, speed]);

  const togglePlay = () => {
    if (!playing && positionRef.current >= timeline.duration) showAt(0);
    setPlaying(!playing);
  };

  const seekToCommand = (at: number) => {
    showAt(at);
    setPlaying(true);
  };

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return setSearch(null);
    const at = firstOutputAt(timeline, q);
    setSearch({ query: q, lines: matchingLines(recording.transcript, q).length, at });
    if (at !== null) {
      setPlaying(false);
      showAt(at);
    }
  };

  return (
    <article className="rp" aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`}>
        {recording.via === 'console' ? 'Console terminal' : 'breakglass shell'} <span className="mono">{recording.shell}</span>
      </h4>
      <RecordingFacts recording={recording} />
      <div className="rp-body">
        <div className="rp-player">
          <div ref={screenRef} className="rp-screen" role="application" tabIndex={0} aria-label={`Recorded terminal ${recording.recordingId} (playback only, takes no input)`} />
          <div className="rp-controls" role="group" aria-label="Playback">
            <button type="button" className="button button-primary" onClick={togglePlay} aria-pressed={playing}>
              {playing ? 'Pause' : 'Play'}
            </button>
            <label className="rp-speed">
              Speed{' '}
              <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
                {SPEEDS.map((s) => (
                  <option key={s} value={s}>{s}×</option>
                ))}
              </select>
            </label>
            <input
              type="range" className="rp-seek" aria-label="Position" min={0} max={timeline.duration} step={0.1} value={position}
              aria-valuetext={`${formatOffset(position)} of ${formatOffset(timeline.duration)}`}
              onChange={(e) => showAt(Number(e.target.value))}
            />
            <span className="mono rp-time" data-testid="position">{formatOffset(position)} / {formatOffset(timeline.duration)}</span>
          </div>
          <form role="search" className="rp-search" aria-label="Search the recording" onSubmit={onSearch}>
            <input type="search" aria-label="Text to find in the recording" value={query} onChange={(e) => setQuery(e.target.value)} />
            <button type="submit" className="button button-secondary">Find</button>
            <SearchStatus result={search} />
          </form>
        </div>
        <CommandIndexList id={id} commands={recording.commands} onSeek={seekToCommand} />
      </div>
    </article>
  );
}

function RecordingFacts({ recording: r }: { recording: RecordingPlayback }) {
  return (
    <p className="rp-facts">
      Started <time dateTime={r.startedAt}>{r.startedAt}</time>;{' '}
      {r.ended ? <>ended by {r.ended.how}{r.ended.exitCode !== null ? ` (exit status ${r.ended.exitCode})` : ''}.</> : 'not ended (running, or until a crash is recovered).'}{' '}
      {r.containment.contained ? 'Contained in its own PID namespace.' : `Not fully contained: ${r.containment.reason ?? 'no container on this platform'}.`}{' '}
      What is shown is the recording as committed, secrets redacted.
    </p>
  );
}

function SearchStatus({ result }: { result: SearchResult }) {
  let text = '';
  if (result) {
    const where = result.lines === 1 ? '1 line' : `${result.lines} lines`;
    if (result.at !== null) text = `“${result.query}”: in ${where} of the rendered text; first shown at ${formatOffset(result.at)}.`;
    else if (result.lines > 0) text = `“${result.query}”: in ${where} of the rendered text, drawn in pieces: no single moment to show.`;
    else text = `“${result.query}” is not in the recording.`;
  }
  return (
    <p role="status" className="rp-search-status">
      {text}
    </p>
  );
}
