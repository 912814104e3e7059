import type { TakeOver } from '../shared/config/schema.js';
import { type DeployStep, urlVariable } from './plan.js';
import type { SchedulerJobSpec, Topology } from './topology.js';

/** Shell words: plain when safe, double quotes around `${VARIABLES}` the plan defines, single quotes otherwise. */
function quote(argument: string): string {
  if (/^[A-Za-z0-9_./:=@%+,^#-]+$/.test(argument)) return argument;
  if (/\$\{[A-Z0-9_]+\}/.test(argument))
    return `"${argument.replace(/["\\`]/g, '\\$&').replace(/\$(?!\{[A-Z0-9_]+\})/g, '\\$')}"`;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function renderCommand(argv: string[]): string {
  return argv.map(quote).join(' ');
}

/** A here-document body in which only the plan's `${VARIABLES}` expand. */
function heredoc(path: string, content: string): string {
  const body = content.replace(/[\\`]/g, '\\$&').replace(/\$(?!\{[A-Z0-9_]+\})/g, '\\$');
  return `mkdir -p "$(dirname "${path}")" && cat > "${path}" <<EOF\n${body}EOF`;
}

export const MANAGED_BY = { key: 'managed-by', value: 'shotclock' } as const;

export function schedulerJobCommand(
  verb: 'create' | 'update',
  job: SchedulerJobSpec,
  project: string,
  region: string,
): string[] {
  return [
    'gcloud',
    'scheduler',
    'jobs',
    verb,
    'pubsub',
    job.id,
    `--location=${region}`,
    `--schedule=${job.cron}`,
    `--time-zone=${job.timeZone}`,
    `--topic=projects/${project}/topics/${job.topic}`,
    `--message-body=${JSON.stringify(job.body)}`,
    `--${verb === 'create' ? '' : 'update-'}attributes=${MANAGED_BY.key}=${MANAGED_BY.value}`,
    `--description=${job.description}`,
    `--max-retry-attempts=${job.retry.retryCount}`,
    `--min-backoff=${job.retry.minBackoffSeconds}s`,
    `--max-backoff=${job.retry.maxBackoffSeconds}s`,
    `--project=${project}`,
  ];
}

const HELPERS = `# exists CMD...: true when it exists, false when Google answers NOT_FOUND; any other error stops here.
exists() {
  local err
  if err="$("$@" 2>&1 >/dev/null)"; then return 0; fi
  case "$err" in *NOT_FOUND*|*"404"*|*"not found"*) return 1 ;; esac
  printf '%s\\n' "$err" >&2
  exit 1
}
# grant_dataset DATASET ROLE EMAIL: adds one entry to a dataset's access list, keeping the others.
grant_dataset() {
  local file="$WORK/access-$1.json"
  gcloud alpha bq datasets describe "$1" --project="$PROJECT" --format=json | python3 -c '
import json, sys
entry = {"role": sys.argv[1], "userByEmail": sys.argv[2]}
access = json.load(sys.stdin).get("access", [])
print(json.dumps({"access": access if entry in access else access + [entry]}))' "$2" "$3" > "$file"
  gcloud alpha bq datasets update "$1" --permissions-file="$file" --project="$PROJECT"
}`;

function renderStep(step: DeployStep): string[] {
  const files = Object.entries(step.files ?? {}).map(([path, content]) => heredoc(path, content));
  const create = renderCommand(step.create);
  if (step.defines) return [`${step.defines.name}="$(${create})"`];
  if (step.grant || !step.describe) return [...files, create];
  if (step.selfVariable) {
    const self = step.selfVariable;
    return [
      ...files,
      `${self}="$(${renderCommand(step.describe)})"`,
      `if [ -z "$${self}" ]; then ${create}; ${self}="$(${renderCommand(step.describe)})";${step.update ? ` else ${renderCommand(step.update)};` : ''} fi`,
    ];
  }
  if (step.mustExist)
    return [
      ...files,
      `exists ${renderCommand(step.describe)} || { echo ${quote(step.mustExist)} >&2;${step.blocking ? ' exit 2;' : ''} }`,
    ];
  if (step.update && step.update !== step.create)
    return [
      ...files,
      `if exists ${renderCommand(step.describe)}; then ${renderCommand(step.update)}; else ${create}; fi`,
    ];
  if (step.update) return [...files, create];
  return [...files, `exists ${renderCommand(step.describe)} || ${create}`];
}

/**
 * The plan as a shell script a person can read and run: variables at the top, then the same
 * steps `deploy --apply` takes, in the same order, each one safe to run again.
 */
export function renderPlan(
  topology: Topology,
  steps: DeployStep[],
  takeOver?: TakeOver,
  mode?: 'take-over' | 'give-back',
): string {
  const { project, region } = topology;
  const lines: string[] = [
    '#!/usr/bin/env bash',
    `# shotclock deploy plan: project ${project}, region ${region}.`,
    '# The same steps `shotclock deploy --apply` takes. Run from the repository root after `npm run build`;',
    '# every step checks what exists first, so running it again changes nothing.',
    'set -euo pipefail',
    `PROJECT=${project}`,
    `REGION=${region}`,
    'PROJECT_NUMBER="$(gcloud projects describe "$PROJECT" --format="value(projectNumber)")"',
    'WORK="$(mktemp -d)"  # files the commands below read',
    `TAKE_OVER="\${TAKE_OVER:-${mode === 'take-over' ? 'yes' : 'no'}}"  # yes: pause / detach the incumbent parts listed at the end`,
    '',
    HELPERS,
  ];
  let phase = '';
  for (const step of steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push('', `# ${phase}`);
    }
    lines.push(...renderStep(step));
  }
  lines.push(
    '',
    '# scheduler jobs (apply reconciles them through the Cloud Scheduler API; only jobs labelled managed-by=shotclock or listed for take-over are ever touched)',
  );
  for (const job of topology.schedulerJobs)
    lines.push(
      `if exists ${renderCommand(['gcloud', 'scheduler', 'jobs', 'describe', job.id, `--location=${region}`, `--project=${project}`])}; then ${renderCommand(schedulerJobCommand('update', job, project, region))}; else ${renderCommand(schedulerJobCommand('create', job, project, region))}; fi`,
    );
  if (takeOver)
    lines.push(
      '',
      ...(mode === 'give-back' ? renderGiveBack(topology, takeOver) : renderTakeOver(topology, takeOver)),
    );
  lines.push(
    '',
    '# the deployed dependency probe loads every function and touches its backends; a red probe fails the deploy',
    `curl -fsS -H "Authorization: Bearer $(gcloud auth print-identity-token)" "\${${urlVariable('dependency-probe')}}?format=text"`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * What `--give-back` restores, as `deploy --apply --give-back` does: the listed scheduler jobs resumed, and
 * each listed function's subscription that take-over labelled pushed to the function again (with its
 * trigger's service account), moved past the backlog shotclock handled, its label removed.
 */
export function renderGiveBack(topology: Topology, takeOver: TakeOver): string[] {
  const { project, region } = topology;
  const lines = [
    "# give-back: the incumbent parts shotclock took over, restored (listed in the config's take_over)",
  ];
  for (const job of takeOver.scheduler_jobs) lines.push(`#   resume scheduler job ${job.id}`);
  for (const fn of takeOver.functions)
    lines.push(`#   re-attach ${fn.name}'s push subscription on ${fn.topic} (the one take-over labelled)`);
  for (const job of takeOver.scheduler_jobs)
    lines.push(
      renderCommand([
        'gcloud',
        'scheduler',
        'jobs',
        'resume',
        job.id,
        `--location=${region}`,
        `--project=${project}`,
      ]),
    );
  for (const fn of takeOver.functions) {
    const name = fn.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
    const describe = [
      'gcloud',
      'functions',
      'describe',
      fn.name,
      '--gen2',
      `--region=${region}`,
      `--project=${project}`,
    ];
    const push = `gcloud pubsub subscriptions modify-push-config "$sub" --push-endpoint="\${URL_${name}}"`;
    lines.push(
      `URL_${name}="$(${renderCommand([...describe, '--format=value(serviceConfig.uri)'])})"`,
      `SA_${name}="$(${renderCommand([...describe, '--format=value(eventTrigger.serviceAccountEmail)'])})"`,
      `for sub in $(${renderCommand(['gcloud', 'pubsub', 'topics', 'list-subscriptions', fn.topic, `--project=${project}`, '--format=value(name)'])}); do`,
      `  if [ "$(gcloud pubsub subscriptions describe "$sub" --format='value(labels.shotclock-took-over)')" = ${fn.name.replace(/[^a-z0-9_-]/g, '-')} ]; then`,
      `    if [ -n "\${SA_${name}}" ]; then ${push} --push-auth-service-account="\${SA_${name}}" --push-auth-token-audience="\${URL_${name}}"; else ${push}; fi`,
      `    gcloud pubsub subscriptions seek "$sub" --time="$(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
      '    gcloud pubsub subscriptions update "$sub" --remove-labels=shotclock-took-over',
      '  fi',
      'done',
    );
  }
  return lines;
}

/** What `--take-over` pauses and detaches, and `--give-back` restores. */
export function renderTakeOver(topology: Topology, takeOver: TakeOver): string[] {
  const { project, region } = topology;
  const lines = [
    '# take-over: the incumbent parts shotclock replaces (TAKE_OVER=yes pauses / detaches them; --give-back restores)',
  ];
  for (const job of takeOver.scheduler_jobs)
    lines.push(`#   pause scheduler job ${job.id}: ${job.replaced_by}`);
  for (const fn of takeOver.functions)
    lines.push(
      `#   detach ${fn.name}'s push subscription on ${fn.topic} (it becomes a pull subscription nobody reads): ${fn.replaced_by}`,
    );
  lines.push('if [ "$TAKE_OVER" = yes ]; then');
  for (const job of takeOver.scheduler_jobs)
    lines.push(
      `  ${renderCommand(['gcloud', 'scheduler', 'jobs', 'pause', job.id, `--location=${region}`, `--project=${project}`])}`,
    );
  for (const fn of takeOver.functions) {
    const url = `URL_${fn.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
    lines.push(
      `  ${url}="$(${renderCommand(['gcloud', 'functions', 'describe', fn.name, '--gen2', `--region=${region}`, `--project=${project}`, '--format=value(serviceConfig.uri)'])})"`,
      `  for sub in $(${renderCommand(['gcloud', 'pubsub', 'topics', 'list-subscriptions', fn.topic, `--project=${project}`, '--format=value(name)'])}); do`,
      `    if [ "$(gcloud pubsub subscriptions describe "$sub" --format='value(pushConfig.pushEndpoint)')" = "\${${url}}" ]; then`,
      `      gcloud pubsub subscriptions update "$sub" --update-labels=shotclock-took-over=${fn.name.replace(/[^a-z0-9_-]/g, '-')}`,
      `      gcloud pubsub subscriptions modify-push-config "$sub" --push-endpoint=""`,
      '    fi',
      '  done',
    );
  }
  lines.push('fi');
  return lines;
}
