/**
 * Signing in and out as mutations. What they change in the cache follows from the client's events
 * (`<StampbookProvider>` forgets the member's data and flips `useMember`), so signing in through the
 * client directly does the same.
 */
import type { UseMutationResult } from "@tanstack/react-query";
import type { SignInErrorType, SignInParameters, SignInReturnType } from "../actions/signIn.ts";
import type { SignOutReturnType } from "../actions/signOut.ts";
import { useStampbookMutation, type MutationParameter } from "./query.ts";

export type UseSignInParameters = MutationParameter<SignInReturnType, SignInErrorType, SignInParameters | void>;

/**
 * Signs the member in with their wallet (EIP-4361). `mutate()` or `mutate({ invitation })`.
 *
 * @example
 * const signIn = useSignIn();
 * createElement("button", { onClick: () => signIn.mutate(), disabled: signIn.isPending }, "Sign in");
 * if (signIn.error?.name === "UserRejectedError") showHint("Sign the message in your wallet to continue");
 */
export function useSignIn(parameters: UseSignInParameters = {}): UseMutationResult<SignInReturnType, SignInErrorType, SignInParameters | void> {
  return useStampbookMutation((client, variables: SignInParameters | void) => client.signIn(variables ?? {}), [], parameters.mutation);
}

export type UseSignOutParameters = MutationParameter<SignOutReturnType, never, void>;

/**
 * Signs the member out (never fails for a network error: the local sign-out always happens).
 *
 * @example
 * const signOut = useSignOut();
 * createElement("button", { onClick: () => signOut.mutate() }, "Sign out");
 */
export function useSignOut(parameters: UseSignOutParameters = {}): UseMutationResult<SignOutReturnType, never, void> {
  return useStampbookMutation((client) => client.signOut(), [], parameters.mutation);
}
