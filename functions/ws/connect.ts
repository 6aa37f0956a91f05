import { connect } from '#app/use-cases/realtime/connect';
import { authSecrets, connectionStore, deps } from '../shared/wiring';
import { wsRoute } from '../shared/ws';

/** `$connect`: the token from `?token=`; a missing or bad one answers 401, refusing the upgrade. */
export const handler = wsRoute('wsConnect', async (event) => {
  await connect(
    { ...deps(), connections: connectionStore() },
    {
      connectionId: event.requestContext.connectionId,
      ...(event.queryStringParameters?.token !== undefined && { token: event.queryStringParameters.token }),
      secrets: await authSecrets(),
    },
  );
});
