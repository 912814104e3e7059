import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import type { TableDeclaration } from '../../shared/config/tables.js';

/**
 * Google's SQL front end (ZetaSQL's local service, shipped as a Linux binary
 * by `@fivetrandevelopers/zetasql`), set up the way BigQuery sets it up:
 * PRODUCT_EXTERNAL, and the language features and statement kinds of the
 * `BigQueryLanguageOptions` in Google's zetasql-toolkit
 * (GoogleCloudPlatform/professional-services, tools/zetasql-helper). Started
 * once per test file on a free loopback port; stopped by pid.
 */
const BIGQUERY_FEATURES = [
  'ALLOW_MISSING_PATH_EXPRESSION_IN_ALTER_DDL',
  'ALTER_COLUMN_SET_DATA_TYPE',
  'ALTER_TABLE_RENAME_COLUMN',
  'ANALYTIC_FUNCTIONS',
  'ANONYMIZATION',
  'BIGNUMERIC_TYPE',
  'CBRT_FUNCTIONS',
  'CREATE_EXTERNAL_TABLE_WITH_CONNECTION',
  'CREATE_EXTERNAL_TABLE_WITH_PARTITION_COLUMNS',
  'CREATE_EXTERNAL_TABLE_WITH_TABLE_ELEMENT_LIST',
  'CREATE_MATERIALIZED_VIEW_CLUSTER_BY',
  'CREATE_MATERIALIZED_VIEW_PARTITION_BY',
  'CREATE_SNAPSHOT_TABLE',
  'CREATE_TABLE_AS_SELECT_COLUMN_LIST',
  'CREATE_TABLE_CLONE',
  'CREATE_TABLE_CLUSTER_BY',
  'CREATE_TABLE_COPY',
  'CREATE_TABLE_FIELD_ANNOTATIONS',
  'CREATE_TABLE_FUNCTION',
  'CREATE_TABLE_LIKE',
  'CREATE_TABLE_NOT_NULL',
  'CREATE_TABLE_PARTITION_BY',
  'CREATE_VIEW_WITH_COLUMN_LIST',
  'DML_UPDATE_WITH_JOIN',
  'ENCRYPTION',
  'FOREIGN_KEYS',
  'GEOGRAPHY',
  'GROUP_BY_ROLLUP',
  'INTERVAL_TYPE',
  'INVERSE_TRIG_FUNCTIONS',
  'JSON_ARRAY_FUNCTIONS',
  'JSON_TYPE',
  'JSON_VALUE_EXTRACTION_FUNCTIONS',
  'NAMED_ARGUMENTS',
  'NUMERIC_TYPE',
  'PARAMETERIZED_TYPES',
  'PARAMETERS_IN_GRANTEE_LIST',
  'ROUND_WITH_ROUNDING_MODE',
  'TABLESAMPLE',
  'TABLE_VALUED_FUNCTIONS',
  'TEMPLATE_FUNCTIONS',
  'TIMESTAMP_NANOS',
  'TIME_BUCKET_FUNCTIONS',
  'UNENFORCED_PRIMARY_KEYS',
  'V_1_1_HAVING_IN_AGGREGATE',
  'V_1_1_LIMIT_IN_AGGREGATE',
  'V_1_1_NULL_HANDLING_MODIFIER_IN_AGGREGATE',
  'V_1_1_NULL_HANDLING_MODIFIER_IN_ANALYTIC',
  'V_1_1_ORDER_BY_IN_AGGREGATE',
  'V_1_1_SELECT_STAR_EXCEPT_REPLACE',
  'V_1_2_CIVIL_TIME',
  'V_1_2_SAFE_FUNCTION_CALL',
  'V_1_2_WEEK_WITH_WEEKDAY',
  'V_1_3_ADDITIONAL_STRING_FUNCTIONS',
  'V_1_3_ALLOW_DASHES_IN_TABLE_NAME',
  'V_1_3_ALLOW_REGEXP_EXTRACT_OPTIONALS',
  'V_1_3_ANNOTATION_FRAMEWORK',
  'V_1_3_CASE_STMT',
  'V_1_3_COLLATION_SUPPORT',
  'V_1_3_COLUMN_DEFAULT_VALUE',
  'V_1_3_CONCAT_MIXED_TYPES',
  'V_1_3_DATE_ARITHMETICS',
  'V_1_3_DATE_TIME_CONSTRUCTORS',
  'V_1_3_DECIMAL_ALIAS',
  'V_1_3_EXTENDED_DATE_TIME_SIGNATURES',
  'V_1_3_EXTENDED_GEOGRAPHY_PARSERS',
  'V_1_3_FORMAT_IN_CAST',
  'V_1_3_FOR_IN',
  'V_1_3_IS_DISTINCT',
  'V_1_3_LIKE_ANY_SOME_ALL',
  'V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY',
  'V_1_3_OMIT_INSERT_COLUMN_LIST',
  'V_1_3_PIVOT',
  'V_1_3_QUALIFY',
  'V_1_3_REMOTE_FUNCTION',
  'V_1_3_REPEAT',
  'V_1_3_SCRIPT_LABEL',
  'V_1_3_UNNEST_AND_FLATTEN_ARRAYS',
  'V_1_3_UNPIVOT',
  'V_1_3_WITH_GROUP_ROWS',
  'V_1_3_WITH_RECURSIVE',
  // Not in the toolkit's list, but BigQuery runs a WITH inside a subquery (a MERGE's USING here).
  'V_1_1_WITH_ON_SUBQUERY',
].map((name) => `FEATURE_${name}`);

