import type { Random } from './random.ts'
import { ASSETS, type AssetKey, type PriceShock } from './scenario.ts'

const HOURS_PER_YEAR = 365 * 24

/**
 * Reference (market) prices of the simulated assets: geometric Brownian motion with each
 * asset's volatility, stablecoins wobbling a few basis points around 1, and scripted shocks.
 */
export class ReferenceMarket {
  private readonly prices = new Map<AssetKey, number>()

  constructor(
    private readonly random: Random,
    private readonly shocks: readonly PriceShock[],
  ) {
    for (const [key, asset] of Object.entries(ASSETS))
      this.prices.set(key as AssetKey, asset.startPriceUsd)
  }

  price(asset: AssetKey): number {
    return this.prices.get(asset)!
  }

  /** Moves every price by one hour; `hoursBeforeEnd` places the step against the shocks. */
  advanceHour(hoursBeforeEnd: number): void {
    for (const [key, asset] of Object.entries(ASSETS) as [AssetKey, (typeof ASSETS)[AssetKey]][]) {
      const z = this.random.normal()
      let price = this.prices.get(key)!
      if (asset.stablecoin) {
        price = asset.price === 'fixed' ? 1 : 1 + 0.0004 * z
      } else {
        const variance = asset.annualVolatility ** 2 / HOURS_PER_YEAR
        price *= Math.exp(Math.sqrt(variance) * z - variance / 2)
      }
      for (const shock of this.shocks) {
        const hours = shock.fromHoursBeforeEnd - shock.toHoursBeforeEnd
        if (
          shock.asset === key &&
          hoursBeforeEnd < shock.fromHoursBeforeEnd &&
          hoursBeforeEnd >= shock.toHoursBeforeEnd
        ) {
          price *= (1 + shock.move) ** (1 / hours)
        }
      }
      this.prices.set(key, price)
    }
  }
}
