// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Chainlink-style price feed (the AggregatorV3Interface subset that readers use).
contract PriceFeed {
    uint8 public immutable decimals;
    string public description;
    address public immutable owner;

    uint80 private roundId;
    int256 private answer;
    uint256 private updatedAt;

    constructor(uint8 decimals_, string memory description_, int256 answer_) {
        decimals = decimals_;
        description = description_;
        owner = msg.sender;
        _set(answer_);
    }

    function version() external pure returns (uint256) {
        return 4;
    }

    function setAnswer(int256 answer_) external {
        require(msg.sender == owner, "owner");
        _set(answer_);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    function _set(int256 answer_) private {
        roundId += 1;
        answer = answer_;
        updatedAt = block.timestamp;
    }
}
