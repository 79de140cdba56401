// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Minimal ERC-20 for the devnet. Anyone may mint: the simulation's traders have
/// unlimited capital, which keeps the market code free of funding bookkeeping.
abstract contract MintableERC20 {
    uint8 public immutable decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(balanceOf[from] >= amount, "balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
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
