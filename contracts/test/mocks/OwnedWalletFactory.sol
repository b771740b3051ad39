// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {OwnedWallet} from "./OwnedWallet.sol";

/// @title Deploys {OwnedWallet}s at deterministic addresses, so a wallet can sign before it exists (ERC-6492)
contract OwnedWalletFactory {
    /// @notice Deploys the wallet of `owner` for `salt`, or returns it if it exists.
    function deploy(address owner, bytes32 salt) external returns (address wallet) {
        wallet = addressOf(owner, salt);
        if (wallet.code.length == 0) new OwnedWallet{salt: salt}(owner);
    }

    /// @notice Where the wallet of `owner` for `salt` lives (or will).
    function addressOf(address owner, bytes32 salt) public view returns (address) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(OwnedWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }
}
