// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155MetadataURI} from "@openzeppelin/contracts/token/ERC1155/extensions/IERC1155MetadataURI.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC165, IERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @title ERC-1155 core whose per-holder slot also carries an expiry
/// @notice A holder's balance of a type and the expiry of a membership of that type share one storage
///         slot, so minting an expiring membership writes one fresh slot instead of two.
/// @dev Child contracts add token-type rules by overriding {_transfer} (called once per id moved by
///      `safeTransferFrom`/`safeBatchTransferFrom`) and mint or burn through {_holding}, emitting the
///      ERC-1155 events and calling the acceptance checks themselves. They must also implement `uri`.
abstract contract ERC1155Holdings is ERC165, IERC1155, IERC1155MetadataURI, IERC1155Errors {
    /// @dev Packed into one slot: units held, and (for memberships) when the membership ends.
    struct Holding {
        uint192 balance;
        uint64 expiresAt;
    }

    mapping(uint256 id => mapping(address holder => Holding)) private _holdings;
    mapping(address holder => mapping(address operator => bool)) private _operatorApprovals;

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override(ERC165, IERC165) returns (bool) {
        return
            interfaceId == type(IERC1155).interfaceId ||
            interfaceId == type(IERC1155MetadataURI).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    /// @notice Units of type `id` held by `account`.
    function balanceOf(address account, uint256 id) public view virtual returns (uint256) {
        return _holdings[id][account].balance;
    }

    /// @notice Balances of many (account, id) pairs in one call.
    function balanceOfBatch(
        address[] calldata accounts,
        uint256[] calldata ids
    ) public view virtual returns (uint256[] memory balances) {
        if (accounts.length != ids.length) revert ERC1155InvalidArrayLength(ids.length, accounts.length);
        balances = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            balances[i] = _holdings[ids[i]][accounts[i]].balance;
        }
    }

    /// @notice Lets `operator` move all of the caller's units (or stops it).
    function setApprovalForAll(address operator, bool approved) public virtual {
        if (operator == address(0)) revert ERC1155InvalidOperator(address(0));
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @notice Whether `operator` may move all of `account`'s units.
    function isApprovedForAll(address account, address operator) public view virtual returns (bool) {
        return _operatorApprovals[account][operator];
    }

    /// @notice Moves `value` units of `id` from `from` to `to`, asking a contract recipient to accept them.
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) public virtual {
        _checkTransfer(from, to);
        _transfer(from, to, id, value);
        emit TransferSingle(msg.sender, from, to, id, value);
        ERC1155Utils.checkOnERC1155Received(msg.sender, from, to, id, value, data);
    }

    /// @notice Moves several ids at once; see {safeTransferFrom}.
    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) public virtual {
        if (ids.length != values.length) revert ERC1155InvalidArrayLength(ids.length, values.length);
        _checkTransfer(from, to);
        for (uint256 i; i < ids.length; ++i) {
            _transfer(from, to, ids[i], values[i]);
        }
        emit TransferBatch(msg.sender, from, to, ids, values);
        ERC1155Utils.checkOnERC1155BatchReceived(msg.sender, from, to, ids, values, data);
    }

    /// @dev Moves units between two holders. Children override it to apply their type rules, then call super.
    function _transfer(address from, address to, uint256 id, uint256 value) internal virtual {
        Holding storage source = _holdings[id][from];
        uint256 balance = source.balance;
        if (balance < value) revert ERC1155InsufficientBalance(from, balance, value, id);
        unchecked {
            source.balance = uint192(balance - value);
        }
        // Cannot overflow: the sum of all balances of an id is bounded by its supply, far below 2^192.
        _holdings[id][to].balance += uint192(value);
    }

    /// @dev The storage slot of `holder`'s units of `id`, for minting, burning and expiry bookkeeping.
    function _holding(uint256 id, address holder) internal view returns (Holding storage) {
        return _holdings[id][holder];
    }

    /// @dev Writes both fields of a holding in one storage write.
    function _writeHolding(Holding storage holding, uint192 units, uint64 expiresAt) internal {
        assembly ("memory-safe") {
            sstore(holding.slot, or(units, shl(192, expiresAt)))
        }
    }

    function _checkTransfer(address from, address to) private view {
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        if (from != msg.sender && !_operatorApprovals[from][msg.sender]) {
            revert ERC1155MissingApprovalForAll(msg.sender, from);
        }
    }
}
