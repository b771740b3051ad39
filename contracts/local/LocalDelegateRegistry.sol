// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDelegateRegistry} from "../interfaces/IDelegateRegistry.sol";

/// @title A stand-in for the Delegate Registry on local chains
/// @notice Local Hardhat chains start empty, so the demo and the tests put this contract's runtime code
///         at the registry's canonical address (scripts/demo/delegate-registry.ts). It answers the
///         checks and emits the events of {IDelegateRegistry} as the published registry does, so the
///         code that reads delegations cannot tell them apart through that interface.
/// @dev Not the published registry: only the functions of {IDelegateRegistry}, and the identifier the
///      delegate functions return is this contract's own, not the registry's delegation hash. It has no
///      constructor and no immutables, so its runtime code alone makes a working registry.
contract LocalDelegateRegistry is IDelegateRegistry {
    /// @dev Delegation kinds, numbered as the registry's DelegationType enum numbers them.
    uint8 private constant _ALL = 1;
    uint8 private constant _CONTRACT = 2;
    uint8 private constant _ERC1155 = 5;

    /// @dev Per delegation: 1 while a whole-wallet or contract delegation is on, the amount for an
    ///      ERC-1155 delegation; 0 when there is none.
    mapping(bytes32 delegation => uint256 value) private _delegations;

    /// @inheritdoc IDelegateRegistry
    function delegateAll(address to, bytes32 rights, bool enable) external payable returns (bytes32 delegationHash) {
        delegationHash = _id(_ALL, msg.sender, to, address(0), 0, rights);
        _delegations[delegationHash] = enable ? 1 : 0;
        emit DelegateAll(msg.sender, to, rights, enable);
    }

    /// @inheritdoc IDelegateRegistry
    function delegateContract(address to, address contract_, bytes32 rights, bool enable)
        external
        payable
        returns (bytes32 delegationHash)
    {
        delegationHash = _id(_CONTRACT, msg.sender, to, contract_, 0, rights);
        _delegations[delegationHash] = enable ? 1 : 0;
        emit DelegateContract(msg.sender, to, contract_, rights, enable);
    }

    /// @inheritdoc IDelegateRegistry
    function delegateERC1155(address to, address contract_, uint256 tokenId, bytes32 rights, uint256 amount)
        external
        payable
        returns (bytes32 delegationHash)
    {
        delegationHash = _id(_ERC1155, msg.sender, to, contract_, tokenId, rights);
        _delegations[delegationHash] = amount;
        emit DelegateERC1155(msg.sender, to, contract_, tokenId, rights, amount);
    }

    /// @inheritdoc IDelegateRegistry
    function checkDelegateForAll(address to, address from, bytes32 rights) external view returns (bool) {
        return _all(to, from, "") || (rights != "" && _all(to, from, rights));
    }

    /// @inheritdoc IDelegateRegistry
    function checkDelegateForContract(address to, address from, address contract_, bytes32 rights) external view returns (bool) {
        return _forContract(to, from, contract_, "") || (rights != "" && _forContract(to, from, contract_, rights));
    }

    /// @inheritdoc IDelegateRegistry
    function checkDelegateForERC1155(address to, address from, address contract_, uint256 tokenId, bytes32 rights)
        external
        view
        returns (uint256 amount)
    {
        amount = _forToken(to, from, contract_, tokenId, "");
        if (rights != "" && amount != type(uint256).max) {
            uint256 withRights = _forToken(to, from, contract_, tokenId, rights);
            if (withRights > amount) amount = withRights;
        }
    }

    /// @dev A whole-wallet delegation with exactly `rights`.
    function _all(address to, address from, bytes32 rights) private view returns (bool) {
        return _delegations[_id(_ALL, from, to, address(0), 0, rights)] != 0;
    }

    /// @dev A whole-wallet or contract delegation with exactly `rights`.
    function _forContract(address to, address from, address contract_, bytes32 rights) private view returns (bool) {
        return _all(to, from, rights) || _delegations[_id(_CONTRACT, from, to, contract_, 0, rights)] != 0;
    }

    /// @dev The amount of `tokenId` delegated with exactly `rights`: all of it under a wider delegation.
    function _forToken(address to, address from, address contract_, uint256 tokenId, bytes32 rights) private view returns (uint256) {
        if (_forContract(to, from, contract_, rights)) return type(uint256).max;
        return _delegations[_id(_ERC1155, from, to, contract_, tokenId, rights)];
    }

    function _id(uint8 kind, address from, address to, address contract_, uint256 tokenId, bytes32 rights) private pure returns (bytes32) {
        return keccak256(abi.encode(kind, from, to, contract_, tokenId, rights));
    }
}
