// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "ERC20Ledger.sol";

/// @notice Minimal ERC-20 for the devnet. Anyone may mint: the simulation's traders have
/// unlimited capital, which keeps the market code free of funding bookkeeping.
abstract contract MintableERC20 is ERC20Ledger {
    uint8 public immutable decimals;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice A token whose name and symbol are ABI strings, like most tokens.
contract TestToken is MintableERC20 {
    string public name;
    string public symbol;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MintableERC20(decimals_) {
        name = name_;
        symbol = symbol_;
    }
}

/// @notice A token whose name and symbol are bytes32, like MKR and SAI.
contract Bytes32SymbolToken is MintableERC20 {
    bytes32 public name;
    bytes32 public symbol;

    constructor(bytes32 name_, bytes32 symbol_, uint8 decimals_) MintableERC20(decimals_) {
        name = name_;
        symbol = symbol_;
    }
}

/// @notice A token whose symbol() reverts, as some early tokens do; for the report's tests.
contract NoSymbolToken is MintableERC20 {
    constructor(uint8 decimals_) MintableERC20(decimals_) {}

    function symbol() external pure returns (string memory) {
        revert("no symbol");
    }
}

/// @notice A rate-bearing token like wstETH: `getRate()` is what one token is worth in its
/// underlying (18 decimals), and the token is its own Balancer rate provider. The simulation
/// raises the rate as staking rewards accrue.
contract RateBearingToken is MintableERC20 {
    string public name;
    string public symbol;
    uint256 public getRate;
    address public immutable owner;

    constructor(string memory name_, string memory symbol_, uint256 rate_) MintableERC20(18) {
        name = name_;
        symbol = symbol_;
        getRate = rate_;
        owner = msg.sender;
    }

    function setRate(uint256 rate_) external {
        require(msg.sender == owner, "owner");
        getRate = rate_;
    }
}
