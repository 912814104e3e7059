/**
 * Emitters name processors by class (`AsyncUpcomingPlayerGameContextProcessor`)
 * as often as by table (`upcoming_player_game_context`). Both map to the
 * snake_case name: CamelCase to snake_case, minus a leading `Async` and a
 * trailing `Processor`.
 */
export function normaliseProcessorName(raw: string): string {
  const trimmed = raw.trim();
  if (/^[a-z0-9_]+$/.test(trimmed)) return trimmed.replace(/_processor$/, '');
  const withoutAffixes = trimmed.replace(/^Async(?=[A-Z])/, '').replace(/Processor$/, '');
  return withoutAffixes
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
}

/** The parts of a configured processor that say which names are its own. */
export interface ProcessorNames {
  name: string;
  incumbent_names?: readonly string[];
  table?: string | undefined;
}

const tablePart = (table: string): string => table.slice(table.lastIndexOf('.') + 1);

/**
 * Which configured processor a completion is about, or undefined when none:
 * its name as sent (class or snake_case) against each processor's name and
 * incumbent names, compared as sent and normalised; failing that, the
 * message's `output_table` (with or without its dataset) against each
 * processor's table and incumbent names, the way the incumbent's
 * `normalize_processor_name(raw_name, output_table)` falls back to it.
 */
export function identifyProcessor<P extends ProcessorNames>(
  processors: readonly P[],
  reportedName: string,
  outputTable?: string,
): P | undefined {
  const normalised = normaliseProcessorName(reportedName);
  const byName = processors.find(
    (processor) =>
      processor.name === reportedName ||
      processor.name === normalised ||
      (processor.incumbent_names ?? []).some(
        (name) => name === reportedName || normaliseProcessorName(name) === normalised,
      ),
  );
  if (byName || !outputTable) return byName;
  const table = tablePart(outputTable.trim());
  return processors.find(
    (processor) =>
      (processor.table !== undefined && tablePart(processor.table) === table) ||
      (processor.incumbent_names ?? []).includes(table),
  );
}
