import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSchemas, readCheckedInSchemas } from '../../../scripts/generate-schemas.js';

/** What differs between the generated schemas and the checked-in ones, one line per file. */
function schemaDrift(generated: Map<string, string>, checkedIn: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of generated) {
    if (!checkedIn.has(file)) problems.push(`schemas/${file} is missing: run \`npm run schemas\``);
    else if (checkedIn.get(file) !== text)
      problems.push(`schemas/${file} is out of date with its zod schema: run \`npm run schemas\``);
  }
  for (const file of checkedIn.keys())
    if (!generated.has(file))
      problems.push(`schemas/${file} has no zod schema any more: run \`npm run schemas\` (it removes it)`);
  return problems;
}

describe('JSON Schema files', () => {
  it('the checked-in schemas/ match the zod schemas of shared/messages', async () => {
    expect(schemaDrift(await generateSchemas(), readCheckedInSchemas())).toEqual([]);
  });

  it('cover the message contracts, on the input side (what a publisher may send)', async () => {
    const generated = await generateSchemas();
    for (const file of [
      'completion.CompletionMessage.schema.json',
      'completion.ProcessorCompletion.schema.json',
      'completion.LegacyCompletion.schema.json',
      'phase4-trigger.Phase4Trigger.schema.json',
      'rerun-request.RerunRequest.schema.json',
      'alert.Alert.schema.json',
      'dead-letter.DeadLetter.schema.json',
      'tick.SchedulerTick.schema.json',
    ])
      expect(generated.has(file), file).toBe(true);
    // not messages: primitives and enums stay inline
    expect(
      [...generated.keys()].filter((file) => /GameDate|AlertSeverity|CompletionStatus/.test(file)),
    ).toEqual([]);

    const completion = JSON.parse(generated.get('completion.CompletionMessage.schema.json')!);
    // input side: the legacy shape is one of the accepted shapes, and class names pass the pattern
    expect(completion.anyOf.map((shape: { required: string[] }) => shape.required)).toEqual([
      ['processor_name', 'game_date', 'status'],
      ['processor', 'data_date', 'status'],
    ]);
    expect(
      new RegExp(completion.anyOf[0].properties.processor_name.pattern).test(
        'AsyncUpcomingPlayerGameContextProcessor',
      ),
    ).toBe(true);

    const trigger = JSON.parse(generated.get('phase4-trigger.Phase4Trigger.schema.json')!);
    expect(trigger.required).toContain('source_table');
  });

  it('names the drifted file and says to run npm run schemas', () => {
    const generated = new Map([
      ['a.A.schema.json', '{"type":"object"}\n'],
      ['b.B.schema.json', '{"type":"object","required":["x"]}\n'],
    ]);
    const checkedIn = new Map([
      ['b.B.schema.json', '{"type":"object"}\n'],
      ['c.C.schema.json', '{"type":"object"}\n'],
    ]);
    expect(schemaDrift(generated, checkedIn)).toEqual([
      'schemas/a.A.schema.json is missing: run `npm run schemas`',
      'schemas/b.B.schema.json is out of date with its zod schema: run `npm run schemas`',
      'schemas/c.C.schema.json has no zod schema any more: run `npm run schemas` (it removes it)',
    ]);
  });

  it('discovers a new message module without being told about it', async () => {
    const dir = mkdtempSync(join(dirname(fileURLToPath(import.meta.url)), 'tmp-messages-'));
    try {
      writeFileSync(
        join(dir, 'probe-report.ts'),
        [
          "import { z } from 'zod';",
          "export const ProbeStatus = z.enum(['green', 'red']);",
          'export const ProbeReport = z.object({ status: ProbeStatus, checked_at: z.string() });',
          'export const notASchema = 42;',
        ].join('\n'),
      );
      const generated = await generateSchemas(dir);
      expect([...generated.keys()]).toEqual(['probe-report.ProbeReport.schema.json']);
      expect(JSON.parse(generated.get('probe-report.ProbeReport.schema.json')!)).toMatchObject({
        title: 'ProbeReport',
        type: 'object',
        properties: { status: { enum: ['green', 'red'] } },
        required: ['status', 'checked_at'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
