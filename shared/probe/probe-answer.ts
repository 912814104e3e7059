import { z } from 'zod';

/**
 * What a probe reports. A check is `green` (works), `red` (broken: alerts), or
 * `skipped` (not applicable here, with the reason in `detail`).
 */
export const CheckStatus = z.enum(['green', 'red', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const ProbeCheck = z.object({
  check: z.string().min(1),
  status: CheckStatus,
  latency_ms: z.number().nonnegative(),
  detail: z.string(),
});
export type ProbeCheck = z.infer<typeof ProbeCheck>;

/** One function's answer to a probe request. */
export const ProbeAnswer = z.object({
  function: z.string(),
  status: z.enum(['green', 'red']),
  checks: z.array(ProbeCheck),
});
export type ProbeAnswer = z.infer<typeof ProbeAnswer>;

export function overallStatus(checks: readonly ProbeCheck[]): 'green' | 'red' {
  return checks.some((check) => check.status === 'red') ? 'red' : 'green';
}

/** Times `work`; a throw is a red check carrying the error message (values of secrets never reach it). */
export async function timedCheck(
  check: string,
  work: () => Promise<string | { status: CheckStatus; detail: string }>,
): Promise<ProbeCheck> {
  const started = performance.now();
  try {
    const outcome = await work();
    const { status, detail } =
      typeof outcome === 'string' ? { status: 'green' as const, detail: outcome } : outcome;
    return { check, status, latency_ms: elapsed(started), detail };
  } catch (error) {
    return { check, status: 'red', latency_ms: elapsed(started), detail: firstLine(error) };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 500);
}
