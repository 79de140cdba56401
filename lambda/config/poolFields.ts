import { type Address, getAddress, isAddress } from 'viem'
import * as z from 'zod'

const POOL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * An address in lower case or EIP-55 checksummed form, normalized to the checksummed form.
 * A mixed-case address with a wrong checksum is an error: it is usually a typo.
 */
export const addressSchema = z.string().transform((value, context): Address => {
  if (!isAddress(value, { strict: false })) {
    context.addIssue({
      code: 'custom',
      message: `"${value}" is not an address (0x and 40 hex digits)`,
    })
    return z.NEVER
  }
  if (!isAddress(value, { strict: true })) {
    context.addIssue({
      code: 'custom',
      message: `"${value}" has a wrong EIP-55 checksum (expected ${getAddress(value)}, or write it in lower case)`,
    })
    return z.NEVER
  }
  return getAddress(value)
})

/** Alert thresholds; each one is optional. */
export const thresholdsSchema = z.strictObject({
  /** Alert when the end imbalance exceeds this many percentage points. */
  imbalancePp: z.number().nonnegative().optional(),
  /** Alert when the end price deviation exceeds this many percent, either way. */
  priceDeviationPct: z.number().nonnegative().optional(),
  /** Alert when the divergence loss is below this percent (a negative number). */
  ilPct: z.number().nonpositive().optional(),
})
export type Thresholds = z.infer<typeof thresholdsSchema>

/**
 * How a digest follows an alert from day to day (DESIGN.md, "The digest people act on"); each
 * field is optional, a pool's own settings win over its digest's.
 */
export const alertLifecycleSchema = z.strictObject({
  /**
   * How much worse than when last notified an ongoing alert must get to be `escalated`:
   * pp of imbalance, points of percent of deviation and IL. @default 5, 0.5, 0.5
   */
  escalateBy: z
    .strictObject({
      imbalancePp: z.number().positive().optional(),
      priceDeviationPct: z.number().positive().optional(),
      ilPct: z.number().positive().optional(),
    })
    .optional(),
  /** An alert clears once under its threshold by this percent of the threshold. @default 20 */
  hysteresisPct: z.number().min(0).max(100).optional(),
  /** Days after which an ongoing alert is notified again. @default 7 */
  remindDays: z.number().int().positive().optional(),
})
export type AlertLifecycleConfig = z.infer<typeof alertLifecycleSchema>

/** Config fields every pool has, whatever its protocol; a protocol's pool schema adds its own. */
export const poolFields = {
  id: z
    .string()
    .regex(POOL_ID, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
  chain: z.string(),
  address: addressSchema,
  thresholds: thresholdsSchema.optional(),
  alertLifecycle: alertLifecycleSchema.optional(),
}

/** What every pool's config has in common. */
export interface PoolFields {
  readonly id: string
  readonly chain: string
  /** The pool's address; a V4 pool has none (it is named by its `poolId`). */
  readonly address?: Address
  readonly protocol: string
  readonly thresholds?: Thresholds | undefined
  readonly alertLifecycle?: AlertLifecycleConfig | undefined
}
