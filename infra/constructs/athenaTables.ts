import * as athena from 'aws-cdk-lib/aws-athena'
import * as glue from 'aws-cdk-lib/aws-glue'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'
import { BALANCES_COLUMNS } from '../../lambda/output/balancesCsv.ts'
import { METRICS_COLUMNS } from '../../lambda/output/metricsCsv.ts'
import { ATHENA_RESULTS_PREFIX } from './reportBucket.ts'

/** Athena types of the CSV columns that are not strings (everything else is `string`). */
const COLUMN_TYPES: Record<string, string> = {
  chain_id: 'bigint',
  start_block: 'bigint',
  end_block: 'bigint',
  tvl_usd_start: 'double',
  tvl_usd_end: 'double',
  imbalance_pp_start: 'double',
  imbalance_pp_end: 'double',
  price_deviation_pct_end: 'double',
  lp_vs_hodl_pct: 'double',
  fee_return_pct: 'double',
  il_pct: 'double',
  fees_usd: 'double',
  volume_usd_est: 'double',
  depth_2pct_usd: 'double',
  range_pct: 'double',
  range_il_pct: 'double',
  range_in_range: 'boolean',
  samples: 'int',
  imbalance_pp_max: 'double',
  imbalance_pp_twa: 'double',
  price_deviation_pct_peak: 'double',
  hours_over_imbalance: 'double',
  hours_over_deviation: 'double',
  ref_volatility_pct: 'double',
  lvr_usd_est: 'double',
  token_index: 'int',
  decimals: 'int',
  weight: 'double',
  balance_start: 'double',
  balance_end: 'double',
  ref_price_usd_start: 'double',
  ref_price_usd_end: 'double',
  value_share_start: 'double',
  value_share_end: 'double',
}

export interface AthenaTablesProps {
  readonly bucket: s3.Bucket
  /** The report prefix (ends in `/`). */
  readonly prefix: string
  readonly databaseName: string
}

/**
 * A Glue database with the tables `metrics` and `balances` over the CSVs, partitioned by
 * `dt` with partition projection (every day from 2020 on, no crawler, no
 * `MSCK REPAIR`), and an Athena workgroup that writes its results to the bucket.
 */
export class AthenaTables extends Construct {
  readonly database: glue.CfnDatabase
  readonly tables: Record<'metrics' | 'balances', glue.CfnTable>
  readonly workGroup: athena.CfnWorkGroup

  constructor(scope: Construct, id: string, props: AthenaTablesProps) {
    super(scope, id)
    const { bucket, prefix, databaseName } = props
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: bucket.stack.account,
      databaseInput: {
        name: databaseName,
        description: 'Daily AMM pool report CSVs (see the README for the columns)',
      },
    })
    const table = (name: 'metrics' | 'balances', columns: readonly string[]) => {
      const location = `s3://${bucket.bucketName}/${prefix}${name}/`
      const cfn = new glue.CfnTable(this, `${name[0]!.toUpperCase()}${name.slice(1)}Table`, {
        catalogId: bucket.stack.account,
        databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          description: `${name}.csv of every reported day`,
          partitionKeys: [{ name: 'dt', type: 'string' }],
          parameters: {
            classification: 'csv',
            'skip.header.line.count': '1',
            // Empty cells mean "does not apply" (DESIGN, Outputs); OpenCSVSerde cannot read an
            // empty numeric cell, so it reads as NULL. The files are machine-written with one
            // schema, so this masks no mismatch.
            'use.null.for.invalid.data': 'TRUE',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2020-01-01,NOW',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `${location}dt=\${dt}/`,
          },
          storageDescriptor: {
            location,
            columns: columns.map((column) => ({
              name: column,
              type: COLUMN_TYPES[column] ?? 'string',
            })),
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            // OpenCSVSerde reads RFC 4180 quoting (error messages and symbols may hold commas).
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
              parameters: { separatorChar: ',', quoteChar: '"', escapeChar: '\\' },
            },
          },
        },
      })
      cfn.addResourceDependency(this.database)
      return cfn
    }
    this.tables = {
      metrics: table('metrics', METRICS_COLUMNS),
      balances: table('balances', BALANCES_COLUMNS),
    }
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: databaseName.replaceAll('_', '-'),
      description: 'Queries over the pool report',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    })
  }
}
