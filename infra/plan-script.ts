import type { TakeOver } from '../shared/config/schema.js';
import { type DeployStep, describeFunction, urlVariable } from './plan.js';
import { type SchedulerJobSpec, TAKE_OVER_SECRET, type Topology } from './topology.js';

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
# waiting_for SECONDS SAYS WHAT CMD...: runs CMD; while Google answers SAYS (in any case) (WHAT is still propagating:
# a new service account takes up to a minute to be seen, a new log metric up to ten), again every 10 s.
waiting_for() {
  local seconds="$1" says="$2" what="$3" waited=0 out
  shift 3
  until out="$("$@" 2>&1)"; do
    if [[ "\${out,,}" != *"\${says,,}"* ]] || [ "$waited" -ge "$seconds" ]; then
      printf '%s\\n' "$out" >&2
      return 1
    fi
    echo "waiting for $what ($waited s)" >&2
    sleep 10
    waited=$((waited + 10))
  done
  if [ -n "$out" ]; then printf '%s\\n' "$out"; fi
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
  // What propagates slowly is waited for, as apply waits for it.
  const waited = (argv: string[]) =>
    step.waitsFor
      ? `waiting_for ${step.waitsFor.seconds} "${step.waitsFor.says}" "${step.waitsFor.what}" ${renderCommand(argv)}`
      : renderCommand(argv);
  const create = waited(step.create);
  if (step.defines) return [`${step.defines.name}="$(${renderCommand(step.create)})"`];
  if (step.grant || !step.describe) return [...files, create];
  if (step.selfVariable) {
    const self = step.selfVariable;
    return [
      ...files,
      `${self}="$(${renderCommand(step.describe)})"`,
      `if [ -z "$${self}" ]; then ${create}; ${self}="$(${renderCommand(step.describe)})";${step.update ? ` else ${waited(step.update)};` : ''} fi`,
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
      `if exists ${renderCommand(step.describe)}; then ${waited(step.update)}; else ${create}; fi`,
    ];
  if (step.asDeclared) {
    const read = `"$(${renderCommand(step.asDeclared)} 2>/dev/null)"`;
    const test =
      step.asDeclaredValue === undefined ? `-z ${read}` : `${read} != ${quote(step.asDeclaredValue)}`;
    return [...files, `if [ ${test} ]; then ${create}; fi`];
  }
  if (step.update) return [...files, create];
  return [...files, `exists ${renderCommand(step.describe)} || ${create}`];
}

/** Steps as script lines, each phase under its heading. */
export function renderPlanSteps(steps: readonly DeployStep[]): string[] {
  const lines: string[] = [];
  let phase = '';
  for (const step of steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push('', `# ${phase}`);
    }
    lines.push(...renderStep(step));
  }
  return lines;
}

