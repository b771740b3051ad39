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
///      `safeTransferFrom`/`safeBatchTransferFrom`) and mint or burn through {_holding} and
///      {_writeHolding}, emitting the ERC-1155 events and calling the acceptance checks themselves. They
///      must also implement `uri`.
abstract contract ERC1155Holdings is ERC165, IERC1155, IERC1155MetadataURI, IERC1155Errors {
    /// @dev Packed into one slot: units held, whether the id's units move by this contract's rules alone,
    ///      and (for memberships) when the membership ends.
    ///      `unrestricted` is the child's promise, made when it credits units of an id whose type adds no
    ///      rule to transfers; it must never be set for any other id. It lets the child's {_transfer} skip
    ///      reading its type data for such ids. {_transfer} passes it on to the recipient's holding.
    struct Holding {
        uint184 balance;
        bool unrestricted;
        uint64 expiresAt;
    }

    /// @dev `Holding.unrestricted` in a holding's word.
    uint256 internal constant UNRESTRICTED_BIT = 1 << 184;

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
    ///      The recipient's holding becomes `unrestricted` when the sender's is: both are of the same id.
    function _transfer(address from, address to, uint256 id, uint256 value) internal virtual {
        Holding storage source = _holdings[id][from];
        Holding storage target = _holdings[id][to];
        uint256 sent = _readHolding(source);
        uint256 balance = uint184(sent);
        if (balance < value) revert ERC1155InsufficientBalance(from, balance, value, id);
        assembly ("memory-safe") {
            // value <= balance: the subtraction stays within the balance bits.
            sstore(source.slot, sub(sent, value))
            // Read after the write, so a transfer to oneself adds back what it took. Cannot overflow into
            // the flag: the sum of all balances of an id is bounded by its supply, far below 2^184.
            sstore(target.slot, or(add(sload(target.slot), value), and(sent, UNRESTRICTED_BIT)))
        }
    }

    /// @dev The storage slot of `holder`'s units of `id`, for minting, burning and expiry bookkeeping.
    function _holding(uint256 id, address holder) internal view returns (Holding storage) {
        return _holdings[id][holder];
    }

    /// @dev A holding as one word: `balance` in bits 0-183, `unrestricted` bit 184, `expiresAt` bits 192-255.
    function _readHolding(Holding storage holding) internal view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(holding.slot)
        }
    }

    /// @dev Stores a holding's word as {_readHolding} returns it.
    function _storeHolding(Holding storage holding, uint256 word) internal {
        assembly ("memory-safe") {
            sstore(holding.slot, word)
        }
    }

    /// @dev Writes every field of a holding in one storage write.
    function _writeHolding(Holding storage holding, uint184 units, bool unrestricted, uint64 expiresAt) internal {
        assembly ("memory-safe") {
            let word := or(and(units, 0xffffffffffffffffffffffffffffffffffffffffffffff), shl(184, iszero(iszero(unrestricted))))
            sstore(holding.slot, or(word, shl(192, expiresAt)))
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
