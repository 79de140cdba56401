// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Curve's StableSwap pools in Solidity, for the devnet (Vyper cannot be installed here).
// The math follows StableSwap3Pool.vy and StableSwapSTETH.vy line for line: Newton's method
// for D and y, rates that scale every coin to 18 decimals, the fee taken from the output and
// its admin share kept out of the pool's balances, the imbalance fee on deposits. `A()` is
// already multiplied by n^(n-1), so the invariant uses Ann = A * n. The contracts at the end
// expose the interfaces the report meets on mainnet, up to stableswap-ng's.

import "ERC20Ledger.sol";

interface IERC20Minimal {
    function decimals() external view returns (uint8);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @notice ERC-20 ledger of LP shares: the LP token contract, or a pool that is its own token.
abstract contract LpLedger is ERC20Ledger {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }
}

/// @notice A separate LP token that only its pool mints and burns (3Crv, steCRV).
contract CurveLpToken is LpLedger {
    address public immutable minter;

    constructor(string memory name_, string memory symbol_) LpLedger(name_, symbol_) {
        minter = msg.sender;
    }

    function mint(address to, uint256 amount) external returns (bool) {
        require(msg.sender == minter, "minter");
        _mint(to, amount);
        return true;
    }

    function burnFrom(address from, uint256 amount) external returns (bool) {
        require(msg.sender == minter, "minter");
        _burn(from, amount);
        return true;
    }
}

