import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { runReplay, writeReport } from '../replay/run.js';
import { readScenario } from '../replay/scenario.js';
import { renderTimeline } from '../replay/timeline.js';
import { statusSnapshotFor } from '../replay/status-snapshot.js';
import { verdictLine } from '../replay/verdict.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

export function register(program: Command): void {
  program
    .command('replay')
    .description('Replay a scenario day through the local stack (emulators, DuckDB) on a simulated clock')
    .argument('<scenario>', 'scenario JSON (format in docs/scenarios.md)')
    .option('--report <file>', 'where to write the JSON report', '.shotclock/replay/report.json')
    .option('--data <dir>', 'folder for DuckDB, exports, function logs and the status snapshot')
    .action(async (scenarioPath: string, options: { report: string; data?: string }, command: Command) => {
      if (!existsSync(scenarioPath)) throw new UserError(`scenario ${scenarioPath}: not found`);
      if (statSync(scenarioPath).isDirectory())
        throw new UserError(`scenario ${scenarioPath}: is a folder, not a scenario file`);
      assertWritable(resolve(options.report));
      // The user's pipeline config first (its own errors name their source), the scenario over it.
      const loaded = await readScenario(scenarioPath, cliSettings().override);
      const { scenario, config } = loaded;
      const dataDir = resolve(options.data ?? `.shotclock/replay/${basename(scenarioPath, '.json')}`);
      console.log(`replaying "${scenario.name}" from ${scenario.start} to ${scenario.end} (simulated)`);
      const bar = new SingleBar({
        format: '  {bar} {percentage}% | {now} | {value}/{total} moments',
        hideCursor: true,
        clearOnComplete: true,
        noTTYOutput: false,
      });
      let started = false;
      let lastHour = '';
      const report = await runReplay(loaded, {
        dataDir,
        statusSnapshot: statusSnapshotFor(),
        errorStacks: command.optsWithGlobals<{ debug?: boolean }>().debug === true,
        onProgress: (done, total, now) => {
          const label = DateTime.fromJSDate(now).setZone(config.project.time_zone).toFormat('ccc HH:mm ZZZZ');
          if (!process.stderr.isTTY) {
            // No terminal to redraw: one line per simulated hour.
            const hour = label.slice(0, 6);
            if (hour !== lastHour) console.error(`  simulated ${label}  (${done}/${total} moments)`);
            lastHour = hour;
            return;
          }
          if (!started) {
            bar.start(total, done, { now: label });
            started = true;
          }
          bar.update(done, { now: label });
        },
      });
      bar.stop();
      await writeReport(report, resolve(options.report));
      console.log(
        renderTimeline(report, config.project.time_zone, {
          tick: config.topics.tick,
          alerts: config.topics.alerts,
          gateDecisions: config.topics.gate_decisions,
          deadLetter: config.topics.dead_letter,
        }),
      );
      console.log('');
      console.log(
        `${report.deliveries} deliveries through the emulators, ${report.published.length} messages published, ` +
          `${report.alerts.length} alerts, ${report.errors.length} errors, in ${report.wall_seconds.toFixed(1)} s`,
      );
      console.log(
        verdictLine(report, config.project.time_zone, {
          predictions: config.freshness_gate.output_topic,
          transitions: config.transitions.flatMap((transition) => transition.output?.topic ?? []),
        }),
      );
      console.log(`report:       ${resolve(options.report)}`);
      console.log(`exports:      ${resolve(dataDir, 'gcs')}`);
      console.log(`function log: ${resolve(dataDir, 'functions.log')}`);
      if (report.status_page) console.log(`status page:  ${report.status_page.html}`);
    });
}

/** Checked before the replay starts, so a bad --report path does not cost the whole day's run. */
function assertWritable(file: string): void {
  // The nearest folder that exists must be a writable folder; the missing ones are created later.
  let folder = dirname(file);
  while (!existsSync(folder)) folder = dirname(folder);
  const problem = !statSync(folder).isDirectory()
    ? `${folder} is not a folder`
    : existsSync(file) && statSync(file).isDirectory()
      ? 'it is a folder'
      : !canWrite(existsSync(file) ? file : folder)
        ? 'no permission to write there'
        : undefined;
  if (problem) throw new UserError(`--report ${file}: cannot write the report (${problem})`);
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
