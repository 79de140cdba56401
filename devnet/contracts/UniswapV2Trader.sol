// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IUniswapV2Pair {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112, uint112, uint32);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
    function mint(address to) external returns (uint256);
    function burn(address to) external returns (uint256, uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

interface IMintable {
    function mint(address to, uint256 amount) external;
}

/// @notice Trades and provides liquidity on Uniswap V2 pairs for the simulation. Amounts
/// out are computed from the reserves at execution time, so trades queued in one block
/// never fail the pair's invariant check.
contract UniswapV2Trader {
    /// @notice Sells `amountIn` of token0 (or token1) into the pair, paying the 0.30% fee.
    function swapExactIn(IUniswapV2Pair pair, bool zeroForOne, uint256 amountIn) external returns (uint256 amountOut) {
        (uint112 reserve0, uint112 reserve1,) = pair.getReserves();
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 amountInWithFee = amountIn * 997;
        amountOut = (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
        IMintable(zeroForOne ? pair.token0() : pair.token1()).mint(address(pair), amountIn);
        pair.swap(zeroForOne ? 0 : amountOut, zeroForOne ? amountOut : 0, address(this), "");
    }

    /// @notice Adds `amount0` of token0 and the matching amount of token1 at the reserves'
    /// ratio at execution time (rounded up by one unit), and keeps the LP tokens.
    function addLiquidity(IUniswapV2Pair pair, uint256 amount0) external returns (uint256 liquidity) {
        (uint112 reserve0, uint112 reserve1,) = pair.getReserves();
        IMintable(pair.token0()).mint(address(pair), amount0);
        IMintable(pair.token1()).mint(address(pair), (amount0 * reserve1) / reserve0 + 1);
        liquidity = pair.mint(address(this));
    }

    /// @notice Seeds an empty pair with both amounts.
    function seed(IUniswapV2Pair pair, uint256 amount0, uint256 amount1) external returns (uint256 liquidity) {
        IMintable(pair.token0()).mint(address(pair), amount0);
        IMintable(pair.token1()).mint(address(pair), amount1);
        liquidity = pair.mint(address(this));
    }

    /// @notice Burns `liquidity` LP tokens held by this contract.
    function removeLiquidity(IUniswapV2Pair pair, uint256 liquidity) external returns (uint256, uint256) {
        pair.transfer(address(pair), liquidity);
        return pair.burn(address(this));
    }
}