/// @notice The pool logic shared by every interface, on dynamic arrays of N coins.
abstract contract StableSwapCore {
    uint256 internal constant FEE_DENOMINATOR = 1e10;
    uint256 internal constant PRECISION = 1e18;
    uint256 internal constant MAX_ITERATIONS = 255;
    address internal constant NATIVE = 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE;

    uint256 internal immutable N;
    uint256 internal immutable A_PRECISION;
    address[] internal coinList;
    uint256[] internal rates;
    uint256[] internal poolBalances;
    /// A * A_PRECISION (no ramping on the devnet).
    uint256 internal immutable ampPrecise;

    uint256 public fee;
    uint256 public admin_fee;

    event TokenExchange(address indexed buyer, int128 sold_id, uint256 tokens_sold, int128 bought_id, uint256 tokens_bought);

    constructor(address[] memory coins_, uint256 a, uint256 fee_, uint256 adminFee_, uint256 aPrecision) {
        require(coins_.length >= 2 && coins_.length <= 8, "coins");
        N = coins_.length;
        A_PRECISION = aPrecision;
        ampPrecise = a * aPrecision;
        fee = fee_;
        admin_fee = adminFee_;
        for (uint256 i = 0; i < coins_.length; i++) {
            coinList.push(coins_[i]);
            uint256 decimals_ = coins_[i] == NATIVE ? 18 : IERC20Minimal(coins_[i]).decimals();
            rates.push(10 ** (36 - decimals_));
            poolBalances.push(0);
        }
    }

    function A() external view returns (uint256) {
        return ampPrecise / A_PRECISION;
    }

    function get_virtual_price() external view returns (uint256) {
        return (_getD(_xp(poolBalances, _rates()), ampPrecise) * PRECISION) / _lpSupply();
    }

    function get_dy(int128 i, int128 j, uint256 dx) external view virtual returns (uint256) {
        (uint256 a, uint256 b) = (_index(i), _index(j));
        uint256[] memory r = _rates();
        uint256[] memory xp = _xp(poolBalances, r);
        uint256 x = xp[a] + (dx * r[a]) / PRECISION;
        uint256 y = _getY(a, b, x, xp);
        uint256 dy = ((xp[b] - y - 1) * PRECISION) / r[b];
        return dy - (fee * dy) / FEE_DENOMINATOR;
    }

    function exchange(int128 i, int128 j, uint256 dx, uint256 min_dy) external payable returns (uint256) {
        (uint256 a, uint256 b) = (_index(i), _index(j));
        uint256[] memory old = poolBalances;
        uint256[] memory r = _rates();
        uint256[] memory xp = _xp(old, r);
        uint256 x = xp[a] + (dx * r[a]) / PRECISION;
        uint256 y = _getY(a, b, x, xp);
        uint256 dy = xp[b] - y - 1;
        uint256 dyFee = (dy * _swapFee((xp[a] + x) / 2, (xp[b] + y) / 2)) / FEE_DENOMINATOR;
        dy = ((dy - dyFee) * PRECISION) / r[b];
        require(dy >= min_dy, "Exchange resulted in fewer coins than expected");
        uint256 dyAdminFee = (((dyFee * admin_fee) / FEE_DENOMINATOR) * PRECISION) / r[b];
        poolBalances[a] = old[a] + dx;
        poolBalances[b] = old[b] - dy - dyAdminFee;
        require(msg.value == (coinList[a] == NATIVE ? dx : 0), "ETH amount");
        if (coinList[a] != NATIVE) _pullToken(a, dx);
        _push(b, msg.sender, dy);
        emit TokenExchange(msg.sender, i, dx, j, dy);
        return dy;
    }

    /// @dev add_liquidity of the 3pool: the imbalance fee on the part of a deposit that is not proportional.
    function _addLiquidity(uint256[] memory amounts, uint256 minMint)
        internal
        returns (uint256 mintAmount, uint256[] memory fees, uint256 d1, uint256 supplyAfter)
    {
        uint256 tokenSupply = _lpSupply();
        uint256[] memory old = poolBalances;
        uint256[] memory r = _rates();
        uint256 d0 = tokenSupply > 0 ? _getD(_xp(old, r), ampPrecise) : 0;
        uint256[] memory next = new uint256[](N);
        uint256 ethIn = 0;
        for (uint256 k = 0; k < N; k++) {
            if (tokenSupply == 0) require(amounts[k] > 0, "initial deposit requires all coins");
            next[k] = old[k] + amounts[k];
            if (coinList[k] == NATIVE) ethIn = amounts[k];
        }
        d1 = _getD(_xp(next, r), ampPrecise);
        require(d1 > d0, "D1 <= D0");
        fees = new uint256[](N);
        if (tokenSupply > 0) {
            uint256 feePerCoin = (fee * N) / (4 * (N - 1));
            for (uint256 k = 0; k < N; k++) {
                uint256 ideal = (d1 * old[k]) / d0;
                uint256 difference = ideal > next[k] ? ideal - next[k] : next[k] - ideal;
                fees[k] = (feePerCoin * difference) / FEE_DENOMINATOR;
                poolBalances[k] = next[k] - (fees[k] * admin_fee) / FEE_DENOMINATOR;
                next[k] -= fees[k];
            }
            uint256 d2 = _getD(_xp(next, r), ampPrecise);
            mintAmount = (tokenSupply * (d2 - d0)) / d0;
        } else {
            for (uint256 k = 0; k < N; k++) poolBalances[k] = next[k];
            mintAmount = d1;
        }
        require(mintAmount >= minMint, "Slippage screwed you");
        require(msg.value == ethIn, "ETH amount");
        for (uint256 k = 0; k < N; k++) {
            if (amounts[k] > 0 && coinList[k] != NATIVE) _pullToken(k, amounts[k]);
        }
        _mintLp(msg.sender, mintAmount);
        supplyAfter = tokenSupply + mintAmount;
    }

    /// @dev remove_liquidity: a proportional share of every balance, no fee.
    function _removeLiquidity(uint256 amount, uint256[] memory minAmounts)
        internal
        returns (uint256[] memory amounts, uint256 supplyAfter)
    {
        uint256 totalSupply_ = _lpSupply();
        amounts = new uint256[](N);
        for (uint256 k = 0; k < N; k++) {
            uint256 value = (poolBalances[k] * amount) / totalSupply_;
            require(value >= minAmounts[k], "Withdrawal resulted in fewer coins than expected");
            poolBalances[k] -= value;
            amounts[k] = value;
        }
        _burnLp(msg.sender, amount);
        for (uint256 k = 0; k < N; k++) _push(k, msg.sender, amounts[k]);
        supplyAfter = totalSupply_ - amount;
    }

    function _getD(uint256[] memory xp, uint256 amp) internal view returns (uint256) {
        uint256 s = 0;
        for (uint256 k = 0; k < N; k++) s += xp[k];
        if (s == 0) return 0;
        uint256 d = s;
        uint256 ann = amp * N;
        for (uint256 iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            uint256 dP = d;
            for (uint256 k = 0; k < N; k++) dP = (dP * d) / (xp[k] * N);
            uint256 previous = d;
            d = (((ann * s) / A_PRECISION + dP * N) * d) / (((ann - A_PRECISION) * d) / A_PRECISION + (N + 1) * dP);
            if (d > previous ? d - previous <= 1 : previous - d <= 1) break;
        }
        return d;
    }

    function _getY(uint256 i, uint256 j, uint256 x, uint256[] memory xp) internal view returns (uint256) {
        require(i != j, "same coin");
        uint256 d = _getD(xp, ampPrecise);
        uint256 ann = ampPrecise * N;
        uint256 c = d;
        uint256 s = 0;
        for (uint256 k = 0; k < N; k++) {
            if (k == j) continue;
            uint256 balance = k == i ? x : xp[k];
            s += balance;
            c = (c * d) / (balance * N);
        }
        c = (c * d * A_PRECISION) / (ann * N);
        uint256 b = s + (d * A_PRECISION) / ann;
        uint256 y = d;
        for (uint256 iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            uint256 previous = y;
            y = (y * y + c) / (2 * y + b - d);
            if (y > previous ? y - previous <= 1 : previous - y <= 1) break;
        }
        return y;
    }

    function _xp(uint256[] memory balances_, uint256[] memory r) internal view returns (uint256[] memory xp) {
        xp = new uint256[](N);
        for (uint256 k = 0; k < N; k++) xp[k] = (r[k] * balances_[k]) / PRECISION;
    }

    /// @dev The fee of a trade whose coins' scaled balances average `xpi` and `xpj`: the
    /// flat `fee` here; stableswap-ng makes it dynamic.
    function _swapFee(uint256, uint256) internal view virtual returns (uint256) {
        return fee;
    }

    /// @dev The rate of each coin (10^(36 - decimals) for plain coins); metapools override it.
    function _rates() internal view virtual returns (uint256[] memory) {
        return rates;
    }

    function _index(int128 i) internal view returns (uint256) {
        require(i >= 0 && uint256(uint128(i)) < N, "coin index");
        return uint256(uint128(i));
    }

    /// @dev ETH arrives as msg.value, which the callers check; tokens are pulled here.
    function _pullToken(uint256 k, uint256 amount) internal {
        require(IERC20Minimal(coinList[k]).transferFrom(msg.sender, address(this), amount), "transferFrom");
    }

    function _push(uint256 k, address to, uint256 amount) internal {
        if (coinList[k] == NATIVE) {
            (bool ok,) = to.call{value: amount}("");
            require(ok, "ETH transfer");
        } else {
            require(IERC20Minimal(coinList[k]).transfer(to, amount), "transfer");
        }
    }

    function _lpSupply() internal view virtual returns (uint256);
    function _mintLp(address to, uint256 amount) internal virtual;
    function _burnLp(address from, uint256 amount) internal virtual;
}

