// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IUniswapV3Pool {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function slot0() external view returns (uint160, int24, uint16, uint16, uint16, uint8, bool);
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes calldata data)
        external
        returns (int256 amount0, int256 amount1);
}

interface IMintableToken {
    function mint(address to, uint256 amount) external;
}

/// @notice Swaps on Uniswap V3 pools for the simulation, paying in its callback by minting
/// the owed tokens (the devnet's tokens mint freely). Amounts are signed as the pool returns
/// them: positive is what the pool received.
contract UniswapV3Trader {
    uint160 internal constant MIN_SQRT_RATIO = 4295128739;
    uint160 internal constant MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342;

    /// @notice Sells exactly `amountIn` of token0 (or token1), at whatever price it takes.
    function swapExactIn(IUniswapV3Pool pool, bool zeroForOne, uint256 amountIn)
        external
        returns (int256 amount0, int256 amount1)
    {
        uint160 limit = zeroForOne ? MIN_SQRT_RATIO + 1 : MAX_SQRT_RATIO - 1;
        return pool.swap(address(this), zeroForOne, int256(amountIn), limit, "");
    }

    /// @notice Sells token0 (or token1) until the pool's sqrt price reaches `sqrtPriceLimitX96`,
    /// the way an arbitrageur trades a pool back to the market; a no-op if it is there already.
    function swapToPrice(IUniswapV3Pool pool, bool zeroForOne, uint160 sqrtPriceLimitX96)
        external
        returns (int256 amount0, int256 amount1)
    {
        (uint160 sqrtPriceX96,,,,,,) = pool.slot0();
        if (zeroForOne ? sqrtPriceX96 <= sqrtPriceLimitX96 : sqrtPriceX96 >= sqrtPriceLimitX96) {
            return (0, 0);
        }
        return pool.swap(address(this), zeroForOne, type(int128).max, sqrtPriceLimitX96, "");
    }

    /// @notice Pays the pool what the swap owes it.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        IUniswapV3Pool pool = IUniswapV3Pool(msg.sender);
        if (amount0Delta > 0) IMintableToken(pool.token0()).mint(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IMintableToken(pool.token1()).mint(msg.sender, uint256(amount1Delta));
    }
}
