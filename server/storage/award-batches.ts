/** What a batch of the award queue can be (server/awards/types.ts): the store holds batches to these. */
export const AWARD_BATCH_STATUSES = ["open", "sent", "mined", "reverted", "dropped", "released"] as const;
