// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The name `Vm` follows Foundry's convention.
// solhint-disable interface-starts-with-i

/// @title The subset of Foundry's cheatcode interface these tests use
/// @notice forge-std is not available offline, so this declares only what the Stampbook tests call. Every
///         signature matches Foundry's `Vm` exactly: the runner dispatches on the selector.
/// @dev Hardhat 3's Solidity test runner (EDR) serves these at `VM_ADDRESS`.
interface Vm {
    // ------------------------------------------------------------ environment
    function warp(uint256 newTimestamp) external;
    function getBlockTimestamp() external view returns (uint256 timestamp);
    function deal(address account, uint256 newBalance) external;
    function label(address account, string calldata newLabel) external;

    // ------------------------------------------------------------ callers
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;

    // ------------------------------------------------------------ reverts
    function expectRevert() external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert(bytes calldata revertData) external;

    // ------------------------------------------------------------ keys and signatures
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    // ------------------------------------------------------------ fuzzing
    function assume(bool condition) external pure;

    // ------------------------------------------------------------ formatting
    function toString(uint256 value) external pure returns (string memory stringifiedValue);
    function toString(address value) external pure returns (string memory stringifiedValue);
    function toString(bytes32 value) external pure returns (string memory stringifiedValue);
    function toString(bytes calldata value) external pure returns (string memory stringifiedValue);

    // ------------------------------------------------------------ assertions (revert with a formatted message)
    function assertTrue(bool condition, string calldata err) external pure;
    function assertFalse(bool condition, string calldata err) external pure;
    function assertEq(bool left, bool right, string calldata err) external pure;
    function assertEq(uint256 left, uint256 right, string calldata err) external pure;
    function assertEq(address left, address right, string calldata err) external pure;
    function assertEq(bytes32 left, bytes32 right, string calldata err) external pure;
    function assertLe(uint256 left, uint256 right, string calldata err) external pure;
    function assertGe(uint256 left, uint256 right, string calldata err) external pure;
}

/// @dev address(bytes20(uint160(uint256(keccak256("hevm cheat code")))))
address constant VM_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
