import type { Random } from './random.ts'
import { ASSETS, type AssetKey, type PriceShock } from './scenario.ts'

const HOURS_PER_YEAR = 365 * 24

/**
 * Reference (market) prices of the simulated assets: geometric Brownian motion with each
 * asset's volatility; pegged assets (stablecoins, ETH, stETH) at their anchor's price times a
 * peg level, with a little independent noise; scripted shocks move a floating asset's price
 * or a pegged asset's level.
 */
export class ReferenceMarket {
  private readonly prices = new Map<AssetKey, number>()
  private readonly pegLevels = new Map<AssetKey, number>()
  private hours = 0

  constructor(
    private readonly random: Random,
    private readonly shocks: readonly PriceShock[],
  ) {
    const seen = new Set<string>(['USD'])
    for (const [key, asset] of Object.entries(ASSETS) as [AssetKey, (typeof ASSETS)[AssetKey]][]) {
      // Each hour prices are set in the order of ASSETS, so an anchor must come first.
      if (asset.peg && !seen.has(asset.peg.to)) throw new Error(`${key} is pegged to a later asset`)
      seen.add(key)
      this.prices.set(key, asset.startPriceUsd)
      this.pegLevels.set(key, 1)
    }
  }

  price(asset: AssetKey): number {
    return this.prices.get(asset)!
  }

  /** A rate-bearing asset's rate now (its start rate grown by its APR); 1 for other assets. */
  rate(asset: AssetKey): number {
    const rate = ASSETS[asset].rate
    return rate ? rate.start * (1 + rate.apr) ** (this.hours / HOURS_PER_YEAR) : 1
  }

  /** Moves every price by one hour; `hoursBeforeEnd` places the step against the shocks. */
  advanceHour(hoursBeforeEnd: number): void {
    this.hours += 1
    for (const [key, asset] of Object.entries(ASSETS) as [AssetKey, (typeof ASSETS)[AssetKey]][]) {
      const z = this.random.normal()
      const shock = this.shockFactor(key, hoursBeforeEnd)
      let price: number
      if (asset.peg) {
        const level = this.pegLevels.get(key)! * shock
        this.pegLevels.set(key, level)
        const anchor = asset.peg.to === 'USD' ? 1 : this.prices.get(asset.peg.to)!
        price = anchor * level * this.rate(key) * (1 + asset.peg.noise * z)
      } else {
        const variance = asset.annualVolatility ** 2 / HOURS_PER_YEAR
        price = this.prices.get(key)! * Math.exp(Math.sqrt(variance) * z - variance / 2) * shock
      }
      this.prices.set(key, price)
    }
  }

  /** This hour's factor of every shock on the asset: each spreads its move evenly over its window. */
  private shockFactor(asset: AssetKey, hoursBeforeEnd: number): number {
    let factor = 1
    for (const shock of this.shocks) {
      const hours = shock.fromHoursBeforeEnd - shock.toHoursBeforeEnd
      if (
        shock.asset === asset &&
        hoursBeforeEnd < shock.fromHoursBeforeEnd &&
        hoursBeforeEnd >= shock.toHoursBeforeEnd
      ) {
        factor *= (1 + shock.move) ** (1 / hours)
      }
    }
    return factor
  }
}