/** The statements BigQuery runs (queries, DML, MERGE, DDL); anything else is rejected as unsupported. */
const BIGQUERY_STATEMENT_KINDS = [
  'ADD_CONSTRAINT_ACTION',
  'ALTER_ENTITY_STMT',
  'ALTER_MATERIALIZED_VIEW_STMT',
  'ALTER_MODEL_STMT',
  'ALTER_SCHEMA_STMT',
  'ALTER_TABLE_STMT',
  'ALTER_VIEW_STMT',
  'ASSERT_STMT',
  'ASSIGNMENT_STMT',
  'AUX_LOAD_DATA_STMT',
  'BEGIN_STMT',
  'CALL_STMT',
  'COMMIT_STMT',
  'CREATE_ENTITY_STMT',
  'CREATE_EXTERNAL_TABLE_STMT',
  'CREATE_FUNCTION_STMT',
  'CREATE_INDEX_STMT',
  'CREATE_MATERIALIZED_VIEW_STMT',
  'CREATE_MODEL_STMT',
  'CREATE_PROCEDURE_STMT',
  'CREATE_ROW_ACCESS_POLICY_STMT',
  'CREATE_SCHEMA_STMT',
  'CREATE_SNAPSHOT_TABLE_STMT',
  'CREATE_TABLE_AS_SELECT_STMT',
  'CREATE_TABLE_FUNCTION_STMT',
  'CREATE_TABLE_STMT',
  'CREATE_VIEW_STMT',
  'DELETE_STMT',
  'DROP_CONSTRAINT_ACTION',
  'DROP_FUNCTION_STMT',
  'DROP_MATERIALIZED_VIEW_STMT',
  'DROP_ROW_ACCESS_POLICY_STMT',
  'DROP_SEARCH_INDEX_STMT',
  'DROP_SNAPSHOT_TABLE_STMT',
  'DROP_STMT',
  'DROP_TABLE_FUNCTION_STMT',
  'EXECUTE_IMMEDIATE_STMT',
  'EXPORT_DATA_STMT',
  'EXPORT_MODEL_STMT',
  'GRANT_STMT',
  'INSERT_STMT',
  'MERGE_STMT',
  'QUERY_STMT',
  'REVOKE_STMT',
  'ROLLBACK_STMT',
  'TRUNCATE_STMT',
  'UPDATE_STMT',
].map((name) => `RESOLVED_${name}`);

/** GoogleSQL type names (declarations, parameters) as ZetaSQL's TypeKind. */
const TYPE_KIND: Readonly<Record<string, string>> = {
  STRING: 'TYPE_STRING',
  INT64: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  NUMERIC: 'TYPE_NUMERIC',
  BIGNUMERIC: 'TYPE_BIGNUMERIC',
  BOOL: 'TYPE_BOOL',
  DATE: 'TYPE_DATE',
  DATETIME: 'TYPE_DATETIME',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  JSON: 'TYPE_JSON',
  BYTES: 'TYPE_BYTES',
};

export function typeKind(googleSqlType: string): string {
  const kind = TYPE_KIND[googleSqlType];
  if (!kind) throw new Error(`no ZetaSQL type for ${googleSqlType}`);
  return kind;
}

