import { writeFileSync } from 'node:fs';

/** A scenario as checked in: one row per line, so diffs read well without a 100k-line file. */
export function scenarioJson(scenario: unknown): string {
  return `${JSON.stringify(scenario, null, 1).replace(/\{\n\s+("[^{}[\]]*?)\n\s*\}/g, (block) =>
    block.replace(/\n\s*/g, ' '),
  )}\n`;
}

/** Run as a script (`npx tsx <builder>`): writes the JSON beside the builder. */
export function writeWhenRunAsScript(
  builderUrl: string,
  fileName: string,
  json: string,
  events: number,
): void {
  if (!process.argv[1] || !builderUrl.endsWith(process.argv[1].split('/').pop()!)) return;
  writeFileSync(new URL(`./${fileName}`, builderUrl), json);
  console.log(`wrote ${fileName}: ${events} events`);
}
