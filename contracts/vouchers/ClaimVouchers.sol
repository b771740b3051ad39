// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IStampbookCollection} from "../interfaces/IStampbookCollection.sol";

/// @title Single-use EIP-712 claim vouchers
/// @notice Checks a voucher's validity window, signature and single use. The EIP-712 domain binds the
///         chain id and this contract's address, so a voucher signed for another chain or another
///         collection recovers to an unauthorised signer.
/// @dev The child decides who may sign ({_isVoucherSigner}) and what a voucher mints.
abstract contract ClaimVouchers is EIP712, IStampbookCollection {
    bytes32 public constant CLAIM_VOUCHER_TYPEHASH =
        keccak256(
            "ClaimVoucher(address to,uint256 id,uint256 amount,uint64 validAfter,uint64 validUntil,bytes32 uid,uint256 price)"
        );

    mapping(bytes32 uid => bool) private _usedVouchers;

    /// @notice Whether the voucher `uid` has been used.
    function isVoucherUsed(bytes32 uid) external view returns (bool) {
        return _usedVouchers[uid];
    }

    /// @notice The EIP-712 digest a signer signs for `voucher`.
    function hashClaimVoucher(ClaimVoucher calldata voucher) public view returns (bytes32) {
        bytes32 typeHash = CLAIM_VOUCHER_TYPEHASH;
        bytes32 structHash;
        // The calldata struct is seven static words laid out exactly as abi.encode would write them. Dirty
        // padding changes the hash, so it can only fail the signature check, never forge one.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), voucher, 0xe0)
            structHash := keccak256(ptr, 0x100)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev Whether `signer` may authorise vouchers.
    function _isVoucherSigner(address signer) internal view virtual returns (bool);

    /// @dev Validates `voucher` and marks it used; reverts with the reason it cannot be used. The signature
    ///      is in ERC-2098 compact form (`r`, `vs`): 64 bytes instead of 65 plus ABI padding.
    function _useVoucher(ClaimVoucher calldata voucher, bytes32 r, bytes32 vs) internal {
        if (block.timestamp < voucher.validAfter) revert VoucherNotYetValid(voucher.validAfter, block.timestamp);
        if (block.timestamp > voucher.validUntil) revert VoucherExpired(voucher.validUntil, block.timestamp);
        if (_usedVouchers[voucher.uid]) revert VoucherAlreadyUsed(voucher.uid);
        address signer = ECDSA.recover(hashClaimVoucher(voucher), r, vs);
        if (!_isVoucherSigner(signer)) revert VoucherSignerUnauthorized(signer);
        _usedVouchers[voucher.uid] = true;
        emit VoucherClaimed(voucher.uid);
    }
}