/** The top of a plan script: strict bash, the project's names, a work folder, and the helpers. */
export function planPreamble(topology: Topology, mode?: 'take-over' | 'give-back'): string[] {
  const { project, region } = topology;
  return [
    '#!/usr/bin/env bash',
    `# shotclock deploy plan: project ${project}, region ${region}.`,
    '# The same steps `shotclock deploy --apply` takes. Run from the repository root after `npm run build`;',
    '# Each step reads what exists first: a second run creates nothing twice and redeploys only a function',
    '# whose code or settings changed; other settings it writes again, where --apply changes only what differs.',
    'set -euo pipefail',
    `PROJECT=${project}`,
    `REGION=${region}`,
    'PROJECT_NUMBER="$(gcloud projects describe "$PROJECT" --format="value(projectNumber)")"',
    'WORK="$(mktemp -d)"  # files the commands below read',
    `TAKE_OVER="\${TAKE_OVER:-${mode === 'take-over' ? 'yes' : 'no'}}"  # yes: pause / detach the incumbent parts listed at the end`,
    '',
    HELPERS,
  ];
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
  const lines: string[] = [...planPreamble(topology, mode)];
  lines.push(...renderPlanSteps(steps));
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
 * Shell functions of the take-over and give-back sections. They keep the incumbent push configs in the
 * same record `deploy --apply` keeps (secret `shotclock-take-over`, a JSON object by subscription), so
 * either can give back what the other took over, exactly as it was.
 */
const TAKE_OVER_HELPERS = `# took_over: the incumbent push configs shotclock detached, by subscription ({} before the first).
took_over() {
  if exists gcloud secrets describe ${TAKE_OVER_SECRET} --project="$PROJECT"; then
    gcloud secrets versions access latest --secret=${TAKE_OVER_SECRET} --project="$PROJECT"
  else
    echo '{}'
  fi
}
# keep_took_over: stores the record read from stdin as the secret's new version.
keep_took_over() {
  cat > "$WORK/take-over.json"
  if ! exists gcloud secrets describe ${TAKE_OVER_SECRET} --project="$PROJECT"; then
    gcloud secrets create ${TAKE_OVER_SECRET} --replication-policy=automatic --labels=managed-by=shotclock --project="$PROJECT"
  fi
  gcloud secrets versions add ${TAKE_OVER_SECRET} --data-file="$WORK/take-over.json" --project="$PROJECT"
}
# detach SUBSCRIPTION LABEL: records its push config, labels it, and stops its pushes (it keeps its messages).
detach() {
  local config
  config="$(gcloud pubsub subscriptions describe "$1" --format=json)"
  took_over | python3 -c '
import json, sys
record = json.load(sys.stdin)
record[sys.argv[1].split("/")[-1]] = json.loads(sys.argv[2])["pushConfig"]
print(json.dumps(record))' "$1" "$config" | keep_took_over
  gcloud pubsub subscriptions update "$1" --update-labels=shotclock-took-over="$2"
  gcloud pubsub subscriptions modify-push-config "$1" --push-endpoint=""
}
# reattach SUBSCRIPTION URL SERVICE_ACCOUNT: pushes as recorded at take-over (else to the function's URL
# with its trigger's account), from now on (the backlog shotclock handled is skipped), label removed.
reattach() {
  local endpoint account audience
  {
    read -r endpoint
    read -r account
    read -r audience
  } < <(took_over | python3 -c '
import json, sys
subscription, url, account = sys.argv[1].split("/")[-1], sys.argv[2], sys.argv[3]
fallback = {"pushEndpoint": url, "oidcToken": {"serviceAccountEmail": account, "audience": url} if account else {}}
config = json.load(sys.stdin).get(subscription) or fallback
token = config.get("oidcToken") or {}
print(config["pushEndpoint"], token.get("serviceAccountEmail", ""), token.get("audience", ""), sep="\\n")' "$1" "$2" "$3")
  local push=(--push-endpoint="$endpoint")
  if [ -n "$account" ]; then push+=(--push-auth-service-account="$account"); fi
  if [ -n "$audience" ]; then push+=(--push-auth-token-audience="$audience"); fi
  gcloud pubsub subscriptions modify-push-config "$1" "\${push[@]}"
  gcloud pubsub subscriptions seek "$1" --time="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  gcloud pubsub subscriptions update "$1" --remove-labels=shotclock-took-over
  took_over | python3 -c '
import json, sys
record = json.load(sys.stdin)
record.pop(sys.argv[1].split("/")[-1], None)
print(json.dumps(record))' "$1" | keep_took_over
}
# detach_pushing_to URL TOPIC LABEL: detaches each subscription of TOPIC that pushes to URL (Eventarc's
# endpoints are the URL with a query string).
detach_pushing_to() {
  local sub
  if [ -z "$1" ]; then return 0; fi
  for sub in $(gcloud pubsub topics list-subscriptions "$2" --project="$PROJECT" --format='value(.)'); do
    case "$(gcloud pubsub subscriptions describe "$sub" --format='value(pushConfig.pushEndpoint)')" in
      "$1"*) detach "$sub" "$3" ;;
    esac
  done
}
# reattach_labelled TOPIC LABEL URL SERVICE_ACCOUNT: re-attaches each subscription of TOPIC that take-over labelled LABEL.
reattach_labelled() {
  local sub
  for sub in $(gcloud pubsub topics list-subscriptions "$1" --project="$PROJECT" --format='value(.)'); do
    if [ "$(gcloud pubsub subscriptions describe "$sub" --format='value(labels.shotclock-took-over)')" = "$2" ]; then
      reattach "$sub" "$3" "$4"
    fi
  done
}`;

/** A listed incumbent function as the shell reads it: whether it is deployed, and its settings. */
function incumbentFunction(topology: Topology, fn: TakeOver['functions'][number]) {
  const { project, region } = topology;
  const describe = describeFunction(fn.name, region, project);
  return {
    label: fn.name.replace(/[^a-z0-9_-]/g, '-'),
    exists: `exists ${renderCommand(describe)}`,
    read: (format: string) => `"$(${renderCommand([...describe, `--format=value(${format})`])})"`,
  };
}

const schedulerJob = (verb: 'describe' | 'pause' | 'resume', id: string, topology: Topology) =>
  renderCommand([
    'gcloud',
    'scheduler',
    'jobs',
    verb,
    id,
    `--location=${topology.region}`,
    `--project=${topology.project}`,
  ]);

/**
 * What \`--give-back\` restores, as \`deploy --apply --give-back\` does: the listed scheduler jobs resumed, and
 * each listed function's subscription that take-over labelled pushed again as it was recorded, moved
 * past the backlog shotclock handled, its label removed. A listed part that does not exist is skipped.
 */
export function renderGiveBack(topology: Topology, takeOver: TakeOver): string[] {
  const lines = [
    "# give-back: the incumbent parts shotclock took over, restored (listed in the config's take_over)",
  ];
  for (const job of takeOver.scheduler_jobs) lines.push(`#   resume scheduler job ${job.id}`);
  for (const fn of takeOver.functions)
    lines.push(`#   re-attach ${fn.name}'s push subscription on ${fn.topic} (the one take-over labelled)`);
  lines.push(TAKE_OVER_HELPERS);
  for (const job of takeOver.scheduler_jobs)
    lines.push(
      `if exists ${schedulerJob('describe', job.id, topology)}; then ${schedulerJob('resume', job.id, topology)}; else echo ${quote(`scheduler job ${job.id} does not exist: nothing to resume`)} >&2; fi`,
    );
  for (const fn of takeOver.functions) {
    const incumbent = incumbentFunction(topology, fn);
    lines.push(
      `if ${incumbent.exists}; then reattach_labelled ${fn.topic} ${incumbent.label} ${incumbent.read('serviceConfig.uri')} ${incumbent.read('eventTrigger.serviceAccountEmail')}; ` +
        `else echo ${quote(`incumbent function ${fn.name} is not deployed: nothing to give back`)} >&2; fi`,
    );
  }
  return lines;
}

/** What \`--take-over\` pauses and detaches, and \`--give-back\` restores. A listed part that does not exist is skipped. */
export function renderTakeOver(topology: Topology, takeOver: TakeOver): string[] {
  const lines = [
    '# take-over: the incumbent parts shotclock replaces (TAKE_OVER=yes pauses / detaches them; --give-back restores)',
  ];
  for (const job of takeOver.scheduler_jobs)
    lines.push(`#   pause scheduler job ${job.id}: ${job.replaced_by}`);
  for (const fn of takeOver.functions)
    lines.push(
      `#   detach ${fn.name}'s push subscriptions on ${fn.topic} (each becomes a pull subscription nobody reads; its push config is recorded): ${fn.replaced_by}`,
    );
  lines.push(TAKE_OVER_HELPERS, 'if [ "$TAKE_OVER" = yes ]; then');
  for (const job of takeOver.scheduler_jobs)
    lines.push(
      `  if exists ${schedulerJob('describe', job.id, topology)}; then ${schedulerJob('pause', job.id, topology)}; else echo ${quote(`scheduler job ${job.id} does not exist: nothing to pause`)} >&2; fi`,
    );
  for (const fn of takeOver.functions) {
    const incumbent = incumbentFunction(topology, fn);
    lines.push(
      `  if ${incumbent.exists}; then detach_pushing_to ${incumbent.read('serviceConfig.uri')} ${fn.topic} ${incumbent.label}; ` +
        `else echo ${quote(`incumbent function ${fn.name} is not deployed: nothing to take over`)} >&2; fi`,
    );
  }
  lines.push('fi');
  return lines;
}