/// @notice The 3pool's interface: uint256 indices, a separate LP token behind `token()`, no A_PRECISION.
contract StableSwap3Pool is StableSwapCore {
    CurveLpToken public immutable token;

    event AddLiquidity(address indexed provider, uint256[3] token_amounts, uint256[3] fees, uint256 invariant, uint256 token_supply);
    event RemoveLiquidity(address indexed provider, uint256[3] token_amounts, uint256[3] fees, uint256 token_supply);

    constructor(address[3] memory coins_, uint256 a, uint256 fee_, uint256 adminFee_, string memory lpName, string memory lpSymbol)
        StableSwapCore(_list(coins_), a, fee_, adminFee_, 1)
    {
        token = new CurveLpToken(lpName, lpSymbol);
    }

    function coins(uint256 i) external view returns (address) {
        return coinList[i];
    }

    function balances(uint256 i) external view returns (uint256) {
        return poolBalances[i];
    }

    function add_liquidity(uint256[3] calldata amounts, uint256 min_mint_amount) external {
        (, uint256[] memory fees, uint256 d1, uint256 supply) = _addLiquidity(_list(amounts), min_mint_amount);
        emit AddLiquidity(msg.sender, amounts, _fixed(fees), d1, supply);
    }

    function remove_liquidity(uint256 _amount, uint256[3] calldata min_amounts) external {
        (uint256[] memory amounts, uint256 supply) = _removeLiquidity(_amount, _list(min_amounts));
        uint256[3] memory noFees;
        emit RemoveLiquidity(msg.sender, _fixed(amounts), noFees, supply);
    }

    function _lpSupply() internal view override returns (uint256) {
        return token.totalSupply();
    }

    function _mintLp(address to, uint256 amount) internal override {
        token.mint(to, amount);
    }

    function _burnLp(address from, uint256 amount) internal override {
        token.burnFrom(from, amount);
    }

    function _list(address[3] memory values) private pure returns (address[] memory list) {
        list = new address[](3);
        for (uint256 k = 0; k < 3; k++) list[k] = values[k];
    }

    function _list(uint256[3] memory values) private pure returns (uint256[] memory list) {
        list = new uint256[](3);
        for (uint256 k = 0; k < 3; k++) list[k] = values[k];
    }

    function _fixed(uint256[] memory values) private pure returns (uint256[3] memory fixed_) {
        for (uint256 k = 0; k < 3; k++) fixed_[k] = values[k];
    }
}

