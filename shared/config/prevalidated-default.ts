/**
 * The default pipeline config as `scripts/build.ts` parsed and checked it, as
 * JSON: a deployed function without an override starts from it instead of
 * running the zod schema over the defaults on its first event (the first
 * parse of a zod schema is its slowest). The build replaces this module; run
 * from source there is none, and the defaults are parsed as any override is.
 */
export const PREVALIDATED_DEFAULT_JSON: string | undefined = undefined;
