import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type StatusReadDependencies, readStatusSnapshot } from './read-status.js';
import { renderStatusHtml } from './render-html.js';
import { DEFAULT_DAYS } from './request.js';

export interface WrittenStatusSnapshot {
  html: string;
  json: string;
}

/**
 * Writes the status page of `date` to `dir` as `status-<date>.html` (self
 * contained: inline CSS and SVG, no links out) and `status-<date>.json` (the
 * same data the page serves with `?format=json`). The replay calls this for
 * the replayed day.
 */
export async function writeStatusSnapshot(
  backends: StatusReadDependencies,
  date: string,
  dir: string,
  days = DEFAULT_DAYS,
): Promise<WrittenStatusSnapshot> {
  const snapshot = await readStatusSnapshot(backends, date, days);
  const html = await renderStatusHtml(snapshot, {
    gradingFloor: backends.config.alerts.thresholds.grading_accuracy_below,
    links: false,
  });
  await mkdir(dir, { recursive: true });
  const written = { html: join(dir, `status-${date}.html`), json: join(dir, `status-${date}.json`) };
  await writeFile(written.html, html);
  await writeFile(written.json, `${JSON.stringify(snapshot, null, 2)}\n`);
  return written;
}