/// @notice The stETH pool's interface: native ETH as a coin, A_PRECISION = 100 with `A_precise()`,
/// a separate LP token behind `lp_token()`.
contract StableSwapETH is StableSwapCore {
    CurveLpToken public immutable lp_token;

    event AddLiquidity(address indexed provider, uint256[2] token_amounts, uint256[2] fees, uint256 invariant, uint256 token_supply);
    event RemoveLiquidity(address indexed provider, uint256[2] token_amounts, uint256[2] fees, uint256 token_supply);

    constructor(address[2] memory coins_, uint256 a, uint256 fee_, uint256 adminFee_, string memory lpName, string memory lpSymbol)
        StableSwapCore(_list(coins_), a, fee_, adminFee_, 100)
    {
        lp_token = new CurveLpToken(lpName, lpSymbol);
    }

    function A_precise() external view returns (uint256) {
        return ampPrecise;
    }

    function coins(uint256 i) external view returns (address) {
        return coinList[i];
    }

    function balances(uint256 i) external view returns (uint256) {
        return poolBalances[i];
    }

    function add_liquidity(uint256[2] calldata amounts, uint256 min_mint_amount) external payable returns (uint256 minted) {
        uint256[] memory fees;
        uint256 d1;
        uint256 supply;
        (minted, fees, d1, supply) = _addLiquidity(_list(amounts), min_mint_amount);
        emit AddLiquidity(msg.sender, amounts, _fixed(fees), d1, supply);
    }

    function remove_liquidity(uint256 _amount, uint256[2] calldata _min_amounts) external returns (uint256[2] memory) {
        (uint256[] memory amounts, uint256 supply) = _removeLiquidity(_amount, _list(_min_amounts));
        uint256[2] memory noFees;
        emit RemoveLiquidity(msg.sender, _fixed(amounts), noFees, supply);
        return _fixed(amounts);
    }

    function _lpSupply() internal view override returns (uint256) {
        return lp_token.totalSupply();
    }

    function _mintLp(address to, uint256 amount) internal override {
        lp_token.mint(to, amount);
    }

    function _burnLp(address from, uint256 amount) internal override {
        lp_token.burnFrom(from, amount);
    }

    function _list(address[2] memory values) private pure returns (address[] memory list) {
        list = new address[](2);
        for (uint256 k = 0; k < 2; k++) list[k] = values[k];
    }

    function _list(uint256[2] memory values) private pure returns (uint256[] memory list) {
        list = new uint256[](2);
        for (uint256 k = 0; k < 2; k++) list[k] = values[k];
    }

    function _fixed(uint256[] memory values) private pure returns (uint256[2] memory fixed_) {
        for (uint256 k = 0; k < 2; k++) fixed_[k] = values[k];
    }
}

