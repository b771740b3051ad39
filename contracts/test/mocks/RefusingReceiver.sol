// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title A contract wallet that refuses ERC-1155 tokens while `refusing` is set
/// @notice Stands for the recipient that makes a whole airdrop revert: it can pass a simulation and
///         refuse once mined (set `refusing` in between), or refuse throughout.
contract RefusingReceiver is IERC1155Receiver {
    error TokensRefused();

    bool public refusing;

    constructor(bool refusing_) {
        refusing = refusing_;
    }

    function setRefusing(bool refusing_) external {
        refusing = refusing_;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external view returns (bytes4) {
        if (refusing) revert TokensRefused();
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external view returns (bytes4) {
        if (refusing) revert TokensRefused();
        return this.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}
