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