/// @notice The early pools' int128 indices (compound, y, susd) on a pool that is its own LP
/// token, as factory pools are: the two unusual read paths in one contract.
contract StableSwapLegacy4 is StableSwapCore, LpLedger {
    event AddLiquidity(address indexed provider, uint256[4] token_amounts, uint256[4] fees, uint256 invariant, uint256 token_supply);
    event RemoveLiquidity(address indexed provider, uint256[4] token_amounts, uint256[4] fees, uint256 token_supply);

    constructor(address[4] memory coins_, uint256 a, uint256 fee_, uint256 adminFee_, string memory lpName, string memory lpSymbol)
        StableSwapCore(_list(coins_), a, fee_, adminFee_, 1)
        LpLedger(lpName, lpSymbol)
    {}

    function coins(int128 i) external view returns (address) {
        return coinList[_index(i)];
    }

    function balances(int128 i) external view returns (uint256) {
        return poolBalances[_index(i)];
    }

    function add_liquidity(uint256[4] calldata amounts, uint256 min_mint_amount) external {
        (, uint256[] memory fees, uint256 d1, uint256 supply) = _addLiquidity(_list(amounts), min_mint_amount);
        emit AddLiquidity(msg.sender, amounts, _fixed(fees), d1, supply);
    }

    function remove_liquidity(uint256 _amount, uint256[4] calldata min_amounts) external {
        (uint256[] memory amounts, uint256 supply) = _removeLiquidity(_amount, _list(min_amounts));
        uint256[4] memory noFees;
        emit RemoveLiquidity(msg.sender, _fixed(amounts), noFees, supply);
    }

    function _lpSupply() internal view override returns (uint256) {
        return totalSupply;
    }

    function _mintLp(address to, uint256 amount) internal override {
        _mint(to, amount);
    }

    function _burnLp(address from, uint256 amount) internal override {
        _burn(from, amount);
    }

    function _list(address[4] memory values) private pure returns (address[] memory list) {
        list = new address[](4);
        for (uint256 k = 0; k < 4; k++) list[k] = values[k];
    }

    function _list(uint256[4] memory values) private pure returns (uint256[] memory list) {
        list = new uint256[](4);
        for (uint256 k = 0; k < 4; k++) list[k] = values[k];
    }

    function _fixed(uint256[] memory values) private pure returns (uint256[4] memory fixed_) {
        for (uint256 k = 0; k < 4; k++) fixed_[k] = values[k];
    }
}

interface ICurveBasePool {
    function get_virtual_price() external view returns (uint256);
}

