import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { CompletionMessage } from '../../shared/messages/completion.js';
import { identifyProcessor } from '../../shared/messages/processor-name.js';
import { checkScenario } from '../../scripts/replay/scenario.js';
import { incidentJson } from './build-incident-scenario.js';
import { COMPLETION_TOPICS } from './incumbent-messages.js';
import { normalDayJson } from './build-normal-day-scenario.js';

const config = loadPipelineConfig({});
const checkedIn = (file: string) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');

/** The order of `UnifiedPubSubPublisher._build_message` (shared/publishers/unified_pubsub_publisher.py). */
const ENVELOPE_FIELDS = [
  'processor_name',
  'phase',
  'execution_id',
  'correlation_id',
  'game_date',
  'output_table',
  'output_dataset',
  'status',
  'record_count',
  'records_failed',
  'timestamp',
  'duration_seconds',
  'parent_processor',
  'trigger_source',
  'trigger_message_id',
  'error_message',
  'error_type',
  'metadata',
];

describe.each([
  ['normal-day.json', normalDayJson],
  ['2026-01-18-incident.json', incidentJson],
])('%s', (file, built) => {
  const scenario = JSON.parse(checkedIn(file)) as {
    events: Array<{ at: string; publish?: { topic: string; data: Record<string, unknown> } }>;
  };
  const completions = scenario.events.flatMap((event) =>
    event.publish && (Object.values(COMPLETION_TOPICS) as string[]).includes(event.publish.topic)
      ? [event.publish]
      : [],
  );

  it('is what its builder writes (rebuild with npx tsx test/scenarios/build-*-scenario.ts)', () => {
    expect(checkedIn(file) === built).toBe(true);
  });

  it('passes the scenario check', () => {
    expect(() => checkScenario(scenario, file)).not.toThrow();
  });

  it('carries completions in the incumbent envelope, named by class, each a processor shotclock knows', () => {
    expect(completions.length).toBeGreaterThan(5);
    for (const { topic, data } of completions) {
      const keys = Object.keys(data);
      expect(keys).toEqual(ENVELOPE_FIELDS.filter((field) => keys.includes(field)));
      expect(data.processor_name).toMatch(/^[A-Z][A-Za-z0-9]+Processor$/);
      expect(data.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(data.execution_id).toMatch(/^[0-9a-f]{8}$/);
      expect(CompletionMessage.safeParse(data).success).toBe(true);
      const phase = config.phases.find((candidate) => candidate.completion_topic === topic)!;
      const known = identifyProcessor(phase.processors, String(data.processor_name));
      expect(known, `${String(data.processor_name)} on ${topic}`).toBeDefined();
    }
  });
});
