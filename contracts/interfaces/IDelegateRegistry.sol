// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The part of delegate.xyz's Delegate Registry v2 that Stampbook reads
/// @notice A vault (cold wallet) names a delegate (hot wallet) that may act for it: for everything it
///         holds, for one contract, or for an amount of one ERC-1155 token id. Members sign in with the
///         delegate and their vault's holdings count for it. The registry is deployed at the same
///         address on every chain it lives on (`DELEGATE_REGISTRY_ADDRESS` in contracts/bindings).
/// @dev Only the functions and events Stampbook uses, declared with the published registry's exact
///      signatures, parameter names and state mutability, so that selectors, event topics and the
///      argument names a decoder returns are the registry's. The published registry also has ERC-721
///      and ERC-20 delegations, enumerations, multicall and raw storage reads; none of them are here.
///
///      `rights` narrows a delegation to one named purpose; zero is a full delegation. A check with
///      zero rights sees only full delegations; a check with some rights sees full delegations and
///      those made with exactly those rights. Every delegate call emits its event, whether or not it
///      changed anything (enabling twice, revoking what was never enabled).
interface IDelegateRegistry {
    /// @notice `from` gave (`enable`) or took back a delegation of its whole wallet to `to`.
    event DelegateAll(address indexed from, address indexed to, bytes32 rights, bool enable);

    /// @notice `from` gave (`enable`) or took back a delegation of `contract_` to `to`.
    event DelegateContract(address indexed from, address indexed to, address indexed contract_, bytes32 rights, bool enable);

    /// @notice `from` delegated `amount` of `contract_`'s token `tokenId` to `to`; 0 takes it back.
    event DelegateERC1155(
        address indexed from, address indexed to, address indexed contract_, uint256 tokenId, bytes32 rights, uint256 amount
    );

    /// @notice Delegates (or, with `enable` false, revokes) the caller's whole wallet to `to`.
    /// @return delegationHash An identifier of the delegation.
    function delegateAll(address to, bytes32 rights, bool enable) external payable returns (bytes32 delegationHash);

    /// @notice Delegates (or revokes) the caller's rights over `contract_` to `to`.
    /// @return delegationHash An identifier of the delegation.
    function delegateContract(address to, address contract_, bytes32 rights, bool enable) external payable returns (bytes32 delegationHash);

    /// @notice Delegates `amount` of the caller's `contract_` token `tokenId` to `to`, replacing any
    ///         earlier amount; an amount of 0 revokes.
    /// @return delegationHash An identifier of the delegation.
    function delegateERC1155(address to, address contract_, uint256 tokenId, bytes32 rights, uint256 amount)
        external
        payable
        returns (bytes32 delegationHash);

    /// @notice Whether `to` may act for `from`'s whole wallet.
    function checkDelegateForAll(address to, address from, bytes32 rights) external view returns (bool);

    /// @notice Whether `to` may act for `from` on `contract_`: a whole-wallet or a contract delegation.
    function checkDelegateForContract(address to, address from, address contract_, bytes32 rights) external view returns (bool);

    /// @notice How many of `from`'s `contract_` tokens `tokenId` `to` may act for: the largest amount
    ///         delegated for that id, or type(uint256).max under a whole-wallet or contract delegation;
    ///         0 when there is none.
    function checkDelegateForERC1155(address to, address from, address contract_, uint256 tokenId, bytes32 rights)
        external
        view
        returns (uint256);
}