/// @notice A metapool: a coin against the LP token of a base pool, which it counts at the base
/// pool's virtual price (read live; Curve's metapools cache it for ten minutes). Like the
/// factory metapools it is its own LP token; like the pre-factory ones it names `base_pool()`.
contract StableSwapMeta is StableSwapCore, LpLedger {
    address public immutable base_pool;

    event AddLiquidity(address indexed provider, uint256[2] token_amounts, uint256[2] fees, uint256 invariant, uint256 token_supply);
    event RemoveLiquidity(address indexed provider, uint256[2] token_amounts, uint256[2] fees, uint256 token_supply);

    constructor(address[2] memory coins_, address basePool_, uint256 a, uint256 fee_, uint256 adminFee_, string memory lpName, string memory lpSymbol)
        StableSwapCore(_list(coins_), a, fee_, adminFee_, 100)
        LpLedger(lpName, lpSymbol)
    {
        base_pool = basePool_;
    }

    function A_precise() external view returns (uint256) {
        return ampPrecise;
    }

    function base_virtual_price() external view returns (uint256) {
        return ICurveBasePool(base_pool).get_virtual_price();
    }

    function coins(uint256 i) external view returns (address) {
        return coinList[i];
    }

    function balances(uint256 i) external view returns (uint256) {
        return poolBalances[i];
    }

    function add_liquidity(uint256[2] calldata amounts, uint256 min_mint_amount) external returns (uint256 minted) {
        uint256[] memory fees;
        uint256 d1;
        uint256 supply;
        (minted, fees, d1, supply) = _addLiquidity(_list(amounts), min_mint_amount);
        emit AddLiquidity(msg.sender, amounts, _fixed(fees), d1, supply);
    }

    function remove_liquidity(uint256 _amount, uint256[2] calldata _min_amounts) external returns (uint256[2] memory) {
        (uint256[] memory amounts, uint256 supply) = _removeLiquidity(_amount, _list(_min_amounts));
        uint256[2] memory noFees;
        emit RemoveLiquidity(msg.sender, _fixed(amounts), noFees, supply);
        return _fixed(amounts);
    }

    function _rates() internal view override returns (uint256[] memory r) {
        r = rates;
        r[N - 1] = ICurveBasePool(base_pool).get_virtual_price();
    }

    function _lpSupply() internal view override returns (uint256) {
        return totalSupply;
    }

    function _mintLp(address to, uint256 amount) internal override {
        _mint(to, amount);
    }

    function _burnLp(address from, uint256 amount) internal override {
        _burn(from, amount);
    }

    function _list(address[2] memory values) private pure returns (address[] memory list) {
        list = new address[](2);
        for (uint256 k = 0; k < 2; k++) list[k] = values[k];
    }

    function _list(uint256[2] memory values) private pure returns (uint256[] memory list) {
        list = new uint256[](2);
        for (uint256 k = 0; k < 2; k++) list[k] = values[k];
    }

    function _fixed(uint256[] memory values) private pure returns (uint256[2] memory fixed_) {
        for (uint256 k = 0; k < 2; k++) fixed_[k] = values[k];
    }
}

interface IRateOracle {
    function getRate() external view returns (uint256);
}

