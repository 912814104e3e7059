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
