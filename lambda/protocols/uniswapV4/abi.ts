import { parseAbi } from 'viem'

/** The `StateView` functions the report reads (v4-periphery `StateView.sol`). */
export const stateViewAbi = parseAbi([
  'function poolManager() view returns (address)',
  'function getSlot0(bytes32 poolId) view returns (uint160 sqrtPriceX96, int24 tick, uint24 protocolFee, uint24 lpFee)',
  'function getLiquidity(bytes32 poolId) view returns (uint128 liquidity)',
  'function getFeeGrowthGlobals(bytes32 poolId) view returns (uint256 feeGrowthGlobal0, uint256 feeGrowthGlobal1)',
  'function getTickBitmap(bytes32 poolId, int16 tick) view returns (uint256 tickBitmap)',
  'function getTickInfo(bytes32 poolId, int24 tick) view returns (uint128 liquidityGross, int128 liquidityNet, uint256 feeGrowthOutside0X128, uint256 feeGrowthOutside1X128)',
])

/** `PositionManager.poolKeys`: the key of every pool it has minted a position in. */
export const positionManagerV4Abi = parseAbi([
  'function poolKeys(bytes25 poolId) view returns (address currency0, address currency1, uint24 fee, int24 tickSpacing, address hooks)',
])

/**
 * `PoolManager.extsload(bytes32[])`: many storage slots in one call, which is how a pool's
 * whole tick bitmap is read (`StateView.getTickBitmap` reads one word per call).
 */
export const extsloadAbi = parseAbi([
  'function extsload(bytes32[] slots) view returns (bytes32[] values)',
])
