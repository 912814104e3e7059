import { pino, type DestinationStream } from 'pino';

/** Cloud Logging severities (a closed set: anything else shows up as DEFAULT). */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'ALERT';

/** Fields Cloud Logging and our dashboards key on; anything else goes alongside. */
export interface LogContext {
  function?: string;
  event_id?: string;
  game_date?: string;
  correlation_id?: string;
  /** `projects/<project>/traces/<trace id>` */
  'logging.googleapis.com/trace'?: string;
  [field: string]: unknown;
}

export interface Logger {
  log(severity: Severity, message: string, fields?: LogContext): void;
  debug(message: string, fields?: LogContext): void;
  info(message: string, fields?: LogContext): void;
  notice(message: string, fields?: LogContext): void;
  warning(message: string, fields?: LogContext): void;
  error(message: string, fields?: LogContext): void;
  critical(message: string, fields?: LogContext): void;
  child(context: LogContext): Logger;
}

const PINO_LEVEL: Record<Severity, string> = {
  DEBUG: 'debug',
  INFO: 'info',
  NOTICE: 'notice',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'critical',
  ALERT: 'alert',
};
const SEVERITY_OF_LEVEL: Record<number, Severity> = {
  20: 'DEBUG',
  30: 'INFO',
  35: 'NOTICE',
  40: 'WARNING',
  50: 'ERROR',
  55: 'CRITICAL',
  60: 'ALERT',
};

/**
 * One JSON line per entry, in the shape Cloud Logging reads without an agent:
 * `severity`, `message`, `time`, plus the context fields.
 */
export function createLogger(context: LogContext = {}, destination?: DestinationStream): Logger {
  const base = pino(
    {
      messageKey: 'message',
      base: undefined,
      level: 'debug',
      customLevels: { notice: 35, critical: 55, alert: 60 },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (_label, number) => ({ severity: SEVERITY_OF_LEVEL[number] ?? 'DEFAULT' }),
      },
    },
    destination ?? pino.destination({ sync: true }),
  ).child(withoutReservedKeys(context));
  return wrap(base as unknown as PinoLike);
}

interface PinoLike {
  child(bindings: object): PinoLike;
}

/** Keys the entry itself owns: a field with one of these names would repeat the key in the JSON line. */
const RESERVED_KEYS = new Set(['severity', 'message', 'time']);

/** `severity` in the fields would otherwise follow the real one and win when Cloud Logging parses the line. */
function withoutReservedKeys(fields: LogContext | undefined): LogContext {
  if (!fields) return {};
  if (!Object.keys(fields).some((key) => RESERVED_KEYS.has(key))) return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [RESERVED_KEYS.has(key) ? `field_${key}` : key, value]),
  );
}

function wrap(instance: PinoLike): Logger {
  const write = (severity: Severity, message: string, fields?: LogContext) => {
    const method = PINO_LEVEL[severity];
    (instance as unknown as Record<string, (fields: object, message: string) => void>)[method]?.(
      withoutReservedKeys(fields),
      message,
    );
  };
  return {
    log: write,
    debug: (message, fields) => write('DEBUG', message, fields),
    info: (message, fields) => write('INFO', message, fields),
    notice: (message, fields) => write('NOTICE', message, fields),
    warning: (message, fields) => write('WARNING', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
    critical: (message, fields) => write('CRITICAL', message, fields),
    child: (context) => wrap(instance.child(withoutReservedKeys(context))),
  };
}

/**
 * The trace field from a W3C `traceparent` or a legacy `X-Cloud-Trace-Context`
 * header, so entries group under the request in the Logs Explorer.
 */
export function traceField(
  project: string | undefined,
  headers: { traceparent?: string; 'x-cloud-trace-context'?: string },
): LogContext {
  // an all-zero trace id is invalid (W3C trace context); X-Cloud-Trace-Context may come in upper case
  const valid = (id: string | undefined) => (id && !/^0+$/.test(id) ? id.toLowerCase() : undefined);
  const traceId =
    valid(headers.traceparent?.match(/^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}/)?.[1]) ??
    valid(headers['x-cloud-trace-context']?.match(/^([\da-fA-F]{32})(\/|;|$)/)?.[1]);
  if (!traceId || !project) return {};
  return { 'logging.googleapis.com/trace': `projects/${project}/traces/${traceId}` };
}
