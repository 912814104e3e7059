import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type DeployStep, renderCommand } from '../../infra/plan.js';

const run = promisify(execFile);

export interface StepOutcome {
  resource: string;
  action: 'created' | 'updated' | 'unchanged' | 'applied';
}

/** Runs the plan idempotently: describe, then create or update only what is missing or different. */
export async function applyPlan(
  steps: DeployStep[],
  options: { gcloud?: string; log?: (line: string) => void; variables?: Record<string, string> } = {},
): Promise<StepOutcome[]> {
  const gcloud = options.gcloud ?? 'gcloud';
  const log = options.log ?? ((line: string) => console.log(line));
  // `${PROJECT_NUMBER}`, `${ALERTS_CHANNEL}`: values only known once the project and the channel exist.
  const substitute = (argv: string[]) =>
    argv
      .slice(1)
      .map((argument) =>
        argument.replace(
          /\$\{([A-Z_]+)\}/g,
          (placeholder, name: string) => options.variables?.[name] ?? placeholder,
        ),
      );
  const outcomes: StepOutcome[] = [];
  for (const step of steps) {
    let action: StepOutcome['action'] = 'applied';
    let described: Record<string, unknown> | undefined;
    if (step.describe) {
      const answer = await run(gcloud, substitute(step.describe)).then(
        ({ stdout }) => JSON.parse(stdout || '{}') as unknown,
        () => undefined,
      );
      const exists = answer !== undefined && (step.exists ? step.exists(answer) : true);
      described = exists ? (answer as Record<string, unknown>) : undefined;
    }
    if (step.describe && described === undefined) {
      await run(gcloud, substitute(step.create));
      action = 'created';
    } else if (described && step.update && step.differs?.(described)) {
      await run(gcloud, substitute(step.update));
      action = 'updated';
    } else if (described) {
      action = 'unchanged';
    } else {
      await run(gcloud, substitute(step.create));
    }
    log(
      `${action.padEnd(9)} ${step.resource}${action === 'created' || action === 'updated' ? `  (${renderCommand(step.create).slice(0, 80)}...)` : ''}`,
    );
    outcomes.push({ resource: step.resource, action });
  }
  return outcomes;
}
