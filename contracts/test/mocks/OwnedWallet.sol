// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/// @title A minimal smart-contract wallet for tests
/// @notice Accepts a signature when its single owner key signed the hash (EIP-1271), and can hold
///         ERC-1155 tokens, like the smart accounts members sign in with.
contract OwnedWallet is IERC1271, ERC1155Holder {
    address private immutable _OWNER;

    constructor(address owner_) {
        _OWNER = owner_;
    }

    /// @notice The key this wallet accepts signatures from.
    function owner() external view returns (address) {
        return _OWNER;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == _OWNER ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
