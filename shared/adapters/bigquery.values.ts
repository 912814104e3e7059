import {
  BigQueryDate,
  BigQueryDatetime,
  BigQueryInt,
  BigQueryTime,
  BigQueryTimestamp,
  Geography,
} from '@google-cloud/bigquery';

/**
 * The BigQuery client's row values, turned into the port's plain values
 * (`shared/ports/warehouse.port.ts`), one type at a time:
 * - NUMERIC / BIGNUMERIC arrive as big.js objects: a number when the number
 *   says exactly the same decimal, else the exact decimal text (never a
 *   big.js object, whose `+` concatenates strings);
 * - INT64 arrives as `BigQueryInt` (the adapter asks for `wrapIntegers`): a
 *   number up to 2^53, beyond it the exact decimal text;
 * - DATE `YYYY-MM-DD`; DATETIME `YYYY-MM-DDTHH:MM:SS[.ffffff]`, civil time
 *   with no zone (never read as UTC); TIMESTAMP ISO 8601 in UTC;
 * - JSON is parsed (the adapter asks for `parseJSON`); BYTES base64;
 *   ARRAY and STRUCT element by element.
 */
export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value !== 'object') return value;
  if (value instanceof BigQueryInt) return plainInteger(value.value);
  if (value instanceof BigQueryDate) return value.value;
  if (value instanceof BigQueryDatetime) return value.value.replace(' ', 'T');
  // Microsecond timestamps come as nanoseconds (`.000123000Z`): trailing zeros go, milliseconds stay.
  if (value instanceof BigQueryTimestamp) return value.value.replace(/(\.\d{3,}?)0+Z$/, '$1Z');
  if (value instanceof BigQueryTime) return value.value;
  if (value instanceof Geography) return value.value;
  if (isBigDecimal(value)) return plainDecimal(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
}

export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainValue(value)]));
}

function plainInteger(text: string): number | string {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/** big.js, as the client builds NUMERIC values; recognised by shape since the package is the client's own. */
interface BigDecimal {
  c: number[];
  e: number;
  s: number;
  toFixed(): string;
}

function isBigDecimal(value: object): value is BigDecimal {
  const candidate = value as Partial<BigDecimal>;
  return (
    Array.isArray(candidate.c) &&
    typeof candidate.e === 'number' &&
    (candidate.s === 1 || candidate.s === -1) &&
    typeof candidate.toFixed === 'function'
  );
}

function plainDecimal(value: BigDecimal): number | string {
  const text = value.toFixed();
  const number = Number(text);
  return canonicalDecimal(String(number)) === canonicalDecimal(text) ? number : text;
}

/** `-0.50` and `-0.5` are the same decimal; so are `1e21` and `1000000000000000000000`. */
function canonicalDecimal(text: string): string {
  if (/e/i.test(text)) return text;
  const negative = text.startsWith('-');
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  const digits = `${whole.replace(/^0+(?=\d)/, '')}.${fraction.replace(/0+$/, '')}`.replace(/\.$/, '');
  return negative && digits !== '0' ? `-${digits}` : digits;
}
