import { disconnect } from '#app/use-cases/realtime/connect';
import { connectionStore } from '../shared/wiring';
import { wsRoute } from '../shared/ws';

/** `$disconnect`: forgets the connection and its subscriptions. */
export const handler = wsRoute('wsDisconnect', async (event) => {
  await disconnect({ connections: connectionStore() }, { connectionId: event.requestContext.connectionId });
});