/// @notice A stableswap-ng plain pool (CurveStableSwapNG.vy): dynamic arrays and `N_COINS`,
/// `get_balances()`, `stored_rates()` with an oracle rate for a rate-bearing coin (asset type
/// 1: `rate_multiplier * oracle() / 1e18`), and the dynamic fee of `offpeg_fee_multiplier`,
/// which rises as the two coins of a trade move away from balance. Its own LP token; the
/// admin takes half of the fees, as NG pools do.
contract StableSwapNG is StableSwapCore, LpLedger {
    uint256 public immutable offpeg_fee_multiplier;
    /// The rate oracle of each coin (`getRate()`), or 0 for a plain coin.
    address[] internal oracles;

    event AddLiquidity(address indexed provider, uint256[] token_amounts, uint256[] fees, uint256 invariant, uint256 token_supply);
    event RemoveLiquidity(address indexed provider, uint256[] token_amounts, uint256[] fees, uint256 token_supply);

    constructor(
        address[] memory coins_,
        address[] memory oracles_,
        uint256 a,
        uint256 fee_,
        uint256 offpegFeeMultiplier_,
        string memory lpName,
        string memory lpSymbol
    ) StableSwapCore(coins_, a, fee_, 5_000_000_000, 100) LpLedger(lpName, lpSymbol) {
        require(oracles_.length == coins_.length, "oracles");
        oracles = oracles_;
        offpeg_fee_multiplier = offpegFeeMultiplier_;
    }

    function N_COINS() external view returns (uint256) {
        return N;
    }

    function A_precise() external view returns (uint256) {
        return ampPrecise;
    }

    function coins(uint256 i) external view returns (address) {
        return coinList[i];
    }

    function balances(uint256 i) external view returns (uint256) {
        return poolBalances[i];
    }

    function get_balances() external view returns (uint256[] memory) {
        return poolBalances;
    }

    function stored_rates() external view returns (uint256[] memory) {
        return _rates();
    }

    /// @notice The fee a trade between coins i and j would pay at the current balances.
    function dynamic_fee(int128 i, int128 j) external view returns (uint256) {
        uint256[] memory xp = _xp(poolBalances, _rates());
        return _swapFee(xp[_index(i)], xp[_index(j)]);
    }

    /// @dev The views contract's get_dy: the fee is taken in 18-decimal units, then converted.
    function get_dy(int128 i, int128 j, uint256 dx) external view override returns (uint256) {
        (uint256 a, uint256 b) = (_index(i), _index(j));
        uint256[] memory r = _rates();
        uint256[] memory xp = _xp(poolBalances, r);
        uint256 x = xp[a] + (dx * r[a]) / PRECISION;
        uint256 y = _getY(a, b, x, xp);
        uint256 dy = xp[b] - y - 1;
        uint256 dyFee = (_swapFee((xp[a] + x) / 2, (xp[b] + y) / 2) * dy) / FEE_DENOMINATOR;
        return ((dy - dyFee) * PRECISION) / r[b];
    }

    function add_liquidity(uint256[] calldata amounts, uint256 min_mint_amount) external returns (uint256 minted) {
        require(amounts.length == N, "amounts");
        uint256[] memory fees;
        uint256 d1;
        uint256 supply;
        (minted, fees, d1, supply) = _addLiquidity(amounts, min_mint_amount);
        emit AddLiquidity(msg.sender, amounts, fees, d1, supply);
    }

    function remove_liquidity(uint256 _burn_amount, uint256[] calldata _min_amounts) external returns (uint256[] memory amounts) {
        require(_min_amounts.length == N, "amounts");
        uint256 supply;
        (amounts, supply) = _removeLiquidity(_burn_amount, _min_amounts);
        emit RemoveLiquidity(msg.sender, amounts, new uint256[](N), supply);
    }

    /// @dev `rate_multiplier * oracle / 1e18` for a coin with an oracle, the plain rate otherwise.
    function _rates() internal view override returns (uint256[] memory r) {
        r = rates;
        for (uint256 k = 0; k < N; k++) {
            if (oracles[k] != address(0)) r[k] = (r[k] * IRateOracle(oracles[k]).getRate()) / PRECISION;
        }
    }

    /// @dev `_dynamic_fee`: the base fee times up to `offpeg_fee_multiplier` as the coins' scaled
    /// balances `xpi`, `xpj` drift apart.
    function _swapFee(uint256 xpi, uint256 xpj) internal view override returns (uint256) {
        if (offpeg_fee_multiplier <= FEE_DENOMINATOR) return fee;
        uint256 xps2 = (xpi + xpj) * (xpi + xpj);
        return (offpeg_fee_multiplier * fee)
            / (((offpeg_fee_multiplier - FEE_DENOMINATOR) * 4 * xpi * xpj) / xps2 + FEE_DENOMINATOR);
    }

    function _lpSupply() internal view override returns (uint256) {
        return totalSupply;
    }

    function _mintLp(address to, uint256 amount) internal override {
        _mint(to, amount);
    }

    function _burnLp(address from, uint256 amount) internal override {
        _burn(from, amount);
    }
}
