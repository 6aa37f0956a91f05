/**
 * AWS SDK clients built on first use. Loading a client package is a large share of a function's
 * cold start (the first one brings the SDK's core with it), so a function loads the DynamoDB
 * clients it always needs with its module, and SQS, Secrets Manager and the WebSocket management
 * API only when it first calls them: most functions never do.
 */

/** A client made on first call; later calls get the same client. */
export type LazyClient<C> = () => Promise<C>;

/**
 * A {@link LazyClient} made once by `make`. A failed `make` is not kept: the next call tries again.
 */
export const lazyClient = <C>(make: () => Promise<C>): LazyClient<C> => {
  let made: Promise<C> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
};