const packageRoot = dirname(createRequire(import.meta.url).resolve('@fivetrandevelopers/zetasql'));

/** Enum names the shipped service knows; a name it does not know would fail the whole request. */
function knownNames(protoFile: string, pattern: RegExp): Set<string> {
  return new Set(
    readFileSync(join(packageRoot, 'zetasql', 'protos', protoFile), 'utf8').match(pattern) ?? [],
  );
}

export function bigQueryLanguageOptions() {
  const features = knownNames('zetasql/public/options.proto', /\bFEATURE_[A-Z0-9_]+/g);
  const kinds = knownNames('zetasql/resolved_ast/resolved_node_kind.proto', /\bRESOLVED_[A-Z0-9_]+/g);
  return {
    options: {
      nameResolutionMode: 'NAME_RESOLUTION_DEFAULT',
      productMode: 'PRODUCT_EXTERNAL',
      enabledLanguageFeatures: BIGQUERY_FEATURES.filter((name) => features.has(name)),
      supportedStatementKinds: BIGQUERY_STATEMENT_KINDS.filter((name) => kinds.has(name)),
      reservedKeywords: ['QUALIFY'],
    },
    /** BigQuery features this build of ZetaSQL does not have (left out rather than failing every request) */
    unknown: [
      ...BIGQUERY_FEATURES.filter((name) => !features.has(name)),
      ...BIGQUERY_STATEMENT_KINDS.filter((name) => !kinds.has(name)),
    ],
  };
}

/** The catalog: one sub-catalog per dataset, one table per declaration, columns with their GoogleSQL types. */
export function catalogOf(tables: Readonly<Record<string, TableDeclaration>>) {
  const datasets = new Map<string, unknown[]>();
  for (const [name, declaration] of Object.entries(tables)) {
    const [dataset, table] = name.split('.') as [string, string];
    const list = datasets.get(dataset) ?? [];
    list.push({
      name: table,
      fullName: name,
      column: Object.entries(declaration.columns).map(([column, type]) => ({
        name: column,
        type: { typeKind: typeKind(type.type) },
      })),
    });
    datasets.set(dataset, list);
  }
  const { options } = bigQueryLanguageOptions();
  return {
    name: 'shotclock',
    builtinFunctionOptions: { languageOptions: options },
    catalog: [...datasets].map(([name, table]) => ({ name, table })),
  };
}

export interface Analysis {
  ok: boolean;
  error?: string;
  /** the resolved statement (ZetaSQL's resolved AST, as JSON) */
  resolved?: unknown;
}

export interface GoogleSqlAnalyzer {
  analyze(sql: string, parameterTypes: Readonly<Record<string, string>>): Promise<Analysis>;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts ZetaSQL's local service and registers the catalog once. */
export async function startGoogleSqlAnalyzer(
  tables: Readonly<Record<string, TableDeclaration>>,
): Promise<GoogleSqlAnalyzer> {
  const binary = join(
    packageRoot,
    'zetasql',
    process.arch === 'arm64' ? 'remote_server_arm.so' : 'remote_server.so',
  );
  const port = await freePort();
  const service: ChildProcess = spawn(binary, ['127.0.0.1', String(port)], { stdio: 'ignore' });
  const stop = () => {
    if (service.exitCode === null && service.pid !== undefined) process.kill(service.pid, 'SIGKILL');
  };
  try {
    ZetaSQLClient.init(port);
    const client = ZetaSQLClient.getInstance();
    if (!(await client.testConnection())) throw new Error(`ZetaSQL did not answer on 127.0.0.1:${port}`);
    const registered = await client.registerCatalog({ simpleCatalog: catalogOf(tables) as never });
    const catalogId = registered?.registeredId;
    const { options } = bigQueryLanguageOptions();
    return {
      stop,
      async analyze(sql, parameterTypes) {
        try {
          const response = await client.analyze({
            registeredCatalogId: catalogId,
            sqlStatement: sql,
            options: {
              languageOptions: options as never,
              errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
              queryParameters: Object.entries(parameterTypes).map(([name, type]) => ({
                name,
                type: { typeKind: typeKind(type) as never },
              })),
            },
          });
          return { ok: true, resolved: response?.resolvedStatement };
        } catch (error) {
          return { ok: false, error: (error as { details?: string }).details ?? String(error) };
        }
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}
