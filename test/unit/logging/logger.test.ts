import { describe, expect, it } from 'vitest';
import { createLogger, type Severity, traceField } from '../../../shared/logging/logger.js';

/** A destination that keeps what the logger writes, as Cloud Logging's agent would read it from stdout. */
function capture() {
  const chunks: string[] = [];
  return {
    destination: { write: (chunk: string) => void chunks.push(chunk) },
    /** every entry, parsed; fails if a chunk is not exactly one JSON line */
    entries(): Array<Record<string, unknown>> {
      return chunks.map((chunk) => {
        expect(chunk.endsWith('\n')).toBe(true);
        expect(chunk.slice(0, -1)).not.toContain('\n');
        return JSON.parse(chunk);
      });
    },
    raw: chunks,
  };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('createLogger', () => {
  it('writes one JSON line per entry with severity, message and an ISO time', () => {
    const out = capture();
    const logger = createLogger({}, out.destination);
    logger.info('gate opened');
    logger.error('publish failed');
    const entries = out.entries();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({ severity: 'INFO', message: 'gate opened', time: expect.any(String) });
    expect(new Date(entries[0]!.time as string).toISOString()).toBe(entries[0]!.time);
    expect(entries[1]).toMatchObject({ severity: 'ERROR', message: 'publish failed' });
  });

  it.each<[string, (logger: ReturnType<typeof createLogger>) => void, Severity]>([
    ['debug', (logger) => logger.debug('m'), 'DEBUG'],
    ['info', (logger) => logger.info('m'), 'INFO'],
    ['notice', (logger) => logger.notice('m'), 'NOTICE'],
    ['warning', (logger) => logger.warning('m'), 'WARNING'],
    ['error', (logger) => logger.error('m'), 'ERROR'],
    ['critical', (logger) => logger.critical('m'), 'CRITICAL'],
    ['log(ALERT)', (logger) => logger.log('ALERT', 'm'), 'ALERT'],
    ['log(WARNING)', (logger) => logger.log('WARNING', 'm'), 'WARNING'],
  ])('%s is written with Cloud Logging severity %s', (_method, write, severity) => {
    const out = capture();
    write(createLogger({}, out.destination));
    expect(out.entries()).toEqual([{ severity, message: 'm', time: expect.any(String) }]);
  });

  it('carries function, event id, trace, game date and correlation id through child loggers', () => {
    const out = capture();
    const root = createLogger({ function: 'phaseTransition' }, out.destination);
    const perEvent = root.child({
      event_id: 'evt-17',
      ...traceField('nba-props-platform', { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }),
    });
    perEvent
      .child({ game_date: '2026-01-18', correlation_id: 'corr-42' })
      .notice('phase 4 triggered', { degraded: false, source_tables: 5 });
    expect(out.entries()).toEqual([
      {
        severity: 'NOTICE',
        message: 'phase 4 triggered',
        time: expect.any(String),
        function: 'phaseTransition',
        event_id: 'evt-17',
        'logging.googleapis.com/trace': `projects/nba-props-platform/traces/${TRACE_ID}`,
        game_date: '2026-01-18',
        correlation_id: 'corr-42',
        degraded: false,
        source_tables: 5,
      },
    ]);
  });

  it('a child does not change its parent', () => {
    const out = capture();
    const root = createLogger({ function: 'recordCount' }, out.destination);
    root.child({ game_date: '2026-01-17' }).info('child');
    root.info('parent');
    expect(out.entries().map((entry) => entry.game_date)).toEqual(['2026-01-17', undefined]);
  });

  it('a field named severity, message or time cannot override the entry’s own', () => {
    const out = capture();
    createLogger({ function: 'f' }, out.destination)
      .child({ time: 'then' })
      .error('processor failed', { severity: 'DEBUG', message: 'from the processor' });
    for (const key of ['severity', 'message', 'time'])
      expect(out.raw[0]!.match(new RegExp(`"${key}":`, 'g')), key).toHaveLength(1);
    expect(out.entries()[0]).toMatchObject({
      severity: 'ERROR',
      message: 'processor failed',
      field_severity: 'DEBUG',
      field_message: 'from the processor',
      field_time: 'then',
    });
  });
});

describe('traceField', () => {
  const field = (trace: string) => ({ 'logging.googleapis.com/trace': `projects/p1/traces/${trace}` });
  it.each([
    ['a W3C traceparent', { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }, field(TRACE_ID)],
    [
      'X-Cloud-Trace-Context',
      { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
      field('105445aa7843bc8bf206b12000100000'),
    ],
    [
      'X-Cloud-Trace-Context without a span',
      { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000' },
      field('105445aa7843bc8bf206b12000100000'),
    ],
    [
      'X-Cloud-Trace-Context in upper case',
      { 'x-cloud-trace-context': '105445AA7843BC8BF206B12000100000/1' },
      field('105445aa7843bc8bf206b12000100000'),
    ],
    [
      'traceparent before X-Cloud-Trace-Context',
      {
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
        'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1',
      },
      field(TRACE_ID),
    ],
    [
      'an all-zero traceparent (invalid) falls back to X-Cloud-Trace-Context',
      {
        traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
        'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1',
      },
      field('105445aa7843bc8bf206b12000100000'),
    ],
    ['an all-zero traceparent alone', { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }, {}],
    ['a malformed traceparent', { traceparent: 'not-a-trace' }, {}],
    ['a short trace id', { 'x-cloud-trace-context': '105445aa/1' }, {}],
    ['no headers', {}, {}],
  ])('%s', (_case, headers, expected) => {
    expect(traceField('p1', headers)).toEqual(expected);
  });

  it('without a project there is no trace field (Cloud Logging needs the project in it)', () => {
    expect(traceField(undefined, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` })).toEqual({});
  });
});
