import { connect } from '#app/use-cases/realtime/connect';
import { admit, wsRateLimiter } from '../shared/rate-limit';
import { authSecrets, config, connectionStore, deps } from '../shared/wiring';
import { wsRoute } from '../shared/ws';

/**
 * `$connect`: the token from `?token=`; a missing or bad one answers 401, refusing the upgrade,
 * and a token past its rate limit 429 with `Retry-After`.
 */
export const handler = wsRoute('wsConnect', async (event) => {
  await connect(
    { ...deps(), connections: connectionStore() },
    {
      connectionId: event.requestContext.connectionId,
      ...(event.queryStringParameters?.token !== undefined && { token: event.queryStringParameters.token }),
      secrets: await authSecrets(),
      admit: (principal) => admit(wsRateLimiter(config().rateLimit), principal, deps().clock.now().getTime()),
    },
  );
});
