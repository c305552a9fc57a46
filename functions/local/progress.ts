/**
 * The progress bar of a long `check`: on stderr, only when stderr is a terminal (a script reading
 * stdout or a log never sees it), only for runs large enough to take a while, and cleared when
 * done so the table starts on a clean screen.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { CheckProgress } from './run-check';

/** Runs with fewer mail files plus orders than this finish before a bar would help. */
export const CHECK_PROGRESS_THRESHOLD = 200;

export interface CheckProgressBar {
  update: (p: CheckProgress) => void;
  stop: () => void;
}

export function checkProgressBar(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  opts: { force?: boolean; threshold?: number } = {},
): CheckProgressBar | undefined {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  if (!tty && !opts.force) return undefined;
  const threshold = opts.threshold ?? CHECK_PROGRESS_THRESHOLD;
  let bar: SingleBar | undefined;
  return {
    update: (p) => {
      if (p.total < threshold) return;
      if (!bar) {
        bar = new SingleBar(
          {
            stream,
            format: 'checking [{bar}] {value}/{total} emails and orders | {eta_formatted} left',
            hideCursor: true,
            clearOnComplete: true,
            // We decided to draw it (a terminal, or the caller asked): render even where the stream says it is no TTY.
            noTTYOutput: true,
          },
          Presets.shades_classic,
        );
        bar.start(p.total, 0);
      }
      bar.update(p.done);
    },
    stop: () => bar?.stop(),
  };
}
