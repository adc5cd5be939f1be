/**
 * Waits for every promise (all already started, so they share a round trip) and throws the first failure in
 * list order, so which error a client sees never depends on which reply happened to arrive first. Nothing is
 * left rejected and unobserved.
 */
export async function settleInOrder(promises: readonly Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
}
