import { parseConfig } from '../../lambda/config/loadConfig.ts'
import type { DailyReport } from '../../lambda/report/types.ts'

const config = parseConfig({
  chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
  pools: [
    {
      id: 'evil-pool',
      chain: 'devnet',
      protocol: 'uniswap-v2',
      address: '0x0000000000000000000000000000000000000001',
    },
    {
      id: 'broken',
      chain: 'devnet',
      protocol: 'uniswap-v2',
      address: '0x0000000000000000000000000000000000000002',
    },
  ],
})

const block = (number: bigint, timestamp: bigint) => ({ number, timestamp })

/** A hand-made report with hostile token symbols, for output tests that need no chain. */
export const sampleReport: DailyReport = {
  date: '2026-11-23',
  chains: [
    {
      name: 'devnet',
      chainId: 31337,
      start: block(10n, 1795392000n),
      end: block(20n, 1795478400n),
    },
  ],
  pools: [
    {
      pool: config.pools[0]!,
      chainId: 31337,
      start: block(10n, 1795392000n),
      end: block(20n, 1795478400n),
      status: 'ok',
      alerts: ['imbalance', 'il'],
      endState: {
        tokens: [
          '0x00000000000000000000000000000000000000aa',
          '0x00000000000000000000000000000000000000bb',
        ],
        balances: [2n * 10n ** 18n, 500_000_000_000n],
      },
      tokens: [
        {
          address: '0x00000000000000000000000000000000000000aa',
          symbol: '=HYPERLINK("http://evil")',
          decimals: 18,
          weight: 0.5,
          balanceStart: 10n ** 18n,
          balanceEnd: 2n * 10n ** 18n,
          priceStart: 1_000_000,
          priceEnd: 750_000,
          shareStart: 0.5,
          shareEnd: 0.75,
        },
        {
          address: '0x00000000000000000000000000000000000000bb',
          symbol: 'US,DC',
          decimals: 6,
          weight: 0.5,
          balanceStart: 1_000_000_123_456n,
          balanceEnd: 500_000_000_000n,
          priceStart: 1,
          priceEnd: 1,
          shareStart: 0.5,
          shareEnd: 0.25,
        },
      ],
      metrics: {
        tvlUsdStart: 2_000_000.123,
        tvlUsdEnd: 2_000_000,
        valueSharesStart: [0.5, 0.5],
        valueSharesEnd: [0.75, 0.25],
        imbalanceStart: 0,
        imbalanceEnd: 0.25,
        priceDeviationEnd: -0.004,
        lpVsHodl: -0.05719096,
        feeReturn: 0,
        divergenceLoss: -0.057190958,
        feesUsd: 0,
        volumeUsdEst: 0,
        depth2pctUsd: 12_345.678,
      },
    },
    {
      pool: config.pools[1]!,
      chainId: 31337,
      status: 'error',
      error: '-not a pair: "quoted", with comma\nand newline',
    },
  ],
}

export const sampleConfig = config

const v3Pool = parseConfig({
  chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
  pools: [
    {
      id: 'uni-v3-sample',
      chain: 'devnet',
      protocol: 'uniswap-v3',
      address: '0x0000000000000000000000000000000000000003',
    },
  ],
}).pools[0]!

/**
 * A V3 pool's day whose price left the reference range, sampled over the day: `sampleReport`
 * (whose pools were not sampled) plus this one.
 */
export const sampleReportWithV3: DailyReport = {
  ...sampleReport,
  pools: [
    ...sampleReport.pools,
    {
      pool: v3Pool,
      chainId: 31337,
      start: block(10n, 1795392000n),
      end: block(20n, 1795478400n),
      status: 'ok',
      alerts: [],
      endState: {
        tokens: [
          '0x00000000000000000000000000000000000000cc',
          '0x00000000000000000000000000000000000000dd',
        ],
        balances: [384n * 10n ** 18n, 311_000n * 10n ** 18n],
      },
      tokens: [
        {
          address: '0x00000000000000000000000000000000000000cc',
          symbol: 'WETH',
          decimals: 18,
          weight: 0.5,
          balanceStart: 450n * 10n ** 18n,
          balanceEnd: 384n * 10n ** 18n,
          priceStart: 2800,
          priceEnd: 2900,
          shareStart: 0.5,
          shareEnd: 0.5025,
        },
        {
          address: '0x00000000000000000000000000000000000000dd',
          symbol: 'LINK',
          decimals: 18,
          weight: 0.5,
          balanceStart: 281_000n * 10n ** 18n,
          balanceEnd: 311_000n * 10n ** 18n,
          priceStart: 10.7,
          priceEnd: 8.85,
          shareStart: 0.5,
          shareEnd: 0.4975,
        },
      ],
      metrics: {
        tvlUsdStart: 4_274_748.69,
        tvlUsdEnd: 3_881_099.21,
        valueSharesStart: [0.5, 0.5],
        valueSharesEnd: [0.5025, 0.4975],
        imbalanceStart: 0.0025,
        imbalanceEnd: 0.0025,
        priceDeviationEnd: -0.01,
        lpVsHodl: -0.00578018,
        feeReturn: 0.00148046,
        divergenceLoss: -0.00726064,
        feesUsd: 10_511.19,
        volumeUsdEst: 1_051_119,
        depth2pctUsd: 35_243.68,
        range: { rangePct: 10, divergenceLoss: -0.09464738, inRange: false },
      },
      intraday: {
        samples: 25,
        imbalanceMax: 0.0123456789,
        imbalanceTwa: 0.004,
        priceDeviationPeak: -0.0215,
        hoursOverImbalance: 3,
        hoursOverDeviation: 72 / 7,
        refVolatility: 0.0456,
        lvrUsd: 1234.567,
      },
    },
  ],
}
