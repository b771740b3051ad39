// SPDX-License-Identifier: MIT
// `vm` follows Foundry's naming; BoundLib lives beside the base it serves.
// solhint-disable const-name-snakecase, one-contract-per-file
pragma solidity ^0.8.28;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @title Shared helpers for the Stampbook Solidity tests
/// @notice A stand-in for the few parts of forge-std these tests need: the cheatcode handle, `bound`, and
///         the StdInvariant getters the invariant runner reads (`targetContracts`, `targetSelectors`,
///         `targetSenders`, `excludeSenders`, `excludeContracts`) with the same ABI as forge-std.
abstract contract TestBase {
    /// @dev Foundry's `StdInvariant.FuzzSelector`: the runner decodes `targetSelectors()` as this struct.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    Vm internal constant vm = Vm(VM_ADDRESS);

    address[] private _targetedContracts;
    address[] private _excludedContracts;
    address[] private _targetedSenders;
    address[] private _excludedSenders;
    FuzzSelector[] private _targetedSelectors;

    // ------------------------------------------------------------ invariant target selection

    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludedContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetedSenders;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludedSenders;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    function _targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function _excludeContract(address target) internal {
        _excludedContracts.push(target);
    }

    function _targetSender(address sender) internal {
        _targetedSenders.push(sender);
    }

    function _excludeSender(address sender) internal {
        _excludedSenders.push(sender);
    }

    function _targetSelectors(address target, bytes4[] memory selectors) internal {
        _targetedSelectors.push(FuzzSelector(target, selectors));
    }

    // ------------------------------------------------------------ input shaping

    /// @dev Maps `x` into [min, max] (inclusive) without rejecting inputs, like forge-std's `bound`.
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return BoundLib.bound(x, min, max);
    }
}

/// @dev `bound` as a library so the handler, which is not a test contract, can share it.
library BoundLib {
    error BoundMinAboveMax(uint256 min, uint256 max);

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert BoundMinAboveMax(min, max);
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }
}
