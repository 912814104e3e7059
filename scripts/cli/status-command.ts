import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildTopology } from '../../infra/topology.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

const run = promisify(execFile);

interface StatusOptions {
  project?: string;
  region?: string;
  open?: boolean;
  port: string;
}

/** gcloud's last error line, without its hints about how it was authenticated. */
const gcloudError = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => /ERROR/.test(line))
    .pop()
    ?.replace(/^ERROR: \([^)]*\) /, '')
    .replace(/ This command is authenticated.*$/, '')
    .trim() ?? stderr.trim().split('\n').pop();

/** The deployed status page's URL, read back from the function (what alerts link to as well). */
export async function deployedStatusUrl(project: string, region: string, name: string): Promise<string> {
  try {
    const { stdout } = await run('gcloud', [
      'functions',
      'describe',
      name,
      '--gen2',
      `--region=${region}`,
      `--project=${project}`,
      '--format=value(serviceConfig.uri)',
    ]);
    const url = stdout.trim();
    if (!url)
      throw new UserError(
        `status: ${name} in ${project} (${region}) has no URL yet: is its deploy finished?`,
      );
    return url;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    if ((error as { code?: string }).code === 'ENOENT')
      throw new UserError('status: gcloud is not installed (https://cloud.google.com/sdk/docs/install)');
    if (/NOT_FOUND|not found/i.test(stderr))
      throw new UserError(
        `status: the status page is not deployed in ${project} (${region}): run shotclock deploy --project ${project} --apply`,
      );
    throw new UserError(`status: cannot read ${name} in ${project}: ${gcloudError(stderr)}`);
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * `shotclock status`: where the deployed status page is. The page is private (IAM only), so
 * `--open` serves it on localhost through `gcloud run services proxy`, which signs each request
 * with the person's own gcloud credentials (they need Cloud Run invoker on the status page).
 */
export function register(program: Command): void {
  program
    .command('status')
    .description('Print the deployed status page URL; --open serves it on localhost with your gcloud login')
    .option('--project <id>', 'Google Cloud project (default GOOGLE_CLOUD_PROJECT)')
    .option('--region <region>', 'region of the functions (default the config region)')
    .option('--open', 'proxy the private page to localhost (gcloud run services proxy) and open it')
    .option('--port <port>', 'local port for --open', '8089')
    .action(async (options: StatusOptions) => {
      const project = options.project ?? process.env.GOOGLE_CLOUD_PROJECT;
      if (!project)
        throw new UserError('status: say which project: --project <id> (or GOOGLE_CLOUD_PROJECT)');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        throw new UserError(`status: --port ${options.port} is not a port number`);
      const { config } = cliSettings();
      const region = options.region ?? config.project.region;
      const page = buildTopology(config, project).functions.find((fn) => fn.source === 'statusPage');
      if (!page) throw new UserError('status: this config deploys no status page');
      const url = await deployedStatusUrl(project, region, page.name);
      console.log(`status page: ${url}`);
      if (!options.open) return;
      const proxy = spawn(
        'gcloud',
        [
          'run',
          'services',
          'proxy',
          page.name,
          `--region=${region}`,
          `--project=${project}`,
          `--port=${port}`,
        ],
        { stdio: ['ignore', 'inherit', 'pipe'] },
      );
      let stderr = '';
      proxy.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number>((resolve) => proxy.once('exit', (code) => resolve(code ?? 1)));
      for (let waited = 0; ; waited += 250) {
        if (await listening(port)) break;
        const code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 250))]);
        if (code !== undefined || waited > 60_000) {
          proxy.kill();
          throw new UserError(`status --open: gcloud run services proxy stopped: ${gcloudError(stderr)}`);
        }
      }
      const local = `http://localhost:${port}/`;
      console.log(`open ${local} (proxied with your gcloud login; Ctrl-C stops it)`);
      const opener =
        process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
      spawn(opener, [local], { stdio: 'ignore', detached: true })
        .on('error', () => undefined)
        .unref();
      process.once('SIGINT', () => proxy.kill('SIGINT'));
      await exited;
    });
}
